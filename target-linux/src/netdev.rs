//! The interface ioctls: flags, index, and the five ways of asking about the
//! link. Request numbers are the same on every architecture (they are not
//! `_IOC`-encoded), so they are spelled out here as in `<linux/sockios.h>`.

use core::ffi::c_void;
use ifplugd_core::detect::{Method, ProbeError, Reading, Step};
use ifplugd_core::kernel::IFNAMSIZ;
use ifplugd_core::IfName;
use rustix::fd::BorrowedFd;
use rustix::io::Errno;

/// A request number (`unsigned long` in the kernel's ioctl).
type Opcode = core::ffi::c_ulong;

const SIOCGIFFLAGS: Opcode = 0x8913 as Opcode;
const SIOCSIFFLAGS: Opcode = 0x8914 as Opcode;
const SIOCGIFINDEX: Opcode = 0x8933 as Opcode;
const SIOCETHTOOL: Opcode = 0x8946 as Opcode;
const SIOCGMIIPHY: Opcode = 0x8947 as Opcode;
const SIOCGMIIREG: Opcode = 0x8948 as Opcode;
const SIOCDEVPRIVATE: Opcode = 0x89F0 as Opcode;
const SIOCDEVPRIVATE_1: Opcode = 0x89F1 as Opcode;
const SIOCGIWAP: Opcode = 0x8B15 as Opcode;
#[cfg(feature = "ifplugstatus")]
const SIOCGIWRANGE: Opcode = 0x8B0B as Opcode;
#[cfg(feature = "ifplugstatus")]
const SIOCGIWSTATS: Opcode = 0x8B0F as Opcode;
const ETHTOOL_GLINK: u32 = 0x0000_000a;

/// `struct ifreq`: the name, then a union of at most 24 bytes (on 64-bit).
/// The kernel reads as much as its own `struct ifreq` (32 or 40 bytes).
#[repr(C)]
struct IfReq {
    name: [u8; IFNAMSIZ],
    data: IfReqData,
}

#[repr(C)]
union IfReqData {
    flags: i16,
    index: i32,
    pointer: *mut c_void,
    /// `struct mii_ioctl_data`: phy_id, reg_num, val_in, val_out.
    mii: [u16; 4],
    /// `struct sockaddr` of SIOCGIWAP (an `iwreq` has the same layout here).
    addr: [u8; 16],
    /// `struct iw_point` of an `iwreq` (SIOCGIWSTATS, SIOCGIWRANGE).
    #[cfg(feature = "ifplugstatus")]
    point: IwPoint,
    _size: [u64; 3],
}

/// `struct iw_point`: a buffer the kernel fills, its length, flags.
#[cfg(feature = "ifplugstatus")]
#[derive(Clone, Copy)]
#[repr(C)]
struct IwPoint {
    pointer: *mut c_void,
    length: u16,
    flags: u16,
}

/// `struct ethtool_value`.
#[repr(C)]
struct EthtoolValue {
    cmd: u32,
    data: u32,
}

/// An ioctl that reads and writes a `struct ifreq`, its opcode chosen at
/// run time.
#[cfg(not(target_arch = "mips"))]
struct Request<'r> {
    opcode: rustix::ioctl::Opcode,
    req: &'r mut IfReq,
}

// SAFETY: the opcode's argument is a pointer to a `struct ifreq`, which
// `as_ptr` gives; the kernel may write it (IS_MUTATING); there is no
// output beyond success.
#[cfg(not(target_arch = "mips"))]
unsafe impl rustix::ioctl::Ioctl for Request<'_> {
    type Output = ();
    const IS_MUTATING: bool = true;

    fn opcode(&self) -> rustix::ioctl::Opcode {
        self.opcode
    }

    fn as_ptr(&mut self) -> *mut c_void {
        (self.req as *mut IfReq).cast()
    }

    unsafe fn output_from_ptr(
        _: rustix::ioctl::IoctlOutput,
        _: *mut c_void,
    ) -> rustix::io::Result<()> {
        Ok(())
    }
}

/// The socket every ioctl goes through.
pub struct NetDev<'a> {
    fd: BorrowedFd<'a>,
}

impl<'a> NetDev<'a> {
    pub fn new(fd: BorrowedFd<'a>) -> Self {
        NetDev { fd }
    }

    /// Outlined on 32-bit targets: inlined, copying the name was ~400 B
    /// on MIPS (64-bit ones copy it in two moves).
    #[cfg_attr(target_pointer_width = "32", inline(never))]
    fn request(name: &IfName) -> IfReq {
        IfReq {
            name: *name.raw(),
            data: IfReqData { _size: [0; 3] },
        }
    }

    fn call<const OPCODE: Opcode>(&self, req: &mut IfReq) -> Result<(), Errno> {
        self.call_op(OPCODE as _, req)
    }

    /// The system call, in one copy (rustix's `Updater` takes the opcode as
    /// a const parameter, which makes one per request).
    #[cfg(not(target_arch = "mips"))]
    fn call_op(&self, opcode: rustix::ioctl::Opcode, req: &mut IfReq) -> Result<(), Errno> {
        // SAFETY: every request used here takes a `struct ifreq` (or the
        // same-sized `struct iwreq`) and `req` is one, fully initialised.
        unsafe { rustix::ioctl::ioctl(self.fd, Request { opcode, req }) }
    }

    /// MIPS: rustix goes through its libc backend there, whose
    /// ioctl() is musl's, with time64 conversions worth 1.2 KB; the bare
    /// system call does what we need.
    #[cfg(target_arch = "mips")]
    fn call_op(&self, opcode: Opcode, req: &mut IfReq) -> Result<(), Errno> {
        use rustix::fd::AsRawFd;
        // SAFETY: as above.
        unsafe { crate::sys::ioctl(self.fd.as_raw_fd(), opcode, (req as *mut IfReq).cast()) }
            .map_err(Errno::from_raw_os_error)
    }

