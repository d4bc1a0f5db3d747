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
use core::convert::Infallible;
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

/// The line is full: what did not fit may have been left out.
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

    /// Whether the line has no room left: what was written after that
    /// was cut.
    pub fn is_full(&self) -> bool {
        self.buf.is_full()
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

/// Writing never fails: a line too long is cut, not lost, and whoever
/// needs to know asks [`Line::is_full`]. So every `?` after a write is
/// no code at all (they were a test and a branch each, at ~100 sites).
impl<const N: usize> uWrite for Line<N> {
    type Error = Infallible;
    fn write_str(&mut self, s: &str) -> Result<(), Infallible> {
        self.write_bytes(s.as_bytes())
    }
}

impl<const N: usize> WriteBytes for Line<N> {
    /// Writes what fits.
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), Infallible> {
        append(self.buf.as_mut_view(), bytes);
        Ok(())
    }
}

/// [`Line::write_bytes`] for every `N`, and never inlined: lines are
/// written in many places, and the copy inlined at each was 1 KB in all.
#[inline(never)]
fn append(buf: &mut heapless::vec::VecView<u8>, bytes: &[u8]) {
    let room = buf.capacity() - buf.len();
    let _ = buf.extend_from_slice(bytes.get(..room).unwrap_or(bytes));
}

