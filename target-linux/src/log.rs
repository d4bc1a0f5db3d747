//! Log lines go to stderr as "ifplugd(IFACE): text", and, unless `-s`, to
//! syslog (facility daemon, ident "ifplugd(IFACE)") through /dev/log, as
//! BusyBox does with `logmode = LOGMODE_STDIO | LOGMODE_SYSLOG`.
//!
//! Neither may ever stop the daemon: a syslog reader that stops reading
//! or a full stderr pipe would otherwise block it in a write, deaf to
//! SIGTERM too (the C libraries' `syslog()` blocks so). A line that cannot
//! go at once is dropped. Syslog's are counted, and the count is said
//! there after the next line it takes: "syslog: lines dropped: N". Stderr's
//! go uncounted (a few bytes of code each, and the budget is tight), and
//! once its reader is gone (EPIPE) nothing more is written there.

use ifplugd_core::messages::{write_text, Line, Message, WriteBytes};
use rustix::event::{PollFd, PollFlags};
use rustix::fd::OwnedFd;
use rustix::io::Errno;
use rustix::net::addr::{SocketAddrArg, SocketAddrLen, SocketAddrOpaque};
use rustix::net::{AddressFamily, SendFlags, SocketFlags, SocketType};
use ufmt::uWrite;

/// Each severity's "<PRI>", indexed by `Severity` (a table, one load):
/// LOG_DAEMON | LOG_ERR and LOG_DAEMON | LOG_INFO. BusyBox logs every line
/// at LOG_ERR; routine lines at LOG_INFO are ours (and BusyBox 1.36's).
/// LOG_DAEMON | LOG_WARNING: the script's output, at 0.28's level.
const PRI: [&[u8; PRI_LEN]; 3] = [b"<27>", b"<30>", b"<28>"];
/// Both priorities are this long.
const PRI_LEN: usize = 4;
const LINE_MAX: usize = 1024;

pub struct Logger {
    /// The socket to /dev/log, if syslog is asked for and reached.
    syslog: Option<OwnedFd>,
    /// Lines syslog did not take since it last took one.
    dropped: u32,
    /// Stderr's reader is gone (EPIPE): write no more there.
    stderr_gone: bool,
}

impl Logger {
    /// Logs to stderr only.
    pub const fn new() -> Self {
        Logger {
            syslog: None,
            dropped: 0,
            stderr_gone: false,
        }
    }

    /// Adds syslog. While /dev/log cannot be reached, lines still go to
    /// stderr, and the ones syslog missed are counted.
    pub fn open_syslog(&mut self) {
        self.syslog = connect_syslog();
    }

    /// Logs one line with BusyBox's prefix `ifplugd(WHO): `: an interface,
    /// or the instance.
    pub fn log(&mut self, who: &[u8], msg: &Message<'_>) {
        // One buffer: "<PRI>" for syslog, then the line as stderr gets it.
        let mut buf = Line::<LINE_MAX>::new();
        let _ = buf.write_bytes(PRI[msg.severity() as usize]);
        write_text(&mut buf, who, msg, crate::strerror::text);
        // A line too long for the buffer is cut, not lost: its last byte
        // makes room for the newline.
        if buf.is_full() {
            buf.pop();
        }
        let _ = buf.write_str("\n");
        self.emit(&mut buf, who.len());
    }

    /// "<PRI>ifplugd(WHO): text\n" to both sinks, never waiting.
    fn emit(&mut self, line: &mut Line<LINE_MAX>, who_len: usize) {
        let bytes = line.as_bytes();
        if !self.stderr_gone {
            // Its reader is gone: a closed pipe, not a full one.
            self.stderr_gone = matches!(
                stderr_now(bytes.get(PRI_LEN..).unwrap_or(&[])),
                Err(Errno::PIPE)
            );
        }
        if self.syslog.is_none() {
            return;
        }
        let sock = &mut self.syslog;
        // Syslog takes the line without its newline. One it cannot take
        // now is counted; after the next one it takes, it is told how many
        // it missed.
        if to_syslog(
            sock,
            bytes.get(..bytes.len().saturating_sub(1)).unwrap_or(&[]),
        )
        .is_err()
        {
            self.dropped = self.dropped.wrapping_add(1);
            return;
        }
        if self.dropped > 0 {
            // The same "<PRI>ifplugd(IFACE): " at LOG_ERR, then the count.
            line.truncate(PRI_LEN + "ifplugd(): ".len() + who_len);
            if let Some(pri) = line.bytes_mut().get_mut(1..3) {
                pri.copy_from_slice(b"27");
            }
            let _ = ufmt::uwrite!(line, "syslog: lines dropped: {}", self.dropped);
            if to_syslog(sock, line.as_bytes()).is_ok() {
                self.dropped = 0;
            }
        }
    }
}

