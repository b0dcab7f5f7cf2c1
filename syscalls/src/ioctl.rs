//! ioctl requests of terminals and files (<asm-generic/ioctls.h>).

named_consts! {
    /// The name of ioctl request `req`, "TCGETS".
    pub fn ioctl_name(u64) {
        TCGETS = 0x5401,
        TCSETS = 0x5402,
        TCSETSW = 0x5403,
        TCSETSF = 0x5404,
        TCGETA = 0x5405,
        TCSETA = 0x5406,
        TCSETAW = 0x5407,
        TCSETAF = 0x5408,
        TCSBRK = 0x5409,
        TCXONC = 0x540a,
        TCFLSH = 0x540b,
        TIOCEXCL = 0x540c,
        TIOCNXCL = 0x540d,
        TIOCSCTTY = 0x540e,
        TIOCGPGRP = 0x540f,
        TIOCSPGRP = 0x5410,
        TIOCOUTQ = 0x5411,
        TIOCSTI = 0x5412,
        TIOCGWINSZ = 0x5413,
        TIOCSWINSZ = 0x5414,
        TIOCMGET = 0x5415,
        TIOCMBIS = 0x5416,
        TIOCMBIC = 0x5417,
        TIOCMSET = 0x5418,
        TIOCGSOFTCAR = 0x5419,
        TIOCSSOFTCAR = 0x541a,
        /// Bytes ready to read (`TIOCINQ` on terminals).
        FIONREAD = 0x541b,
        TIOCLINUX = 0x541c,
        TIOCCONS = 0x541d,
        TIOCGSERIAL = 0x541e,
        TIOCSSERIAL = 0x541f,
        TIOCPKT = 0x5420,
        FIONBIO = 0x5421,
        TIOCNOTTY = 0x5422,
        TIOCSETD = 0x5423,
        TIOCGETD = 0x5424,
        TCSBRKP = 0x5425,
        TIOCSBRK = 0x5427,
        TIOCCBRK = 0x5428,
        TIOCGSID = 0x5429,
        TCGETS2 = 0x802c_542a,
        TCSETS2 = 0x402c_542b,
        TCSETSW2 = 0x402c_542c,
        TCSETSF2 = 0x402c_542d,
        TIOCGPTN = 0x8004_5430,
        TIOCSPTLCK = 0x4004_5431,
        TIOCGDEV = 0x8004_5432,
        TIOCSIG = 0x4004_5436,
        TIOCVHANGUP = 0x5437,
        TIOCGPKT = 0x8004_5438,
        TIOCGPTLCK = 0x8004_5439,
        TIOCGEXCL = 0x8004_5440,
        TIOCGPTPEER = 0x5441,
        FIONCLEX = 0x5450,
        FIOCLEX = 0x5451,
        FIOASYNC = 0x5452,
        FIOQSIZE = 0x5460,
        FIOSETOWN = 0x8901,
        SIOCSPGRP = 0x8902,
        FIOGETOWN = 0x8903,
        SIOCGPGRP = 0x8904,
    }
}

/// `FIONREAD` by its terminal name.
pub const TIOCINQ: u64 = FIONREAD;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_names() {
        assert_eq!(ioctl_name(TIOCGWINSZ), Some("TIOCGWINSZ"));
        assert_eq!(ioctl_name(TIOCINQ), Some("FIONREAD"));
        assert_eq!(ioctl_name(0x8004_5430), Some("TIOCGPTN"));
        assert_eq!(ioctl_name(0x5426), None);
    }
}
