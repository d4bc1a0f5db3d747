//! Every line ifplugd logs, word for word as BusyBox's ifplugd logs it
//! (plus the few lines for things BusyBox does not do).
//!
//! A message that BusyBox prints with `bb_perror_msg` carries an errno; the
//! host appends ": strerror" since only it knows the C library's texts.

use crate::detect::{Method, ProbeError, Status};
use ufmt::{uDisplay, uWrite, uwrite, Formatter};

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
        script: &'a str,
        iface: &'a str,
        action: Status,
    },
    /// Ours: BusyBox says only "exit code: 255" when exec fails.
    CantExecute {
        script: &'a str,
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
    /// Ours: the script was stopped because the daemon was told to exit.
    ScriptStopped,
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

impl uDisplay for Message<'_> {
    fn fmt<W: uWrite + ?Sized>(&self, f: &mut Formatter<'_, W>) -> Result<(), W::Error> {
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
            } => uwrite!(f, "executing '{} {} {}'", script, iface, action),
            Message::CantExecute { script, .. } => uwrite!(f, "can't execute '{}'", script),
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
            Message::ScriptStopped => f.write_str("stopping script"),
            Message::Failed { what, .. } => f.write_str(what),
        }
    }
}

/// A line as BusyBox writes it to stderr: "ifplugd(IFACE): text[: strerror]\n".
/// `strerror` turns an errno into the C library's text; for one it has no
/// text for, the line ends in "error N".
pub fn write_line<W: uWrite + ?Sized>(
    w: &mut W,
    iface: &str,
    msg: &Message<'_>,
    strerror: impl Fn(i32) -> Option<&'static str>,
) -> Result<(), W::Error> {
    uwrite!(w, "ifplugd({}): {}", iface, msg)?;
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
        let mut s = String::new();
        write_line(&mut s, "eth0", &m, |_| Some("No such device")).unwrap();
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
                script: "/etc/ifplugd/ifplugd.action",
                iface: "eth0",
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
        let mut s = String::<128>::new();
        write_line(&mut s, "eth0", &Message::SetFlagsFailed(1), |_| {
            Some("Operation not permitted")
        })
        .unwrap();
        assert_eq!(
            s,
            "ifplugd(eth0): can't set interface flags: Operation not permitted (needs root or CAP_NET_ADMIN)\n"
        );
    }

    #[test]
    fn an_errno_without_text_is_given_by_number() {
        let mut s = String::<128>::new();
        write_line(&mut s, "eth0", &Message::PollFailed(4095), |_| None).unwrap();
        assert_eq!(s, "ifplugd(eth0): poll: error 4095\n");
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
                script: "s",
                iface: "eth0",
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
                script: "s",
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
        let mut s = String::<8>::new();
        assert!(write_line(&mut s, "eth0", &Message::Exiting, |_| None).is_err());
    }
}
