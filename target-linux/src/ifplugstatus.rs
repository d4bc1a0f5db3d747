//! `ifplugstatus` (ifplugd 0.28's status tool) when the binary is called by
//! that name: the system calls of `ifplugd_core::ifplugstatus`, which
//! decides everything else.

use crate::args::Args;
use crate::netdev::NetDev;
use ifplugd_core::IfName;
use ifplugd_core::detect::{Method, ProbeError, Reading, IFF_UP};
use ifplugd_core::ifplugstatus::{self, Host, WlanQuality};
use ifplugd_core::kernel::IFNAMSIZ;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// Runs the tool if argv[0]'s last component is `ifplugstatus`. Not
/// inlined: the daemon's start-up in main stays as it was.
#[inline(never)]
pub fn by_name(args: Args) -> Option<u8> {
    let prog = args.program();
    let name = prog.rsplit(|&b| b == b'/').next().unwrap_or(prog);
    if name != b"ifplugstatus" {
        return None;
    }
    let mut sys = System {
        socket: None,
        dev_list: None,
    };
    Some(ifplugstatus::run(
        &mut sys,
        prog,
        args.map(|a| a.to_bytes()),
    ))
}

struct System {
    socket: Option<OwnedFd>,
    dev_list: Option<OwnedFd>,
}

impl System {
    /// The socket `socket()` opened (it is called before any probe).
    fn dev(&self, iface: &[u8]) -> Option<(NetDev<'_>, IfName)> {
        // 0.28 strncpy()s the name into IFNAMSIZ - 1 bytes.
        let name = IfName::new(iface.get(..IFNAMSIZ - 1).unwrap_or(iface))?;
        Some((NetDev::new(self.socket.as_ref()?.as_fd()), name))
    }
}

impl Host for System {
    fn stdout(&mut self, bytes: &[u8]) {
        crate::process::write_stdout(bytes);
    }

    fn stderr(&mut self, bytes: &[u8]) {
        crate::log::write_stderr(bytes);
    }

    fn strerror(&self, errno: i32) -> Option<&'static str> {
        crate::strerror::text(errno)
    }

    fn socket(&mut self) -> Result<(), i32> {
        if self.socket.is_none() {
            let fd = rustix::net::socket_with(
                AddressFamily::INET,
                SocketType::DGRAM,
                SocketFlags::CLOEXEC,
                None,
            )
            .map_err(|e| e.raw_os_error())?;
            self.socket = Some(fd);
        }
        Ok(())
    }

    fn up(&mut self, iface: &[u8]) {
        if let Some((dev, name)) = self.dev(iface) {
            if let Ok(flags) = dev.flags(&name) {
                if flags & IFF_UP == 0 {
                    let _ = dev.set_flags(&name, flags | IFF_UP);
                }
            }
        }
    }

    fn probe(&mut self, iface: &[u8], method: Method) -> Result<Reading, ProbeError> {
        match self.dev(iface) {
            Some((dev, name)) => dev.probe(&name, method),
            // Too long a name cannot happen (it is cut), no socket neither.
            None => Err(ProbeError {
                step: ifplugd_core::detect::Step::IfFlags,
                errno: rustix::io::Errno::NODEV.raw_os_error(),
            }),
        }
    }

    fn wlan_quality(&mut self, iface: &[u8]) -> Option<WlanQuality> {
        let (dev, name) = self.dev(iface)?;
        let (qual, level, max_level) = dev.wlan_quality(&name)?;
        Some(WlanQuality {
            qual,
            level,
            max_level,
        })
    }

    fn is_root(&self) -> bool {
        rustix::process::getuid().is_root()
    }

    fn open_dev_list(&mut self) -> Result<(), i32> {
        let fd = rustix::fs::open(
            c"/proc/net/dev",
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| e.raw_os_error())?;
        self.dev_list = Some(fd);
        Ok(())
    }

    fn read_dev_list(&mut self, buf: &mut [u8]) -> usize {
        let Some(fd) = &self.dev_list else {
            return 0;
        };
        loop {
            match rustix::io::read(fd, &mut *buf) {
                Err(rustix::io::Errno::INTR) => continue,
                Ok(n) => return n,
                Err(_) => return 0,
            }
        }
    }
}
