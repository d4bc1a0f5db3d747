//! `ifplugstatus` (ifplugd 0.28's status tool) when the binary is called by
//! that name: the system calls of `ifplugd_core::ifplugstatus`, which
//! decides everything else.

use crate::args::Args;
use crate::netdev::NetDev;
use ifplugd_core::detect::{Method, Reading, IFF_UP};
use ifplugd_core::ifplugstatus::{self, Host, WlanQuality};
use ifplugd_core::IfName;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// Runs the tool if argv[0]'s last component is `ifplugstatus`. Not
/// inlined: the daemon's start-up in main stays as it was.
#[inline(never)]
pub fn by_name(args: Args) -> Option<u8> {
    // The last component of argv[0] is NAME.
    let dir = args.program().strip_suffix(ifplugstatus::NAME)?;
    if !matches!(dir.last(), None | Some(b'/')) {
        return None;
    }
    // 0.28 opens a socket for each interface; one, opened first, is the
    // same to the user.
    let mut sys = System {
        socket: crate::sys::socket(AddressFamily::INET, SocketType::DGRAM, SocketFlags::CLOEXEC)
            .map_err(|e| e.raw_os_error()),
        dev_list: None,
    };
    let code = ifplugstatus::run(&mut sys, args.map(|a| a.to_bytes()));
    // The process ends now: the kernel closes both.
    core::mem::forget(sys);
    Some(code)
}

struct System {
    socket: Result<OwnedFd, i32>,
    dev_list: Option<OwnedFd>,
}

impl System {
    /// The socket `socket()` opened (it is called before any probe).
    fn dev(&self) -> Option<NetDev<'_>> {
        Some(NetDev::new(self.socket.as_ref().ok()?.as_fd()))
    }
}

impl Host for System {
    fn write(&mut self, err: bool, bytes: &[u8]) {
        if err {
            crate::log::write_stderr(bytes);
        } else {
            crate::process::write_stdout(bytes);
        }
    }

    fn strerror(&self, errno: i32) -> Option<&'static str> {
        crate::strerror::text(errno)
    }

    fn socket(&mut self) -> Result<(), i32> {
        self.socket.as_ref().map(|_| ()).map_err(|&e| e)
    }

    fn probe(&mut self, name: &IfName, method: Method, up: bool) -> Result<Reading, i32> {
        let dev = self.dev().ok_or(0)?;
        if up {
            if let Ok(flags) = dev.flags(name) {
                if flags & IFF_UP == 0 {
                    let _ = dev.set_flags(name, flags | IFF_UP);
                }
            }
        }
        dev.probe(name, method).map_err(|e| e.errno)
    }

    fn wlan_quality(&mut self, name: &IfName) -> Option<WlanQuality> {
        let (qual, level, max_level) = self.dev()?.wlan_quality(name)?;
        Some(WlanQuality {
            qual,
            level,
            max_level,
        })
    }

    fn is_root(&self) -> bool {
        is_root()
    }

    fn read_dev_list(&mut self, buf: &mut [u8]) -> Result<usize, i32> {
        if self.dev_list.is_none() {
            let fd = crate::sys::open(
                c"/proc/net/dev",
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| e.raw_os_error())?;
            self.dev_list = Some(fd);
        }
        let Some(fd) = &self.dev_list else {
            return Ok(0);
        };
        // No signal handlers: a read of /proc is not interrupted.
        Ok(rustix::io::read(fd, buf).unwrap_or(0))
    }
}

#[cfg(not(all(target_arch = "mips", target_endian = "big")))]
fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

/// Big-endian MIPS: rustix's getuid is musl's there, with its errno
/// wrapper (112 B); the bare system call (getuid cannot fail) is enough.
#[cfg(all(target_arch = "mips", target_endian = "big"))]
fn is_root() -> bool {
    const GETUID: core::ffi::c_long = 4024;
    // SAFETY: getuid reads no memory.
    let uid = unsafe { crate::sys::sys4(GETUID, 0, 0, 0, 0) };
    uid == Ok(0)
}