/// The order of the kinds is chosen, not arbitrary: routine lines first,
/// then the other failures, then those that carry an errno, then the
/// script's, so that `severity` and `errno` test a range of tags, not a
/// list; and within those, kinds that `write` treats alike are neighbours
/// (one range test for them, not a compare each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// "started: BANNER"
    Started,
    UppingInterface,
    InterfaceExists,
    InterfaceWaiting,
    InterfaceAppeared,
    InterfaceDisappeared,
    Exiting,
    /// Ours: the script was stopped because the daemon was told to exit.
    ScriptStopped,
    UsingMode(Method),
    Executing {
        script: &'a [u8],
        iface: &'a [u8],
        action: Status,
    },
    /// SIGHUP (0.28's words): an interface's status as the daemon has it.
    #[cfg(feature = "ctl")]
    Status {
        suspended: bool,
        iface: &'a [u8],
        link: bool,
    },
    /// SIGHUP with `-M` (0.28's words): whether the interface exists.
    #[cfg(feature = "ctl")]
    Enabled(bool),
    /// SIGUSR1 (0.28's words): the suspension's depth now.
    #[cfg(feature = "ctl")]
    Suspended(u32),
    /// SIGUSR2 (0.28's words): the depth it ends.
    #[cfg(feature = "ctl")]
    Resumed(u32),
    LinkIs(Status),
    ExitCode(u8),
    /// Ours: said before "exit code" when the script died of a signal.
    KilledBySignal(u8),
    FailedToDetect,
    /// Ours: the netlink socket overflowed; we re-read the state.
    NetlinkOverrun,
    NetlinkTruncated,
    DaemonRunning,
    /// Every slot of the daemon's table is taken: this interface is not
    /// watched.
    TooManyInterfaces,
    /// `-m` with a value whose first letter names no mode.
    UnknownApiMode(&'a [u8]),
    /// Ours: BusyBox says only "exit code: 255" when exec fails.
    CantExecute {
        script: &'a [u8],
        errno: i32,
    },
    GetFlagsFailed(i32),
    SetFlagsFailed(i32),
    NetlinkRecvFailed(i32),
    PollFailed(i32),
    /// The pid file could not be written (ours: BusyBox says nothing);
    /// the daemon runs on without one.
    PidFileFailed(i32),
    /// `-S`, `-R`, `-z`, `-k -W` failed (0.28's words; the host appends
    /// " (strerror)").
    #[cfg(feature = "ctl")]
    KillFailed(i32),
    ProbeFailed(ProbeError),
    /// A system call the daemon cannot go on without failed; with errno
    /// 0, `what` alone says what is wrong.
    Failed {
        what: &'a str,
        errno: i32,
    },
    /// A line of the script's output (0.28's words, at its LOG_WARNING).
    #[cfg(feature = "script-log")]
    Client(&'a [u8]),
    /// Lines of script output left out by the rate cap.
    #[cfg(feature = "script-log")]
    ClientDropped(u32),
}

// The same numbers on every Linux architecture, MIPS too.
#[cfg(feature = "compat-options")]
const EPERM: i32 = 1;
#[cfg(feature = "compat-options")]
const ENOENT: i32 = 2;
#[cfg(feature = "compat-options")]
const EACCES: i32 = 13;
#[cfg(feature = "compat-options")]
const EROFS: i32 = 30;

/// `errno`'s bit in a set of errnos below 32.
#[cfg(feature = "compat-options")]
const fn bit(errno: i32) -> u32 {
    1 << errno
}

/// How serious a line is: its syslog level (stderr does not show it).
/// BusyBox logs every line at LOG_ERR; we log routine lines at LOG_INFO,
/// as BusyBox 1.36 does, so that "link is up" trips no error alerting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// The numbers index the host's table of syslog priorities.
pub enum Severity {
    /// LOG_ERR: something failed.
    Error = 0,
    /// LOG_INFO: the daemon at work.
    Info = 1,
    /// LOG_WARNING: the script's output, as 0.28 logs it.
    #[cfg(feature = "script-log")]
    Warning = 2,
}

/// The banner after "started: " (Message::lead spells it out again:
/// one text, not two writes).
pub const BANNER: &str = concat!("ifplugd-rs v", env!("CARGO_PKG_VERSION"));

impl Message<'_> {
    /// The errno to append as ": strerror", BusyBox's `bb_perror_msg`.
    pub fn errno(&self) -> Option<i32> {
        // Which kinds carry one first, then the one whose errno may be 0
        // (as one match, that was a compare per kind: 80 bytes more).
        let e = match *self {
            Message::GetFlagsFailed(e)
            | Message::SetFlagsFailed(e)
            | Message::CantExecute { errno: e, .. }
            | Message::NetlinkRecvFailed(e)
            | Message::PollFailed(e)
            | Message::PidFileFailed(e)
            | Message::Failed { errno: e, .. } => e,
            Message::ProbeFailed(p) => p.errno,
            #[cfg(feature = "ctl")]
            Message::KillFailed(e) => e,
            _ => return None,
        };
        match self {
            Message::Failed { errno: 0, .. } => None,
            _ => Some(e),
        }
    }

    /// Whether the strerror text goes in parentheses, as 0.28's
    /// "Failed to kill daemon. (No such process)", not after ": ".
    fn errno_in_parens(&self) -> bool {
        #[cfg(feature = "ctl")]
        return matches!(self, Message::KillFailed(_));
        #[cfg(not(feature = "ctl"))]
        false
    }

    /// The line's syslog level: failures are errors, the rest routine.
    pub fn severity(&self) -> Severity {
        #[cfg(feature = "script-log")]
        if let Message::Client(_) | Message::ClientDropped(_) = self {
            return Severity::Warning;
        }
        let routine = match *self {
            Message::LinkIs(s) => s != Status::Error,
            Message::ExitCode(code) => code == 0,
            _ => {
                matches!(
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
                ) || self.is_ctl_status()
            }
        };
        if routine {
            Severity::Info
        } else {
            Severity::Error
        }
    }
}