    /// SIOCGIFFLAGS (netdevice(7)).
    #[doc(alias = "SIOCGIFFLAGS")]
    pub fn flags(&self, name: &IfName) -> Result<u32, Errno> {
        let mut req = Self::request(name);
        self.call::<SIOCGIFFLAGS>(&mut req)?;
        // SAFETY: the kernel filled `ifr_flags`; any bit pattern is an i16.
        Ok(u32::from(unsafe { req.data.flags } as u16))
    }

    /// SIOCSIFFLAGS (netdevice(7)): `ifr_flags` is a short.
    #[doc(alias = "SIOCSIFFLAGS")]
    pub fn set_flags(&self, name: &IfName, flags: u32) -> Result<(), Errno> {
        let mut req = Self::request(name);
        req.data.flags = flags as u16 as i16;
        self.call::<SIOCSIFFLAGS>(&mut req)
    }

    /// SIOCGIFINDEX (netdevice(7)).
    #[doc(alias = "SIOCGIFINDEX")]
    pub fn index(&self, name: &IfName) -> Result<u32, Errno> {
        let mut req = Self::request(name);
        self.call::<SIOCGIFINDEX>(&mut req)?;
        // SAFETY: the kernel filled `ifr_ifindex`.
        Ok(unsafe { req.data.index } as u32)
    }

    /// One detection method's ioctl(s), as BusyBox's `detect_link_*`.
    pub fn probe(&self, name: &IfName, method: Method) -> Result<Reading, ProbeError> {
        let fail = |step: Step| {
            move |e: Errno| ProbeError {
                step,
                errno: e.raw_os_error(),
            }
        };
        match method {
            Method::Ethtool => {
                let mut value = EthtoolValue {
                    cmd: ETHTOOL_GLINK,
                    data: 0,
                };
                let mut req = Self::request(name);
                req.data.pointer = (&mut value as *mut EthtoolValue).cast();
                self.call::<SIOCETHTOOL>(&mut req)
                    .map_err(fail(Step::EthtoolGlink))?;
                Ok(Reading::Ethtool(value.data))
            }
            Method::Mii => self
                .mii::<SIOCGMIIPHY, SIOCGMIIREG>(name)
                .map_err(|(first, e)| fail(if first { Step::MiiPhy } else { Step::MiiReg })(e)),
            Method::Private => {
                self.mii::<SIOCDEVPRIVATE, SIOCDEVPRIVATE_1>(name)
                    .map_err(|(first, e)| {
                        fail(if first {
                            Step::Private
                        } else {
                            Step::PrivateReg
                        })(e)
                    })
            }
            Method::Wlan => {
                let mut req = Self::request(name);
                self.call::<SIOCGIWAP>(&mut req).map_err(fail(Step::Iwap))?;
                // SAFETY: the kernel filled `u.ap_addr`, a sockaddr whose
                // sa_data starts at byte 2.
                let addr = unsafe { req.data.addr };
                let mut mac = [0u8; 6];
                mac.copy_from_slice(&addr[2..8]);
                Ok(Reading::WlanAp(mac))
            }
            Method::Iff => self
                .flags(name)
                .map(Reading::IfFlags)
                .map_err(fail(Step::IfFlags)),
        }
    }

    /// Ask for the PHY, then read its register 1 (BMSR). The error says
    /// whether the first call failed.
    fn mii<const PHY: Opcode, const REG: Opcode>(
        &self,
        name: &IfName,
    ) -> Result<Reading, (bool, Errno)> {
        let mut req = Self::request(name);
        self.call::<PHY>(&mut req).map_err(|e| (true, e))?;
        // SAFETY: the kernel filled `mii_ioctl_data`; we set reg_num.
        unsafe { req.data.mii[1] = 1 };
        self.call::<REG>(&mut req).map_err(|e| (false, e))?;
        // SAFETY: as above; val_out is the fourth u16.
        Ok(Reading::MiiBmsr(unsafe { req.data.mii[3] }))
    }

    /// ifplugd 0.28's wireless quality (`get_wlan_qual_new`): SIOCGIWSTATS
    /// (flags 1: clear the update bits), then SIOCGIWRANGE. Returns
    /// `qual.qual`, `qual.level` and `max_qual.level`.
    #[cfg(feature = "ifplugstatus")]
    pub fn wlan_quality(&self, name: &IfName) -> Option<(u8, u8, u8)> {
        // One buffer for both answers. struct iw_statistics: status (u16),
        // then qual {qual, level, noise, updated}, then counters; 32 bytes.
        // struct iw_range is about 1 KB and grows with the kernel's
        // headers; the kernel refuses a buffer shorter than its own.
        // max_qual sits at byte 44 (after throughput, min/max_nwid, the
        // old channel counts, event_capa[6] and sensitivity).
        let mut buf = [0u8; 2048];
        self.wext(name, SIOCGIWSTATS, &mut buf[..32], 1)?;
        let (qual, level) = (buf[2], buf[3]);
        self.wext(name, SIOCGIWRANGE, &mut buf, 0)?;
        Some((qual, level, buf[45]))
    }

    /// A wireless-extensions GET into `buf`.
    #[cfg(feature = "ifplugstatus")]
    fn wext(&self, name: &IfName, opcode: Opcode, buf: &mut [u8], flags: u16) -> Option<()> {
        let mut req = Self::request(name);
        req.data.point = IwPoint {
            pointer: buf.as_mut_ptr().cast(),
            length: u16::try_from(buf.len()).unwrap_or(u16::MAX),
            flags,
        };
        self.call_op(opcode as _, &mut req).ok()
    }
}
