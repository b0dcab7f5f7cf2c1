//! Helpers for declaring constants once with their names.

/// Declares `pub const`s of one type and a function naming a value; where
/// two constants share a value (aliases), the first listed names it.
///
/// ```text
/// named_consts! {
///     /// The name of a clock id.
///     pub fn clock_name(i32) {
///         CLOCK_REALTIME = 0,
///         CLOCK_MONOTONIC = 1,
///     }
/// }
/// ```
macro_rules! named_consts {
    (
        $(#[$fm:meta])*
        pub fn $fname:ident($t:ty) {
            $($(#[$cm:meta])* $name:ident = $val:expr,)*
        }
    ) => {
        $($(#[$cm])* pub const $name: $t = $val;)*

        $(#[$fm])*
        pub fn $fname(value: $t) -> Option<&'static str> {
            #[allow(unreachable_patterns)] // aliases: the first name wins
            match value {
                $($name => Some(stringify!($name)),)*
                _ => None,
            }
        }
    };
}