impl Message<'_> {
    /// The lines SIGUSR1, SIGUSR2 and SIGHUP ask for: routine.
    fn is_ctl_status(&self) -> bool {
        #[cfg(feature = "ctl")]
        return matches!(
            self,
            Message::Suspended(_)
                | Message::Resumed(_)
                | Message::Status { .. }
                | Message::Enabled(_)
        );
        #[cfg(not(feature = "ctl"))]
        false
    }

    /// The text after "ifplugd(IFACE): ": the kind's first words (one
    /// table, not code in every arm), then what the message carries.
    pub fn write<W: WriteBytes + ?Sized>(&self, f: &mut W) -> Result<(), W::Error> {
        f.write_str(self.lead())?;
        let (arg, end) = match *self {
            Message::ProbeFailed(p) => (Arg::Text(p.step.call().as_bytes()), " failed"),
            Message::UsingMode(m) => (Arg::Text(m.mode_name().as_bytes()), " detection mode"),
            Message::LinkIs(s) => (Arg::Status(s), ""),
            Message::Executing {
                script,
                iface,
                action,
            } => {
                f.write_bytes(script)?;
                f.write_str(" ")?;
                f.write_bytes(iface)?;
                f.write_str(" ")?;
                (Arg::Status(action), "'")
            }
            // Neighbours in the enum, one arm each pair: one range test.
            Message::UnknownApiMode(text) | Message::CantExecute { script: text, .. } => {
                (Arg::Text(text), "'")
            }
            Message::ExitCode(n) | Message::KilledBySignal(n) => (Arg::Num(n.into()), ""),
            Message::Failed { what, .. } => (Arg::Text(what.as_bytes()), ""),
            #[cfg(feature = "ctl")]
            Message::Suspended(n) | Message::Resumed(n) => (Arg::Num(n), ")"),
            #[cfg(feature = "ctl")]
            Message::Status {
                suspended,
                iface,
                link,
            } => {
                f.write_str(if suspended { "Suspended" } else { "Running" })?;
                f.write_str(", link detected on ")?;
                (Arg::Text(iface), if link { ": yes" } else { ": no" })
            }
            #[cfg(feature = "ctl")]
            Message::Enabled(on) => {
                let state = if on { "enabled" } else { "disabled" };
                (Arg::Text(state.as_bytes()), "")
            }
            #[cfg(feature = "script-log")]
            Message::Client(line) => (Arg::Text(line), ""),
            #[cfg(feature = "script-log")]
            Message::ClientDropped(n) => (Arg::Num(n), ""),
            _ => return Ok(()),
        };
        match arg {
            Arg::Text(text) => f.write_bytes(text)?,
            Arg::Num(n) => uwrite!(f, "{}", n)?,
            Arg::Status(s) => f.write_str(s.as_str())?,
        }
        f.write_str(end)
    }

    /// The words a line of this kind starts with: its whole text for most.
    /// Not inlined: then it is one table, not a chain of compares merged
    /// into `write`'s.
    #[inline(never)]
    fn lead(&self) -> &'static str {
        match self {
            Message::Started => concat!("started: ifplugd-rs v", env!("CARGO_PKG_VERSION")),
            Message::UppingInterface => "upping interface",
            Message::GetFlagsFailed(_) => "can't get interface flags",
            Message::SetFlagsFailed(_) => "can't set interface flags",
            // No words, but a pointer into a text all the same: a
            // dangling one ("") keeps LLVM from making the match a table.
            Message::ProbeFailed(_) | Message::Failed { .. } => &"exiting"[..0],
            Message::UsingMode(_) => "using ",
            Message::FailedToDetect => "failed to detect link status",
            Message::InterfaceExists => "interface exists",
            Message::InterfaceWaiting => "interface doesn't exist, waiting",
            Message::LinkIs(_) => "link is ",
            Message::Executing { .. } => "executing '",
            Message::CantExecute { .. } => "can't execute '",
            Message::KilledBySignal(_) => "script killed by signal ",
            Message::ExitCode(_) => "exit code: ",
            Message::InterfaceAppeared => "interface appeared",
            Message::InterfaceDisappeared => "interface disappeared",
            Message::NetlinkOverrun => "netlink: messages lost, re-reading interface state",
            Message::NetlinkTruncated => "netlink packet too small or truncated",
            Message::NetlinkRecvFailed(_) => "netlink: recv",
            Message::PollFailed(_) => "poll",
            Message::Exiting => "exiting",
            Message::DaemonRunning => "daemon already running",
            Message::UnknownApiMode(_) => "unknown API mode '",
            Message::ScriptStopped => "stopping script",
            Message::PidFileFailed(_) => "can't write pid file",
            Message::TooManyInterfaces => "too many interfaces, not watched",
            #[cfg(feature = "ctl")]
            Message::Suspended(_) => "SIGUSR1: Daemon suspended (#",
            #[cfg(feature = "ctl")]
            Message::Resumed(_) => "SIGUSR2: Daemon resumed (#",
            #[cfg(feature = "ctl")]
            Message::Status { .. } => "SIGHUP: ",
            #[cfg(feature = "ctl")]
            Message::Enabled(_) => "SIGHUP: Interface ",
            #[cfg(feature = "ctl")]
            Message::KillFailed(_) => "Failed to kill daemon.",
            #[cfg(feature = "script-log")]
            Message::Client(_) => "client: ",
            #[cfg(feature = "script-log")]
            Message::ClientDropped(_) => "client: lines dropped: ",
        }
    }
}

