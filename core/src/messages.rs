//! Every line ifplugd logs, word for word as BusyBox's ifplugd logs it
//! (plus the few lines for things BusyBox does not do).
//!
//! A message that BusyBox prints with `bb_perror_msg` carries an errno; the
//! host appends ": strerror" since only it knows the C library's texts.
//!
//! Names and paths are bytes, as Linux and BusyBox take them (a Latin-1
//! script path is legitimate), so lines are written into a byte buffer,
//! [`Line`], not a `str`.

use crate::detect::{Method, ProbeError, Status};
use ufmt::{uWrite, uwrite};

/// A `ufmt` writer that also takes bytes that need not be UTF-8.
pub trait WriteBytes: uWrite {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
}

/// A log line being built: at most `N` bytes.
#[derive(Default)]
pub struct Line<const N: usize> {
    buf: heapless::Vec<u8, N>,
}

/// The line is full: what did not fit was left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl<const N: usize> Line<N> {
    pub const fn new() -> Self {
        Line {
            buf: heapless::Vec::new(),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Drops the last byte (to make room for a newline in a full line).
    pub fn pop(&mut self) {
        let _ = self.buf.pop();
    }

    /// Keeps the first `len` bytes.
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl<const N: usize> uWrite for Line<N> {
    type Error = Full;
    fn write_str(&mut self, s: &str) -> Result<(), Full> {
        self.write_bytes(s.as_bytes())
    }
}

impl<const N: usize> WriteBytes for Line<N> {
    /// Writes what fits: a line too long is cut, not lost.
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), Full> {
        let room = N - self.buf.len();
        let fits = bytes.get(..room).unwrap_or(bytes);
        let _ = self.buf.extend_from_slice(fits);
        if fits.len() < bytes.len() {
            Err(Full)
        } else {
            Ok(())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// "started: BANNER"
    Started,
    UppingInterface,
    GetFlagsFailed(i32),
    SetFlagsFailed(i32),
    ProbeFailed(ProbeError),
    UsingMode(Method),
    FailedToDetect,
    InterfaceExists,
    InterfaceWaiting,
    LinkIs(Status),
    Executing {
        script: &'a [u8],
        iface: &'a [u8],
        action: Status,
    },
    /// Ours: BusyBox says only "exit code: 255" when exec fails.
    CantExecute {
        script: &'a [u8],
        errno: i32,
    },
    /// Ours: said before "exit code" when the script died of a signal.
    KilledBySignal(u8),
    ExitCode(u8),
    InterfaceAppeared,
    InterfaceDisappeared,
    /// Ours: the netlink socket overflowed; we re-read the state.
    NetlinkOverrun,
    NetlinkTruncated,
    NetlinkRecvFailed(i32),
    PollFailed(i32),
    Exiting,
    DaemonRunning,
    /// `-m` with a value whose first letter names no mode.
    UnknownApiMode(&'a [u8]),
    /// Ours: the script was stopped because the daemon was told to exit.
    ScriptStopped,
    /// Every slot of the daemon's table is taken: this interface is not
    /// watched.
    TooManyInterfaces,
    /// A system call the daemon cannot go on without failed; with errno
    /// 0, `what` alone says what is wrong.
    Failed {
        what: &'a str,
        errno: i32,
    },
}

const EPERM: i32 = 1;

/// How serious a line is: its syslog level (stderr does not show it).
/// BusyBox logs every line at LOG_ERR; we log routine lines at LOG_INFO,
/// as BusyBox 1.36 does, so that "link is up" trips no error alerting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// LOG_ERR: something failed.
    Error,
    /// LOG_INFO: the daemon at work.
    Info,
}

/// The banner after "started: ".
pub const BANNER: &str = concat!("ifplugd-rs v", env!("CARGO_PKG_VERSION"));

impl Message<'_> {
    /// The errno to append as ": strerror", BusyBox's `bb_perror_msg`.
    pub fn errno(&self) -> Option<i32> {
        match *self {
            Message::Failed { errno: 0, .. } => None,
            Message::GetFlagsFailed(e)
            | Message::SetFlagsFailed(e)
            | Message::NetlinkRecvFailed(e)
            | Message::PollFailed(e)
            | Message::CantExecute { errno: e, .. }
            | Message::Failed { errno: e, .. } => Some(e),
            Message::ProbeFailed(p) => Some(p.errno),
            _ => None,
        }
    }

    /// The line's syslog level: failures are errors, the rest routine.
    pub fn severity(&self) -> Severity {
        let routine = match *self {
            Message::LinkIs(s) => s != Status::Error,
            Message::ExitCode(code) => code == 0,
            _ => matches!(
                self,
                Message::Started
                    | Message::UppingInterface
                    | Message::UsingMode(_)
                    | Message::InterfaceExists
                    | Message::InterfaceWaiting
                    | Message::Executing { .. }
                    | Message::InterfaceAppeared
                    | Message::InterfaceDisappeared
                    | Message::Exiting
                    | Message::ScriptStopped
            ),
        };
        if routine {
            Severity::Info
        } else {
            Severity::Error
        }
    }
}

impl Message<'_> {
    /// The text after "ifplugd(IFACE): ".
    pub fn write<W: WriteBytes + ?Sized>(&self, f: &mut W) -> Result<(), W::Error> {
        match *self {
            Message::Started => uwrite!(f, "started: {}", BANNER),
            Message::UppingInterface => f.write_str("upping interface"),
            Message::GetFlagsFailed(_) => f.write_str("can't get interface flags"),
            Message::SetFlagsFailed(_) => f.write_str("can't set interface flags"),
            Message::ProbeFailed(p) => f.write_str(p.step.failure_text()),
            Message::UsingMode(m) => uwrite!(f, "using {} detection mode", m.mode_name()),
            Message::FailedToDetect => f.write_str("failed to detect link status"),
            Message::InterfaceExists => f.write_str("interface exists"),
            Message::InterfaceWaiting => f.write_str("interface doesn't exist, waiting"),
            Message::LinkIs(s) => uwrite!(f, "link is {}", s),
            Message::Executing {
                script,
                iface,
                action,
            } => {
                f.write_str("executing '")?;
                f.write_bytes(script)?;
                f.write_str(" ")?;
                f.write_bytes(iface)?;
                uwrite!(f, " {}'", action)
            }
            Message::CantExecute { script, .. } => {
                f.write_str("can't execute '")?;
                f.write_bytes(script)?;
                f.write_str("'")
            }
            Message::KilledBySignal(sig) => uwrite!(f, "script killed by signal {}", sig),
            Message::ExitCode(code) => uwrite!(f, "exit code: {}", code),
            Message::InterfaceAppeared => f.write_str("interface appeared"),
            Message::InterfaceDisappeared => f.write_str("interface disappeared"),
            Message::NetlinkOverrun => {
                f.write_str("netlink: messages lost, re-reading interface state")
            }
            Message::NetlinkTruncated => f.write_str("netlink packet too small or truncated"),
            Message::NetlinkRecvFailed(_) => f.write_str("netlink: recv"),
            Message::PollFailed(_) => f.write_str("poll"),
            Message::Exiting => f.write_str("exiting"),
            Message::DaemonRunning => f.write_str("daemon already running"),
            Message::UnknownApiMode(mode) => {
                f.write_str("unknown API mode '")?;
                f.write_bytes(mode)?;
                f.write_str("'")
            }
            Message::ScriptStopped => f.write_str("stopping script"),
            Message::TooManyInterfaces => f.write_str("too many interfaces, not watched"),
            Message::Failed { what, .. } => f.write_str(what),
        }
    }
}

/// A line as BusyBox writes it to stderr: "ifplugd(IFACE): text[: strerror]\n".
/// `strerror` turns an errno into the C library's text; for one it has no
/// text for, the line ends in "error N".
pub fn write_line<W: WriteBytes + ?Sized>(
    w: &mut W,
    iface: &[u8],
    msg: &Message<'_>,
    strerror: impl Fn(i32) -> Option<&'static str>,
) -> Result<(), W::Error> {
    w.write_str("ifplugd(")?;
    w.write_bytes(iface)?;
    w.write_str("): ")?;
    msg.write(w)?;
    if let Some(e) = msg.errno() {
        match strerror(e) {
            Some(text) => uwrite!(w, ": {}", text)?,
            None => uwrite!(w, ": error {}", e)?,
        }
        // The one fatal failure a user without privileges meets: say why.
        if matches!(msg, Message::SetFlagsFailed(_)) && e == EPERM {
            w.write_str(" (needs root or CAP_NET_ADMIN)")?;
        }
    }
    w.write_str("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Step;
    use heapless::String;

    fn text(m: Message<'_>) -> String<128> {
        let mut s = Line::<128>::new();
        write_line(&mut s, b"eth0", &m, |_| Some("No such device")).unwrap();
        lossy(&s)
    }

    fn lossy<const N: usize>(line: &Line<N>) -> String<N> {
        let mut s = String::new();
        for &b in line.as_bytes() {
            let _ = s.push(char::from(b));
        }
        s
    }

    #[test]
    fn busybox_wording() {
        assert_eq!(
            text(Message::LinkIs(Status::Up)),
            "ifplugd(eth0): link is up\n"
        );
        assert_eq!(
            text(Message::Executing {
                script: b"/etc/ifplugd/ifplugd.action",
                iface: b"eth0",
                action: Status::Down
            }),
            "ifplugd(eth0): executing '/etc/ifplugd/ifplugd.action eth0 down'\n"
        );
        assert_eq!(
            text(Message::ExitCode(255)),
            "ifplugd(eth0): exit code: 255\n"
        );
        assert_eq!(
            text(Message::UsingMode(Method::Ethtool)),
            "ifplugd(eth0): using SIOCETHTOOL detection mode\n"
        );
        assert_eq!(
            text(Message::UsingMode(Method::Wlan)),
            "ifplugd(eth0): using wireless extension detection mode\n"
        );
        assert_eq!(
            text(Message::InterfaceWaiting),
            "ifplugd(eth0): interface doesn't exist, waiting\n"
        );
        assert_eq!(text(Message::Exiting), "ifplugd(eth0): exiting\n");
    }

    #[test]
    fn perror_style_lines_carry_strerror() {
        assert_eq!(
            text(Message::GetFlagsFailed(19)),
            "ifplugd(eth0): can't get interface flags: No such device\n"
        );
        assert_eq!(
            text(Message::ProbeFailed(ProbeError {
                step: Step::EthtoolGlink,
                errno: 19
            })),
            "ifplugd(eth0): ETHTOOL_GLINK failed: No such device\n"
        );
    }

    #[test]
    fn permission_hint() {
        let mut s = Line::<128>::new();
        write_line(&mut s, b"eth0", &Message::SetFlagsFailed(1), |_| {
            Some("Operation not permitted")
        })
        .unwrap();
        assert_eq!(
            lossy(&s),
            "ifplugd(eth0): can't set interface flags: Operation not permitted (needs root or CAP_NET_ADMIN)\n"
        );
    }

    #[test]
    fn an_errno_without_text_is_given_by_number() {
        let mut s = Line::<128>::new();
        write_line(&mut s, b"eth0", &Message::PollFailed(4095), |_| None).unwrap();
        assert_eq!(lossy(&s), "ifplugd(eth0): poll: error 4095\n");
    }

    #[test]
    fn routine_lines_are_info_failures_errors() {
        let info = [
            Message::Started,
            Message::UppingInterface,
            Message::UsingMode(Method::Mii),
            Message::InterfaceExists,
            Message::InterfaceWaiting,
            Message::LinkIs(Status::Up),
            Message::LinkIs(Status::Down),
            Message::Executing {
                script: b"s",
                iface: b"eth0",
                action: Status::Up,
            },
            Message::ExitCode(0),
            Message::InterfaceAppeared,
            Message::InterfaceDisappeared,
            Message::Exiting,
            Message::ScriptStopped,
        ];
        for m in info {
            assert_eq!(m.severity(), Severity::Info, "{m:?}");
        }
        let errors = [
            Message::LinkIs(Status::Error),
            Message::GetFlagsFailed(19),
            Message::SetFlagsFailed(1),
            Message::ProbeFailed(ProbeError {
                step: Step::EthtoolGlink,
                errno: 19,
            }),
            Message::FailedToDetect,
            Message::CantExecute {
                script: b"s",
                errno: 2,
            },
            Message::KilledBySignal(9),
            Message::ExitCode(1),
            Message::ExitCode(255),
            Message::NetlinkOverrun,
            Message::NetlinkTruncated,
            Message::NetlinkRecvFailed(105),
            Message::PollFailed(4),
            Message::DaemonRunning,
            Message::Failed {
                what: "fork",
                errno: 12,
            },
        ];
        for m in errors {
            assert_eq!(m.severity(), Severity::Error, "{m:?}");
        }
    }

    #[test]
    fn a_failure_without_errno_is_said_alone() {
        let m = Message::Failed {
            what: "pid file is not a regular file: not used",
            errno: 0,
        };
        assert_eq!(
            text(m),
            "ifplugd(eth0): pid file is not a regular file: not used\n"
        );
    }

    #[test]
    fn a_full_buffer_is_an_error_not_a_panic() {
        let mut s = Line::<8>::new();
        assert!(write_line(&mut s, b"eth0", &Message::Exiting, |_| None).is_err());
    }

    #[test]
    fn names_and_paths_are_written_as_bytes() {
        let mut s = Line::<128>::new();
        let msg = Message::Executing {
            script: b"/etc/caf\xe9",
            iface: b"e\xff",
            action: Status::Up,
        };
        write_line(&mut s, b"e\xff", &msg, |_| None).unwrap();
        assert_eq!(
            s.as_bytes(),
            b"ifplugd(e\xff): executing '/etc/caf\xe9 e\xff up'\n"
        );
    }
}
