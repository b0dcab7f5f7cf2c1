//! Linux errno values, with their names and glibc's descriptions.
//!
//! Numbers from the kernel's <asm-generic/errno-base.h> and
//! <asm-generic/errno.h> (x86-64 uses the generic ones), descriptions as
//! glibc's `strerror` prints them, and the kernel-internal restart codes of
//! <linux/errno.h> that must never reach an application.

use std::fmt;

/// An error number as the kernel returns it (positive; a syscall returns its
/// negation). Values from 512 up are the kernel-internal restart codes:
/// signal delivery turns them into EINTR or a restart, and they never reach
/// an application.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(i32);

/// Declares the application-visible errnos once: the constants, `name`,
/// `description` and `from_name` are all generated from this list.
macro_rules! errnos {
    ($($raw:literal $name:ident $desc:literal,)*) => {
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`: ", $desc, ".")]
                pub const $name: Errno = Errno($raw);
            )*

            fn visible_name(raw: i32) -> Option<&'static str> {
                Some(match raw {
                    $($raw => stringify!($name),)*
                    _ => return None,
                })
            }

            /// glibc's description, "Bad file descriptor"; `None` for the
            /// internal codes and numbers Linux does not define.
            pub fn description(self) -> Option<&'static str> {
                Some(match self.0 {
                    $($raw => $desc,)*
                    _ => return None,
                })
            }

            /// The errno named `name` (`"EBADF"`), including the aliases
            /// `EWOULDBLOCK`, `EDEADLOCK` and glibc's `ENOTSUP`, and the
            /// internal restart codes.
            pub fn from_name(name: &str) -> Option<Errno> {
                Some(match name {
                    $(stringify!($name) => Errno::$name,)*
                    "EWOULDBLOCK" => Errno::EWOULDBLOCK,
                    "EDEADLOCK" => Errno::EDEADLOCK,
                    "ENOTSUP" => Errno::ENOTSUP,
                    "ERESTARTSYS" => Errno::ERESTARTSYS,
                    "ERESTARTNOINTR" => Errno::ERESTARTNOINTR,
                    "ERESTARTNOHAND" => Errno::ERESTARTNOHAND,
                    "ENOIOCTLCMD" => Errno::ENOIOCTLCMD,
                    "ERESTART_RESTARTBLOCK" => Errno::ERESTART_RESTARTBLOCK,
                    _ => return None,
                })
            }
        }
    };
}

errnos! {
    1 EPERM "Operation not permitted",
    2 ENOENT "No such file or directory",
    3 ESRCH "No such process",
    4 EINTR "Interrupted system call",
    5 EIO "Input/output error",
    6 ENXIO "No such device or address",
    7 E2BIG "Argument list too long",
    8 ENOEXEC "Exec format error",
    9 EBADF "Bad file descriptor",
    10 ECHILD "No child processes",
    11 EAGAIN "Resource temporarily unavailable",
    12 ENOMEM "Cannot allocate memory",
    13 EACCES "Permission denied",
    14 EFAULT "Bad address",
    15 ENOTBLK "Block device required",
    16 EBUSY "Device or resource busy",
    17 EEXIST "File exists",
    18 EXDEV "Invalid cross-device link",
    19 ENODEV "No such device",
    20 ENOTDIR "Not a directory",
    21 EISDIR "Is a directory",
    22 EINVAL "Invalid argument",
    23 ENFILE "Too many open files in system",
    24 EMFILE "Too many open files",
    25 ENOTTY "Inappropriate ioctl for device",
    26 ETXTBSY "Text file busy",
    27 EFBIG "File too large",
    28 ENOSPC "No space left on device",
    29 ESPIPE "Illegal seek",
    30 EROFS "Read-only file system",
    31 EMLINK "Too many links",
    32 EPIPE "Broken pipe",
    33 EDOM "Numerical argument out of domain",
    34 ERANGE "Numerical result out of range",
    35 EDEADLK "Resource deadlock avoided",
    36 ENAMETOOLONG "File name too long",
    37 ENOLCK "No locks available",
    38 ENOSYS "Function not implemented",
    39 ENOTEMPTY "Directory not empty",
    40 ELOOP "Too many levels of symbolic links",
    42 ENOMSG "No message of desired type",
    43 EIDRM "Identifier removed",
    44 ECHRNG "Channel number out of range",
    45 EL2NSYNC "Level 2 not synchronized",
    46 EL3HLT "Level 3 halted",
    47 EL3RST "Level 3 reset",
    48 ELNRNG "Link number out of range",
    49 EUNATCH "Protocol driver not attached",
    50 ENOCSI "No CSI structure available",
    51 EL2HLT "Level 2 halted",
    52 EBADE "Invalid exchange",
    53 EBADR "Invalid request descriptor",
    54 EXFULL "Exchange full",
    55 ENOANO "No anode",
    56 EBADRQC "Invalid request code",
    57 EBADSLT "Invalid slot",
    59 EBFONT "Bad font file format",
    60 ENOSTR "Device not a stream",
    61 ENODATA "No data available",
    62 ETIME "Timer expired",
    63 ENOSR "Out of streams resources",
    64 ENONET "Machine is not on the network",
    65 ENOPKG "Package not installed",
    66 EREMOTE "Object is remote",
    67 ENOLINK "Link has been severed",
    68 EADV "Advertise error",
    69 ESRMNT "Srmount error",
    70 ECOMM "Communication error on send",
    71 EPROTO "Protocol error",
    72 EMULTIHOP "Multihop attempted",
    73 EDOTDOT "RFS specific error",
    74 EBADMSG "Bad message",
    75 EOVERFLOW "Value too large for defined data type",
    76 ENOTUNIQ "Name not unique on network",
    77 EBADFD "File descriptor in bad state",
    78 EREMCHG "Remote address changed",
    79 ELIBACC "Can not access a needed shared library",
    80 ELIBBAD "Accessing a corrupted shared library",
    81 ELIBSCN ".lib section in a.out corrupted",
    82 ELIBMAX "Attempting to link in too many shared libraries",
    83 ELIBEXEC "Cannot exec a shared library directly",
    84 EILSEQ "Invalid or incomplete multibyte or wide character",
    85 ERESTART "Interrupted system call should be restarted",
    86 ESTRPIPE "Streams pipe error",
    87 EUSERS "Too many users",
    88 ENOTSOCK "Socket operation on non-socket",
    89 EDESTADDRREQ "Destination address required",
    90 EMSGSIZE "Message too long",
    91 EPROTOTYPE "Protocol wrong type for socket",
    92 ENOPROTOOPT "Protocol not available",
    93 EPROTONOSUPPORT "Protocol not supported",
    94 ESOCKTNOSUPPORT "Socket type not supported",
    95 EOPNOTSUPP "Operation not supported",
    96 EPFNOSUPPORT "Protocol family not supported",
    97 EAFNOSUPPORT "Address family not supported by protocol",
    98 EADDRINUSE "Address already in use",
    99 EADDRNOTAVAIL "Cannot assign requested address",
    100 ENETDOWN "Network is down",
    101 ENETUNREACH "Network is unreachable",
    102 ENETRESET "Network dropped connection on reset",
    103 ECONNABORTED "Software caused connection abort",
    104 ECONNRESET "Connection reset by peer",
    105 ENOBUFS "No buffer space available",
    106 EISCONN "Transport endpoint is already connected",
    107 ENOTCONN "Transport endpoint is not connected",
    108 ESHUTDOWN "Cannot send after transport endpoint shutdown",
    109 ETOOMANYREFS "Too many references: cannot splice",
    110 ETIMEDOUT "Connection timed out",
    111 ECONNREFUSED "Connection refused",
    112 EHOSTDOWN "Host is down",
    113 EHOSTUNREACH "No route to host",
    114 EALREADY "Operation already in progress",
    115 EINPROGRESS "Operation now in progress",
    116 ESTALE "Stale file handle",
    117 EUCLEAN "Structure needs cleaning",
    118 ENOTNAM "Not a XENIX named type file",
    119 ENAVAIL "No XENIX semaphores available",
    120 EISNAM "Is a named type file",
    121 EREMOTEIO "Remote I/O error",
    122 EDQUOT "Disk quota exceeded",
    123 ENOMEDIUM "No medium found",
    124 EMEDIUMTYPE "Wrong medium type",
    125 ECANCELED "Operation canceled",
    126 ENOKEY "Required key not available",
    127 EKEYEXPIRED "Key has expired",
    128 EKEYREVOKED "Key has been revoked",
    129 EKEYREJECTED "Key was rejected by service",
    130 EOWNERDEAD "Owner died",
    131 ENOTRECOVERABLE "State not recoverable",
    132 ERFKILL "Operation not possible due to RF-kill",
    133 EHWPOISON "Memory page has hardware error",
}

impl Errno {
    /// `EWOULDBLOCK`: the same number as `EAGAIN`.
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;
    /// `EDEADLOCK`: the same number as `EDEADLK` on x86.
    pub const EDEADLOCK: Errno = Errno::EDEADLK;
    /// `ENOTSUP`: glibc's name for `EOPNOTSUPP` (the same number on Linux).
    pub const ENOTSUP: Errno = Errno::EOPNOTSUPP;

    /// Internal: restart the call if the handler has `SA_RESTART` (or no
    /// handler runs), else EINTR.
    pub const ERESTARTSYS: Errno = Errno(512);
    /// Internal: restart the call whatever happens.
    pub const ERESTARTNOINTR: Errno = Errno(513);
    /// Internal: restart the call unless a handler runs, then EINTR.
    pub const ERESTARTNOHAND: Errno = Errno(514);
    /// Internal: no ioctl handler for the command; becomes ENOTTY.
    pub const ENOIOCTLCMD: Errno = Errno(515);
    /// Internal: restart through restart_syscall(2) unless a handler runs,
    /// then EINTR.
    pub const ERESTART_RESTARTBLOCK: Errno = Errno(516);

    /// The highest errno an application can see (`EHWPOISON`).
    pub const MAX_VISIBLE: i32 = 133;

    /// The errno with number `raw`, which need not be one Linux defines.
    pub const fn from_raw(raw: i32) -> Errno {
        Errno(raw)
    }

    /// The number, positive.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// The errno a raw syscall return value encodes: `-4095..=-1` are
    /// errors, anything else a result.
    pub fn from_ret(ret: i64) -> Option<Errno> {
        if (-4095..0).contains(&ret) {
            i32::try_from(-ret).ok().map(Errno)
        } else {
            None
        }
    }

    /// Whether this is a kernel-internal restart code (512..=516).
    pub const fn is_internal(self) -> bool {
        self.0 >= 512 && self.0 <= 516
    }

    /// The symbolic name, "EBADF"; aliases give the primary name ("EAGAIN").
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            512 => "ERESTARTSYS",
            513 => "ERESTARTNOINTR",
            514 => "ERESTARTNOHAND",
            515 => "ENOIOCTLCMD",
            516 => "ERESTART_RESTARTBLOCK",
            raw => return Errno::visible_name(raw),
        })
    }

    /// Every errno an application can see, in number order (the internal
    /// codes and the unused numbers 41 and 58 left out).
    pub fn all() -> impl Iterator<Item = Errno> {
        (1..=Errno::MAX_VISIBLE)
            .map(Errno)
            .filter(|e| e.description().is_some())
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

/// `EBADF (Bad file descriptor)`; an internal code prints its name alone, a
/// number Linux does not define as `errno 999`.
impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.description()) {
            (Some(n), Some(d)) => write!(f, "{n} ({d})"),
            (Some(n), None) => f.write_str(n),
            _ => write!(f, "errno {}", self.0),
        }
    }
}

impl std::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_debug_use_names_and_descriptions() {
        assert_eq!(Errno::EBADF.raw(), 9);
        assert_eq!(Errno::EBADF.to_string(), "EBADF (Bad file descriptor)");
        assert_eq!(format!("{:?}", Errno::ENOENT), "ENOENT");
        assert_eq!(format!("{:?}", Errno::from_raw(999)), "Errno(999)");
        assert_eq!(Errno::from_raw(999).to_string(), "errno 999");
        assert_eq!(Errno::ERESTARTSYS.to_string(), "ERESTARTSYS");
        assert_eq!(Errno::from_raw(41).name(), None);
    }

    #[test]
    fn aliases_share_numbers_and_names_resolve() {
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        assert_eq!(Errno::EDEADLOCK, Errno::EDEADLK);
        assert_eq!(Errno::from_name("EWOULDBLOCK"), Some(Errno::EAGAIN));
        assert_eq!(Errno::from_name("ENOTSUP"), Some(Errno::EOPNOTSUPP));
        assert_eq!(Errno::from_name("EFAULT"), Some(Errno::EFAULT));
        assert_eq!(Errno::from_name("ENOIOCTLCMD"), Some(Errno::ENOIOCTLCMD));
        assert_eq!(Errno::from_name("EBOGUS"), None);
        for e in Errno::all() {
            assert_eq!(Errno::from_name(e.name().unwrap()), Some(e));
        }
        assert_eq!(Errno::all().count(), 131);
        assert_eq!(Errno::EHWPOISON.raw(), Errno::MAX_VISIBLE);
    }

    #[test]
    fn only_restart_codes_are_internal() {
        for raw in 512..=516 {
            let e = Errno::from_raw(raw);
            assert!(e.is_internal());
            assert_eq!(Errno::from_name(e.name().unwrap()), Some(e));
            assert_eq!(e.description(), None);
        }
        assert!(!Errno::EINTR.is_internal());
        assert!(!Errno::from_raw(517).is_internal());
    }

    #[test]
    fn return_values_decode_to_errnos() {
        assert_eq!(Errno::from_ret(-9), Some(Errno::EBADF));
        assert_eq!(Errno::from_ret(-4095), Some(Errno::from_raw(4095)));
        assert_eq!(Errno::from_ret(-4096), None);
        assert_eq!(Errno::from_ret(0), None);
        assert_eq!(Errno::from_ret(3), None);
    }
}