/// What a message carries after its first words.
enum Arg<'a> {
    Text(&'a [u8]),
    Num(u32),
    /// Its word in one place, not in each arm that has one.
    Status(Status),
}

impl Message<'_> {
    /// Ours (compat-options; the applet's lines stay BusyBox's): what a
    /// user without root is missing, said after strerror. An interface
    /// ioctl refused with EPERM lacks CAP_NET_ADMIN (measured as uid 65534
    /// on Linux 6.18: SIOCSIFFLAGS, SIOCGMIIPHY and SIOCGMIIREG; SIOCGIFFLAGS,
    /// ETHTOOL_GLINK and netlink need nothing); a probe's line starts with
    /// the call's name already. A pid file its directory refuses may go
    /// elsewhere. One string each: one write, the least code.
    #[cfg(feature = "compat-options")]
    fn hint(&self, errno: i32) -> &'static str {
        // The text, and the errnos it is for (a bit each): one test.
        let (text, errnos) = match *self {
            Message::SetFlagsFailed(_) => (" (SIOCSIFFLAGS needs CAP_NET_ADMIN)", bit(EPERM)),
            Message::ProbeFailed(_) => (" (needs CAP_NET_ADMIN)", bit(EPERM)),
            Message::PidFileFailed(_) => (
                " (choose a writable directory with --pid-dir)",
                bit(EACCES) | bit(EPERM) | bit(EROFS) | bit(ENOENT),
            ),
            _ => return "",
        };
        if errnos.checked_shr(errno as u32).unwrap_or(0) & 1 != 0 {
            text
        } else {
            ""
        }
    }
}

/// A line as BusyBox writes it to stderr: "ifplugd(IFACE): text[: strerror]\n".
/// `strerror` turns an errno into the C library's text; for one it has no
/// text for, the line ends in "error N". `Err(Full)`: the line filled
/// `w`, so it may have been cut (its newline too).
pub fn write_line<const N: usize>(
    w: &mut Line<N>,
    iface: &[u8],
    msg: &Message<'_>,
    strerror: impl Fn(i32) -> Option<&'static str>,
) -> Result<(), Full> {
    write_text(w, iface, msg, strerror);
    let Ok(()) = w.write_str("\n");
    if w.is_full() {
        Err(Full)
    } else {
        Ok(())
    }
}

/// [`write_line`] without its newline.
pub fn write_text<const N: usize>(
    w: &mut Line<N>,
    iface: &[u8],
    msg: &Message<'_>,
    strerror: impl Fn(i32) -> Option<&'static str>,
) {
    let Ok(()) = write_parts(w, iface, msg, strerror);
}