/// Sends one packet to syslog without waiting: a reader that does not
/// read makes it fail with EAGAIN, and the socket is kept. Any other
/// failure (syslogd restarted) connects anew and tries once more.
fn to_syslog(sock: &mut Option<OwnedFd>, packet: &[u8]) -> Result<(), Errno> {
    let Some(fd) = sock else {
        return Ok(());
    };
    match send(fd, packet) {
        Err(e) if e != Errno::AGAIN => {
            *sock = connect_syslog();
            match sock {
                Some(fd) => send(fd, packet),
                None => Err(e),
            }
        }
        sent => sent,
    }
}

/// One copy for both of to_syslog's sends (smaller on MIPS).
#[inline(never)]
fn send(fd: &OwnedFd, packet: &[u8]) -> Result<(), Errno> {
    rustix::net::send(fd, packet, SendFlags::NOSIGNAL | SendFlags::DONTWAIT).map(|_| ())
}

fn connect_syslog() -> Option<OwnedFd> {
    let fd =
        crate::sys::socket(AddressFamily::UNIX, SocketType::DGRAM, SocketFlags::CLOEXEC).ok()?;
    rustix::net::connect(&fd, &DEV_LOG).ok()?;
    Some(fd)
}

/// "/dev/log" as a `struct sockaddr_un`, made at compile time: the same
/// 11 bytes `SocketAddrUnix::new` makes at run time, with no code to
/// clear and fill 110.
#[repr(C, align(2))]
struct DevLog([u8; 11]);

static DEV_LOG: DevLog = {
    let family = AddressFamily::UNIX.as_raw().to_ne_bytes();
    let mut addr = [0; 11];
    addr[0] = family[0];
    addr[1] = family[1];
    let path = b"/dev/log";
    let mut i = 0;
    while i < path.len() {
        addr[2 + i] = path[i];
        i += 1;
    }
    DevLog(addr)
};

// SAFETY: the pointer and length are those of a whole sockaddr_un (the
// family, then the path and its NUL), valid for as long as `self` is.
unsafe impl SocketAddrArg for DevLog {
    unsafe fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const SocketAddrOpaque, SocketAddrLen) -> R,
    ) -> R {
        f(self.0.as_ptr().cast(), self.0.len() as SocketAddrLen)
    }
}

/// Writes `bytes` to stderr if it can take them now, ignoring errors
/// (stderr may be closed, full or gone).
pub fn write_stderr(bytes: &[u8]) {
    let _ = stderr_now(bytes);
}

/// Writes `bytes` to stderr without ever waiting: EAGAIN when it cannot
/// take them now. Stderr is shared with whoever started us (and, with
/// `-n`, the script), so it is not made O_NONBLOCK, which would change it
/// for them too; instead a zero-timeout poll says whether a write would
/// wait. A pipe that says it would not has a page free: a line of ours
/// (at most 1 KiB, less than PIPE_BUF) then goes at once and whole.
fn stderr_now(bytes: &[u8]) -> Result<(), Errno> {
    // SAFETY: fd 2 is only borrowed for this write; if it is closed the
    // write fails with EBADF.
    let fd = unsafe { rustix::stdio::stderr() };
    // Any event (POLLERR or POLLHUP too) means the write will not wait.
    let mut fds = [PollFd::new(&fd, PollFlags::OUT)];
    if crate::sys::poll(&mut fds, 0) != Ok(1) {
        return Err(Errno::AGAIN);
    }
    rustix::io::write(fd, bytes).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ifplugd_core::messages::Severity;

    #[test]
    fn each_severity_has_its_syslog_priority() {
        assert_eq!(PRI[Severity::Error as usize], b"<27>");
        assert_eq!(PRI[Severity::Info as usize], b"<30>");
        #[cfg(feature = "script-log")]
        assert_eq!(PRI[Severity::Warning as usize], b"<28>");
    }
}
