//! Log lines go to stderr as "ifplugd(IFACE): text", and, unless `-s`, to
//! syslog (facility daemon, ident "ifplugd(IFACE)") through /dev/log, as
//! BusyBox does with `logmode = LOGMODE_STDIO | LOGMODE_SYSLOG`.

use heapless::String;
use ifplugd_core::messages::{write_line, Message, Severity};
use rustix::fd::OwnedFd;
use rustix::net::{AddressFamily, SendFlags, SocketAddrUnix, SocketFlags, SocketType};

/// LOG_DAEMON | LOG_ERR and LOG_DAEMON | LOG_INFO. BusyBox logs every line
/// at LOG_ERR; routine lines at LOG_INFO are ours (and BusyBox 1.36's).
const ERR: &str = "<27>";
const INFO: &str = "<30>";
/// Both priorities are this long.
const PRI_LEN: usize = 4;
const LINE_MAX: usize = 1024;

pub struct Logger<'a> {
    iface: &'a str,
    syslog: Option<OwnedFd>,
}

impl<'a> Logger<'a> {
    /// Logs to stderr only, with BusyBox's prefix for this interface.
    pub const fn new(iface: &'a str) -> Self {
        Logger {
            iface,
            syslog: None,
        }
    }

    /// Adds syslog. If /dev/log cannot be reached, lines still go to
    /// stderr and the reason is said there once.
    pub fn open_syslog(&mut self) {
        self.syslog = connect_syslog();
    }

    pub fn log(&mut self, msg: &Message<'_>) {
        // One buffer: "<PRI>" for syslog, then the line as stderr gets it.
        let mut buf: String<LINE_MAX> = String::new();
        let _ = buf.push_str(match msg.severity() {
            Severity::Info => INFO,
            Severity::Error => ERR,
        });
        // A line too long for the buffer is cut, not lost.
        if write_line(&mut buf, self.iface, msg, crate::strerror::text).is_err() {
            let _ = buf.pop();
            let _ = buf.push('\n');
        }
        let bytes = buf.as_bytes();
        write_stderr(bytes.get(PRI_LEN..).unwrap_or(&[]));
        let packet = bytes.get(..bytes.len().saturating_sub(1)).unwrap_or(&[]);
        if let Some(fd) = &self.syslog {
            if rustix::net::send(fd, packet, SendFlags::NOSIGNAL).is_err() {
                // syslogd restarted: connect once more and retry.
                self.syslog = connect_syslog();
                if let Some(fd) = &self.syslog {
                    let _ = rustix::net::send(fd, packet, SendFlags::NOSIGNAL);
                }
            }
        }
    }
}

fn connect_syslog() -> Option<OwnedFd> {
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        None,
    )
    .ok()?;
    let addr = SocketAddrUnix::new(c"/dev/log").ok()?;
    rustix::net::connect(&fd, &addr).ok()?;
    Some(fd)
}

/// Writes all of `bytes` to stderr, ignoring errors (stderr may be closed).
pub fn write_stderr(mut bytes: &[u8]) {
    // SAFETY: fd 2 is only borrowed for this write; if it is closed the
    // write fails with EBADF, which is ignored.
    let fd = unsafe { rustix::stdio::stderr() };
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return,
            Ok(n) => bytes = bytes.get(n..).unwrap_or(&[]),
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return,
        }
    }
}