fn write_parts<W: WriteBytes + ?Sized>(
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
        let (open, close) = if msg.errno_in_parens() {
            (" (", ")")
        } else {
            (": ", "")
        };
        w.write_str(open)?;
        match strerror(e) {
            Some(text) => w.write_str(text)?,
            None => uwrite!(w, "error {}", e)?,
        }
        w.write_str(close)?;
        #[cfg(feature = "compat-options")]
        w.write_str(msg.hint(e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;
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

    fn with_strerror(m: Message<'_>, e: &'static str) -> String<128> {
        let mut s = Line::<128>::new();
        write_line(&mut s, b"eth0", &m, |_| Some(e)).unwrap();
        lossy(&s)
    }

    /// The applet's line is BusyBox's alone; compat-options adds the call
    /// refused and the capability it needs.
    #[test]
    fn permission_hint() {
        let eperm = "Operation not permitted";
        let busybox = "ifplugd(eth0): can't set interface flags: Operation not permitted";
        let hint = if cfg!(feature = "compat-options") {
            " (SIOCSIFFLAGS needs CAP_NET_ADMIN)"
        } else {
            ""
        };
        let line = with_strerror(Message::SetFlagsFailed(1), eperm);
        assert_eq!(line, [busybox, hint, "\n"].concat().as_str());
        let mii = Message::ProbeFailed(ProbeError {
            step: Step::MiiPhy,
            errno: 1,
        });
        let hint = if cfg!(feature = "compat-options") {
            " (needs CAP_NET_ADMIN)"
        } else {
            ""
        };
        assert_eq!(
            with_strerror(mii, eperm),
            [
                "ifplugd(eth0): SIOCGMIIPHY failed: Operation not permitted",
                hint,
                "\n"
            ]
            .concat()
            .as_str()
        );
        // Another errno is no missing privilege.
        assert_eq!(
            with_strerror(Message::SetFlagsFailed(19), "No such device"),
            "ifplugd(eth0): can't set interface flags: No such device\n"
        );
    }

    #[test]
    fn pid_file_hint() {
        let hint = if cfg!(feature = "compat-options") {
            " (choose a writable directory with --pid-dir)"
        } else {
            ""
        };
        for (errno, text) in [
            (13, "Permission denied"),
            (30, "Read-only file system"),
            (2, "No such file or directory"),
        ] {
            assert_eq!(
                with_strerror(Message::PidFileFailed(errno), text),
                ["ifplugd(eth0): can't write pid file: ", text, hint, "\n"]
                    .concat()
                    .as_str()
            );
        }
        assert_eq!(
            with_strerror(Message::PidFileFailed(40), "Symbolic link loop"),
            "ifplugd(eth0): can't write pid file: Symbolic link loop\n"
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
            Message::PidFileFailed(13),
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

    /// 0.28's ifplugd.c, word for word: the SIGUSR1/SIGUSR2/SIGHUP lines
    /// and the client's failure ("Failed to kill daemon. (%s)").
    #[cfg(feature = "ctl")]
    #[test]
    fn ctl_lines_in_0_28_words() {
        assert_eq!(
            text(Message::Suspended(2)),
            "ifplugd(eth0): SIGUSR1: Daemon suspended (#2)\n"
        );
        assert_eq!(
            text(Message::Resumed(1)),
            "ifplugd(eth0): SIGUSR2: Daemon resumed (#1)\n"
        );
        let status = |suspended, link| Message::Status {
            suspended,
            iface: b"lan1",
            link,
        };
        assert_eq!(
            text(status(false, true)),
            "ifplugd(eth0): SIGHUP: Running, link detected on lan1: yes\n"
        );
        assert_eq!(
            text(status(true, false)),
            "ifplugd(eth0): SIGHUP: Suspended, link detected on lan1: no\n"
        );
        assert_eq!(
            text(Message::Enabled(false)),
            "ifplugd(eth0): SIGHUP: Interface disabled\n"
        );
        assert_eq!(
            text(Message::KillFailed(3)),
            "ifplugd(eth0): Failed to kill daemon. (No such device)\n"
        );
        let mut s = Line::<128>::new();
        write_line(&mut s, b"eth0", &Message::KillFailed(62), |_| None).unwrap();
        assert_eq!(
            s.as_bytes(),
            b"ifplugd(eth0): Failed to kill daemon. (error 62)\n"
        );
        for m in [
            Message::Suspended(1),
            Message::Resumed(1),
            status(true, true),
        ] {
            assert_eq!(m.severity(), Severity::Info, "{m:?}");
        }
        assert_eq!(Message::KillFailed(3).severity(), Severity::Error);
    }

    #[cfg(feature = "script-log")]
    #[test]
    fn client_lines_in_0_28_words_at_its_warning() {
        assert_eq!(
            text(Message::Client(b"hello \xff")),
            "ifplugd(eth0): client: hello \u{ff}\n"
        );
        assert_eq!(
            text(Message::ClientDropped(7)),
            "ifplugd(eth0): client: lines dropped: 7\n"
        );
        assert_eq!(Message::Client(b"x").severity(), Severity::Warning);
        assert_eq!(Message::ClientDropped(1).severity(), Severity::Warning);
    }
}
