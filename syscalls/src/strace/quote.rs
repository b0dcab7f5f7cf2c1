//! Strings as strace prints them: C escapes in double quotes, `...` after
//! a truncated one.

use std::fmt::Write;

use super::MemReader;

/// How many bytes of a buffer are shown (strace's default `-s 32`).
pub const STR_MAX: usize = 32;
/// How many bytes of a path are read (`PATH_MAX`, with its NUL).
pub const PATH_MAX: usize = 4096;

/// `bytes` quoted and escaped, with `...` after the closing quote when
/// `truncated`: `"hello\n"...`.
pub fn quote(bytes: &[u8], truncated: bool) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x0b => s.push_str("\\v"),
            0x0c => s.push_str("\\f"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            // A digit after `\0` would extend the octal escape.
            0 if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => s.push_str("\\000"),
            0 => s.push_str("\\0"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    if truncated {
        s.push_str("...");
    }
    s
}

/// A buffer of `len` bytes at `addr`: the first `STR_MAX` quoted, or the
/// address in hex when it cannot be read.
pub fn buffer(mem: &dyn MemReader, addr: u64, len: usize) -> String {
    match mem.read_bytes(addr, len.min(STR_MAX)) {
        Some(b) => quote(&b, len > STR_MAX),
        None => super::args::hex(addr),
    }
}

/// A NUL-terminated string at `addr` of at most `max` bytes shown: quoted,
/// `NULL`, or the address in hex when it cannot be read.
pub fn cstring(mem: &dyn MemReader, addr: u64, max: usize) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    // One byte more than shown tells a string of exactly `max` bytes from a
    // longer one.
    match mem.read_cstr(addr, max + 1) {
        Some(b) if b.len() > max => quote(&b[..max], true),
        Some(b) => quote(&b, false),
        None => super::args::hex(addr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_are_escaped() {
        assert_eq!(quote(b"hello\n", false), r#""hello\n""#);
        assert_eq!(quote(b"a\tb\"c\\", false), r#""a\tb\"c\\""#);
        assert_eq!(quote(b"\0x\0", false), r#""\0x\0""#);
        assert_eq!(quote(b"\x1b[0m\x7f\xff", false), r#""\x1b[0m\x7f\xff""#);
        assert_eq!(quote(b"abc", true), r#""abc"..."#);
    }

    #[test]
    fn nul_before_a_digit_takes_three_octal_digits() {
        assert_eq!(quote(b"\x001", false), r#""\0001""#);
    }
}
