//! The sandbox's one network interface, `lo`, as programs ask about it:
//! the `SIOCGIF*` requests any socket answers (Linux's `dev_ioctl`).

use abi::socket::{
    IFNAMSIZ, IFREQ_SIZE, SIOCGIFADDR, SIOCGIFBRDADDR, SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFHWADDR,
    SIOCGIFINDEX, SIOCGIFMTU, SIOCGIFNAME, SIOCGIFNETMASK, SIOCGIFTXQLEN,
};
use abi::Errno;

use crate::mm::MemoryManager;

/// `lo`'s name, index and settings.
pub const NAME: &[u8] = b"lo";
pub const INDEX: i32 = 1;
pub const MTU: i32 = 65536;
pub const TXQLEN: i32 = 1000;
/// `IFF_UP | IFF_LOOPBACK | IFF_RUNNING`, and with `IFF_LOWER_UP` the
/// flags netlink reports.
pub const FLAGS: u16 = abi::socket::IFF_UP | abi::socket::IFF_LOOPBACK | abi::socket::IFF_RUNNING;
pub const FLAGS_ALL: u32 = FLAGS as u32 | 0x1_0000;
/// `ARPHRD_LOOPBACK`.
pub const ARPHRD_LOOPBACK: u16 = 772;
/// Its IPv4 address and prefix length.
pub const ADDR4: [u8; 4] = [127, 0, 0, 1];
pub const PREFIX4: u8 = 8;

/// Where the union of `struct ifreq` starts.
const IFR_DATA: usize = IFNAMSIZ;

/// A `sockaddr_in` of `ip`, port 0.
fn sockaddr_in(ip: [u8; 4]) -> [u8; 16] {
    let mut v = [0u8; 16];
    v[..2].copy_from_slice(
        &u16::try_from(abi::socket::AF_INET)
            .expect("small")
            .to_ne_bytes(),
    );
    v[4..8].copy_from_slice(&ip);
    v
}

/// An `ifreq` naming `lo`, its union filled with `data`.
fn ifreq(data: &[u8]) -> [u8; IFREQ_SIZE] {
    let mut r = [0u8; IFREQ_SIZE];
    r[..NAME.len()].copy_from_slice(NAME);
    r[IFR_DATA..IFR_DATA + data.len()].copy_from_slice(data);
    r
}

/// Answers a `SIOCGIF*` request; others are `ENOTTY`. A name other than
/// `lo`'s (or an index other than its) is `ENODEV`.
pub fn ioctl(req: u64, arg: u64, mm: &MemoryManager) -> Result<u64, Errno> {
    if req == SIOCGIFCONF {
        return ifconf(arg, mm);
    }
    let known = [
        SIOCGIFNAME,
        SIOCGIFFLAGS,
        SIOCGIFADDR,
        SIOCGIFBRDADDR,
        SIOCGIFNETMASK,
        SIOCGIFMTU,
        SIOCGIFHWADDR,
        SIOCGIFINDEX,
        SIOCGIFTXQLEN,
    ];
    if !known.contains(&req) {
        return Err(Errno::ENOTTY);
    }
    let mut r = [0u8; IFREQ_SIZE];
    mm.copy_in(arg, &mut r)?;
    if req == SIOCGIFNAME {
        let index = i32::from_ne_bytes(r[IFR_DATA..IFR_DATA + 4].try_into().expect("4 bytes"));
        if index != INDEX {
            return Err(Errno::ENODEV);
        }
        mm.copy_out(arg, &NAME_FIELD)?;
        return Ok(0);
    }
    let name = &r[..IFNAMSIZ - 1];
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    if &name[..end] != NAME {
        return Err(Errno::ENODEV);
    }
    let data: Vec<u8> = match req {
        SIOCGIFFLAGS => FLAGS.to_ne_bytes().to_vec(),
        SIOCGIFADDR => sockaddr_in(ADDR4).to_vec(),
        // `lo` has no broadcast address.
        SIOCGIFBRDADDR => sockaddr_in([0; 4]).to_vec(),
        SIOCGIFNETMASK => sockaddr_in([255, 0, 0, 0]).to_vec(),
        SIOCGIFMTU => MTU.to_ne_bytes().to_vec(),
        SIOCGIFHWADDR => {
            let mut v = vec![0u8; 16];
            v[..2].copy_from_slice(&ARPHRD_LOOPBACK.to_ne_bytes());
            v
        }
        SIOCGIFINDEX => INDEX.to_ne_bytes().to_vec(),
        SIOCGIFTXQLEN => TXQLEN.to_ne_bytes().to_vec(),
        _ => unreachable!("checked above"),
    };
    mm.copy_out(arg + IFR_DATA as u64, &data)?;
    Ok(0)
}

/// `lo`'s name as an `ifr_name` field.
const NAME_FIELD: [u8; IFNAMSIZ] = {
    let mut v = [0u8; IFNAMSIZ];
    v[0] = b'l';
    v[1] = b'o';
    v
};

/// `SIOCGIFCONF`: one `ifreq` per IPv4 address (`lo`'s one). With no
/// buffer, the length it needs; a buffer too small for one entry gets
/// none.
fn ifconf(arg: u64, mm: &MemoryManager) -> Result<u64, Errno> {
    let len: i32 = mm.read_obj(arg)?;
    let buf: u64 = mm.read_obj(arg + 8)?;
    let one = i32::try_from(IFREQ_SIZE).expect("small");
    let written = if buf == 0 {
        one
    } else if len >= one {
        mm.copy_out(buf, &ifreq(&sockaddr_in(ADDR4)))?;
        one
    } else {
        0
    };
    mm.write_obj(arg, &written)?;
    Ok(0)
}
