//! The daemon's state machine, `link::Daemon`, against a host whose every
//! answer comes from the input, fed a sequence of wakes, netlink datagrams,
//! lost-message notices, signals and changes of the world, on a monotonic
//! clock that the input moves.
//!
//! Input layout: from the front, 4 bytes of options and world, 4 of start
//! time, then one event after another until the input runs out. The host
//! draws its "noise" (a failing ioctl, a script's outcome) from the back,
//! one byte per question, so that the events keep their meaning when the
//! host's answers change. Once the two ends meet every draw is 0: the world
//! answers truthfully and scripts exit 0.
//!
//! Invariants asserted, besides "no panic" (see `Checker`):
//! 1. After a `Flow::Exit`, every call returns the same `Exit`, makes no
//!    host call at all (so runs no script), and `poll_at()` is `None`.
//!    Every `Exit` is 1 and follows "exiting" or "can't set interface flags"
//!    (BusyBox's xioctl death).
//! 2. Start-up: at most one script call, exactly when
//!    `(!-p && status == up) || -l` (if start-up got that far), with
//!    action = CURRENT = the start-up status, PREVIOUS = error.
//! 3. Main loop (every call not made for SIGTERM's shutdown): action is up
//!    or down, CURRENT = action, PREVIOUS = the other one, or error (with -M
//!    only, after a start-up that waited or a failed detection: BusyBox's
//!    last detected status); the action is the
//!    status of the last "link is" line (or of start-up), which was logged
//!    at least its delay (-u for up, -d for down) before the call; it
//!    differs from the last status reported (start-up's status counts as
//!    reported, script or not), so calls alternate, start-up included.
//! 4. "link is X" always names a change (X differs from the previous one)
//!    and X is never "error".
//! 5. Shutdown (SIGTERM/SIGINT, directly or handed on by an interrupted
//!    script): the call with CURRENT = error happens iff not -q and (the
//!    status is up, or it is down with a down not yet reported); its action
//!    is down and PREVIOUS the status. SIGQUIT runs no script. After a
//!    shutdown call or SIGQUIT nothing but "exiting" follows.
//! 6. `poll_at()`, after a call that returned Continue:
//!    - `None` only with -t 0, not -P, and nothing pending;
//!    - after `wake(now)`: `None` or strictly after `now`, and with -t N
//!      (or -P) at most `now + N s`;
//!    - with a change pending and not -P: at or before its deadline;
//!    - after `netlink_lost`, or any datagram with -P: `Some(0)` (now).
//! 7. No script is late: after a wake at or past a pending change's
//!    deadline the script has run.
//! 8. -M only: "interface exists/waiting" once at start-up; "appeared" and
//!    "disappeared" alternate with the last known existence (a failed
//!    SIOCGIFFLAGS other than ENODEV makes it missing silently, as in
//!    BusyBox's up_iface()). Without -M none of these lines.
//! 9. Every log line renders (ufmt) into 256 bytes.
#![no_main]

use ifplugd_core::delay::{secs_to_millis, Millis};
use ifplugd_core::detect::{
    ApiMode, Method, ProbeError, Reading, Status, Step, IFF_RUNNING, IFF_UP,
};
use ifplugd_core::link::{Daemon, Flow, Host, Signal};
use ifplugd_core::messages::{write_line, Line, Message};
use ifplugd_core::options::Options;
use ifplugd_core::script::{ScriptCall, ScriptOutcome};
use libfuzzer_sys::fuzz_target;

/// `FUZZ_TRACE=1`: print every call and what the daemon did (to read a
/// crash's input: `cargo fuzz run link_machine ARTIFACT`).
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
}

const ENODEV: i32 = 19;
const EOPNOTSUPP: i32 = 95;
const EPERM: i32 = 1;
const EIO: i32 = 5;

const IFACE: &core::ffi::CStr = c"eth0";
const SCRIPT: &core::ffi::CStr = c"/etc/ifplugd/ifplugd.action";
const OUR_INDEX: u32 = 7;

const UP: Status = Status::Up;
const DOWN: Status = Status::Down;
const ERR: Status = Status::Error;

/// What the daemon did that the checker reads, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    LinkIs(Status),
    Exiting,
    SetFlagsFailed,
    GetFlagsFailed,
    Exists,
    Waiting,
    Appeared,
    Disappeared,
    /// "failed to detect link status", or an explicit mode's ioctl error.
    DetectFailed,
    Script(ScriptCall),
    /// A signal reached the daemon: through `signal()`, or handed on by an
    /// interrupted script.
    Sig(Signal),
}

/// The world the host reports on.
#[derive(Clone, Copy, Debug)]
struct World {
    link: Status,
    /// The interface does not exist: every ioctl says ENODEV.
    gone: bool,
    index: u32,
    flags: u32,
    /// Methods (bit per `Method::AUTO_ORDER` position) that say EOPNOTSUPP.
    broken: u8,
}

/// The input, read from both ends.
struct Input<'d> {
    data: &'d [u8],
    front: usize,
    back: usize,
}

impl<'d> Input<'d> {
    fn new(data: &'d [u8]) -> Self {
        Input {
            data,
            front: 0,
            back: data.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.front >= self.back
    }

    /// The next byte from the front (events), or 0.
    fn byte(&mut self) -> u8 {
        if self.is_empty() {
            return 0;
        }
        self.front += 1;
        self.data[self.front - 1]
    }

    /// The next byte from the back (the host's noise), or 0.
    fn noise(&mut self) -> u8 {
        if self.is_empty() {
            return 0;
        }
        self.back -= 1;
        self.data[self.back]
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn bytes(&mut self, n: usize) -> &'d [u8] {
        let n = n.min(self.back.saturating_sub(self.front));
        self.front += n;
        &self.data[self.front - n..self.front]
    }
}

struct Mock<'d> {
    u: Input<'d>,
    now: Millis,
    world: World,
    events: Vec<(Millis, Ev)>,
    /// Every host call, of any kind.
    calls: usize,
    scripts: usize,
}

impl Mock<'_> {
    fn push(&mut self, ev: Ev) {
        if trace() {
            eprintln!("  {:>8} {ev:?}", self.now);
        }
        self.events.push((self.now, ev));
    }

    /// One noise draw: `Some(errno)` for a call that fails for no reason
    /// the world shows.
    fn noise(&mut self) -> Option<i32> {
        match self.u.noise() {
            0..=229 => None,
            230..=239 => Some(ENODEV),
            240..=247 => Some(EOPNOTSUPP),
            248..=251 => Some(EPERM),
            _ => Some(EIO),
        }
    }
}

fn strerror(errno: i32) -> Option<&'static str> {
    Some(match errno {
        ENODEV => "No such device",
        EOPNOTSUPP => "Not supported",
        EPERM => "Operation not permitted",
        EIO => "I/O error",
        2 => "No such file or directory",
        _ => return None,
    })
}

fn step_of(m: Method) -> Step {
    match m {
        Method::Ethtool => Step::EthtoolGlink,
        Method::Mii => Step::MiiPhy,
        Method::Private => Step::Private,
        Method::Wlan => Step::Iwap,
        Method::Iff => Step::IfFlags,
    }
}

fn method_bit(m: Method) -> u8 {
    match m {
        Method::Ethtool => 1,
        Method::Mii => 2,
        Method::Private => 4,
        Method::Wlan => 8,
        Method::Iff => 16,
    }
}

impl Host for Mock<'_> {
    fn log(&mut self, msg: &Message<'_>) {
        self.calls += 1;
        let mut line = Line::<256>::new();
        assert!(
            write_line(&mut line, IFACE.to_bytes(), msg, strerror).is_ok(),
            "log line longer than 256 bytes: {msg:?}"
        );
        if trace() {
            let text = String::from_utf8_lossy(line.as_bytes());
            eprintln!("  {:>8} log: {}", self.now, text.trim_end());
        }
        let ev = match *msg {
            Message::LinkIs(s) => Ev::LinkIs(s),
            Message::Exiting => Ev::Exiting,
            Message::SetFlagsFailed(_) => Ev::SetFlagsFailed,
            Message::GetFlagsFailed(_) => Ev::GetFlagsFailed,
            Message::InterfaceExists => Ev::Exists,
            Message::InterfaceWaiting => Ev::Waiting,
            Message::InterfaceAppeared => Ev::Appeared,
            Message::InterfaceDisappeared => Ev::Disappeared,
            Message::FailedToDetect | Message::ProbeFailed(_) => Ev::DetectFailed,
            _ => return,
        };
        self.push(ev);
    }

    fn if_index(&mut self) -> Option<u32> {
        self.calls += 1;
        if self.world.gone {
            return None;
        }
        match self.noise() {
            Some(_) => None,
            None => Some(self.world.index),
        }
    }

    fn if_flags(&mut self) -> Result<u32, i32> {
        self.calls += 1;
        if self.world.gone {
            return Err(ENODEV);
        }
        match self.noise() {
            Some(e) => Err(e),
            None => Ok(self.world.flags),
        }
    }

    fn set_if_flags(&mut self, flags: u32) -> Result<(), i32> {
        self.calls += 1;
        if self.world.gone {
            return Err(ENODEV);
        }
        match self.noise() {
            Some(e) => Err(e),
            None => {
                self.world.flags = flags;
                Ok(())
            }
        }
    }

    fn probe(&mut self, method: Method) -> Result<Reading, ProbeError> {
        self.calls += 1;
        let fail = |errno| {
            Err(ProbeError {
                step: step_of(method),
                errno,
            })
        };
        if self.world.gone {
            return fail(ENODEV);
        }
        if self.world.broken & method_bit(method) != 0 {
            return fail(EOPNOTSUPP);
        }
        if let Some(e) = self.noise() {
            return fail(e);
        }
        let up = self.world.link == UP;
        Ok(match method {
            Method::Ethtool => Reading::Ethtool(up.into()),
            Method::Mii | Method::Private => Reading::MiiBmsr(if up { 0x786d } else { 0x7869 }),
            Method::Wlan => Reading::WlanAp(if up {
                [2, 0x11, 0x22, 0x33, 0x44, 0x55]
            } else {
                [0; 6]
            }),
            Method::Iff => {
                let flags = self.world.flags & !IFF_RUNNING;
                let running = if up && flags & IFF_UP != 0 {
                    IFF_RUNNING
                } else {
                    0
                };
                Reading::IfFlags(flags | running)
            }
        })
    }

    fn now(&mut self) -> Millis {
        self.now
    }

    fn run_script(&mut self, call: &ScriptCall) -> ScriptOutcome {
        self.calls += 1;
        self.scripts += 1;
        self.push(Ev::Script(*call));
        let outcome = match self.u.noise() {
            0..=199 => ScriptOutcome::Exited(0),
            200..=209 => ScriptOutcome::Exited(1),
            210..=217 => ScriptOutcome::Killed(9),
            218..=225 => ScriptOutcome::NotStarted(2),
            226..=235 => ScriptOutcome::Interrupted(Signal::Terminate),
            236..=245 => ScriptOutcome::Interrupted(Signal::Hangup),
            _ => ScriptOutcome::Interrupted(Signal::Quit),
        };
        if let ScriptOutcome::Interrupted(sig) = outcome {
            // The shutdown script's own interruption changes nothing.
            if call.current != ERR {
                self.push(Ev::Sig(sig));
            }
        }
        outcome
    }
}

/// What the last call was, for the `poll_at()` rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallKind {
    Start,
    Wake,
    Netlink,
    Lost,
    Signal,
}

struct Checker {
    opts: Options<'static>,
    seen: usize,
    started: bool,
    /// The status of the last "link is" line (or start-up's), and when.
    status: Status,
    since: Millis,
    /// The last status reported, or start-up's.
    reported: Status,
    startup_calls: usize,
    last_main: Option<Status>,
    /// SIGTERM is being handled: whether its script is owed, and whether it ran.
    term: Option<(bool, bool)>,
    quit: bool,
    /// "exiting", or the xioctl death, was logged.
    ended: bool,
    /// What the existence lines last said (-M).
    present: Option<bool>,
    /// Start-up waited, or a detection failed (or SIOCGIFFLAGS did): the
    /// last status detected may be error.
    unknown_seen: bool,
}

impl Checker {
    fn new(opts: Options<'static>) -> Self {
        Checker {
            opts,
            seen: 0,
            started: false,
            status: ERR,
            since: 0,
            reported: ERR,
            startup_calls: 0,
            last_main: None,
            term: None,
            quit: false,
            ended: false,
            present: None,
            unknown_seen: false,
        }
    }

    fn delay(&self, s: Status) -> Millis {
        secs_to_millis(if s == UP {
            self.opts.delay_up
        } else {
            self.opts.delay_down
        })
    }

    fn startup_wanted(&self, st: Status) -> bool {
        (!self.opts.no_startup && st == UP) || self.opts.initial_down
    }

    fn event(&mut self, t: Millis, ev: Ev) {
        assert!(!self.ended, "{ev:?} after the end");
        if self.term.is_some_and(|(_, ran)| ran) || self.quit {
            assert!(
                matches!(ev, Ev::Exiting),
                "{ev:?} after the shutdown script or SIGQUIT"
            );
        }
        match ev {
            Ev::LinkIs(s) => {
                assert_ne!(s, ERR, "'link is error'");
                assert_ne!(s, self.status, "'link is' names a change");
                if !self.started {
                    assert_eq!(self.status, ERR, "one 'link is' at start-up");
                }
                self.status = s;
                self.since = t;
            }
            Ev::Exiting => {
                if let Some((owed, ran)) = self.term {
                    assert_eq!(owed, ran, "the shutdown script iff owed");
                }
                self.ended = true;
            }
            Ev::SetFlagsFailed => self.ended = true,
            Ev::DetectFailed => self.unknown_seen = true,
            // BusyBox's up_iface(): a failed SIOCGIFFLAGS marks the
            // interface missing without a word; "appeared" may follow.
            Ev::GetFlagsFailed => {
                self.unknown_seen = true;
                if self.opts.monitor {
                    self.present = Some(false);
                }
            }
            Ev::Exists | Ev::Waiting => {
                assert!(self.opts.monitor, "{ev:?} without -M");
                assert!(!self.started, "{ev:?} after start-up");
                self.present = Some(ev == Ev::Exists);
                self.unknown_seen |= ev == Ev::Waiting;
            }
            Ev::Appeared => {
                assert!(self.opts.monitor, "{ev:?} without -M");
                assert!(self.started, "{ev:?} at start-up");
                assert_eq!(self.present, Some(false), "appeared while present");
                self.present = Some(true);
            }
            Ev::Disappeared => {
                assert!(self.opts.monitor, "{ev:?} without -M");
                // At start-up, before "exists/waiting": present was assumed.
                assert_ne!(self.present, Some(false), "disappeared while absent");
                self.present = Some(false);
            }
            Ev::Sig(Signal::Terminate) => {
                assert!(self.term.is_none() && !self.quit, "a second end");
                let pending = self.status != self.reported;
                let owed = !self.opts.no_shutdown
                    && (self.status == UP || (self.status == DOWN && pending));
                self.term = Some((owed, false));
            }
            Ev::Sig(Signal::Quit) => {
                assert!(self.term.is_none(), "SIGQUIT while shutting down");
                self.quit = true;
            }
            Ev::Sig(Signal::Hangup) => {}
            Ev::Script(c) if c.current == ERR => {
                assert!(!self.quit, "SIGQUIT runs no script");
                let Some((owed, ran)) = self.term else {
                    panic!("CURRENT=error outside shutdown: {c:?}");
                };
                assert!(owed && !ran, "shutdown script not owed, or twice: {c:?}");
                assert_eq!(c.action, DOWN, "the shutdown script says down");
                assert_eq!(c.previous, self.status, "PREVIOUS = the status at shutdown");
                self.term = Some((owed, true));
            }
            Ev::Script(c) if !self.started => {
                assert!(
                    self.term.is_none() && !self.quit,
                    "start-up script while exiting"
                );
                assert_eq!(self.startup_calls, 0, "two start-up scripts");
                assert_ne!(c.action, ERR, "start-up script for 'error'");
                assert_eq!(c.current, c.action, "CURRENT = the action");
                assert_eq!(c.previous, ERR, "start-up PREVIOUS = error");
                assert!(
                    self.startup_wanted(c.action),
                    "start-up script against -p/-l: {c:?}"
                );
                if self.status != ERR {
                    assert_eq!(c.action, self.status, "start-up script = 'link is'");
                }
                self.status = c.action;
                self.reported = c.action;
                self.since = t;
                self.startup_calls += 1;
            }
            Ev::Script(c) => {
                assert!(
                    self.term.is_none() && !self.quit,
                    "main-loop script while exiting"
                );
                let a = c.action;
                assert_ne!(a, ERR, "script for 'error'");
                assert_eq!(c.current, a, "CURRENT = the action: {c:?}");
                if c.previous == ERR {
                    assert!(
                        self.opts.monitor && self.unknown_seen,
                        "PREVIOUS=error only with -M, after waiting or a failed detection: {c:?}"
                    );
                } else {
                    assert_eq!(
                        c.previous,
                        if a == UP { DOWN } else { UP },
                        "PREVIOUS = the other: {c:?}"
                    );
                }
                assert_eq!(a, self.status, "reports the status last seen: {c:?}");
                let due = self.since.saturating_add(self.delay(a));
                assert!(
                    t >= due,
                    "{a:?} at {t}, seen at {}, delay {}",
                    self.since,
                    self.delay(a)
                );
                assert_ne!(a, self.reported, "reports a change: {c:?}");
                if let Some(last) = self.last_main {
                    assert_ne!(a, last, "main-loop calls alternate");
                }
                self.last_main = Some(a);
                self.reported = a;
            }
        }
    }

    fn after_start(&mut self, d: &Daemon<'static>, t0: Millis, flow: Flow) {
        self.started = true;
        if flow != Flow::Continue {
            return;
        }
        let st = d.status();
        assert_ne!(st, ERR, "running without a status");
        if self.status != ERR {
            assert_eq!(st, self.status, "status = 'link is' / start-up script");
        }
        if self.startup_calls == 0 {
            self.reported = st;
        }
        self.status = st;
        self.since = t0;
        assert_eq!(
            self.startup_calls == 1,
            self.startup_wanted(st),
            "start-up script iff (!-p && up) || -l"
        );
        if self.opts.monitor {
            assert!(self.present.is_some(), "-M says exists/waiting at start-up");
        }
    }

    fn after_call(&mut self, d: &Daemon<'static>, now: Millis, kind: CallKind, flow: Flow) {
        match flow {
            Flow::Exit(code) => {
                assert_eq!(code, 1, "exit status");
                assert!(self.ended, "Exit without 'exiting' or a fatal error");
                if let Some((owed, ran)) = self.term {
                    assert_eq!(owed, ran, "the shutdown script iff owed");
                }
                assert_eq!(d.poll_at(), None, "poll_at after Exit");
            }
            Flow::Continue => {
                assert!(
                    !self.ended && self.term.is_none() && !self.quit,
                    "Continue after the end"
                );
                let o = &self.opts;
                let pending = self.status != self.reported;
                let deadline = self.since.saturating_add(self.delay(self.status));
                let at = d.poll_at();
                if kind == CallKind::Wake && pending {
                    assert!(now < deadline, "script late: due {deadline}, now {now}");
                }
                if at.is_none() {
                    assert!(
                        o.poll_secs == 0 && !o.poll_only && !pending,
                        "poll_at None with -t {} -P {} pending {pending}",
                        o.poll_secs,
                        o.poll_only
                    );
                }
                if pending && !o.poll_only {
                    let at = at.expect("a pending change has a deadline");
                    assert!(at <= deadline, "poll_at {at} after the deadline {deadline}");
                }
                match kind {
                    CallKind::Wake | CallKind::Start => {
                        if let Some(at) = at {
                            assert!(at > now, "poll_at {at} not after now {now}");
                        }
                        if o.poll_secs > 0 || o.poll_only {
                            let at = at.expect("-t N polls");
                            let limit = now.saturating_add(secs_to_millis(o.poll_secs));
                            assert!(
                                at <= limit,
                                "poll_at {at} past now {now} + -t {}",
                                o.poll_secs
                            );
                        }
                    }
                    CallKind::Lost => assert_eq!(at, Some(0), "after lost messages: now"),
                    CallKind::Netlink if o.poll_only => {
                        assert_eq!(at, Some(0), "-P: any datagram means now")
                    }
                    CallKind::Netlink | CallKind::Signal => {}
                }
            }
        }
    }
}

fn read_options(u: &mut Input<'_>) -> Options<'static> {
    let a = u.byte();
    let b = u.byte();
    let c = u.byte();
    let mut o = Options {
        ifaces: heapless::Vec::from_slice(&[IFACE]).unwrap_or_default(),
        script: SCRIPT,
        delay_up: u32::from(a & 3),
        delay_down: u32::from((a >> 2) & 3),
        poll_secs: u32::from((a >> 4) & 3),
        api_mode: [
            ApiMode::Auto,
            ApiMode::Ethtool,
            ApiMode::Mii,
            ApiMode::Private,
            ApiMode::Wlan,
            ApiMode::Iff,
            ApiMode::Auto,
            ApiMode::Auto,
        ][usize::from(a >> 6 | (c & 4))],
        monitor: b & 1 != 0,
        ignore_fail: b & 2 != 0,
        ignore_fail_positive: b & 4 != 0,
        ignore_retval: b & 8 != 0,
        no_startup: b & 16 != 0,
        initial_down: b & 32 != 0,
        no_shutdown: b & 64 != 0,
        no_auto: b & 128 != 0,
        poll_only: c & 1 != 0,
        ..Options::default()
    };
    if o.poll_only && o.poll_secs == 0 {
        // The command line refuses -P -t 0 (it would spin).
        o.poll_secs = 1;
    }
    o
}

/// One RTM_NEWLINK (16) or RTM_DELLINK (17), native byte order, with an
/// IFLA_IFNAME unless `name` is `None`.
fn nl_link(out: &mut Vec<u8>, ty: u16, index: u32, flags: u32, name: Option<&[u8]>) {
    let start = out.len();
    out.extend_from_slice(&0u32.to_ne_bytes()); // length, below
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&0u16.to_ne_bytes()); // flags
    out.extend_from_slice(&0u32.to_ne_bytes()); // seq
    out.extend_from_slice(&0u32.to_ne_bytes()); // pid
    out.push(0); // AF_UNSPEC
    out.push(0);
    out.extend_from_slice(&1u16.to_ne_bytes()); // ARPHRD_ETHER
    out.extend_from_slice(&index.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&u32::MAX.to_ne_bytes()); // change
    if let Some(name) = name {
        let rta_len = 4 + name.len() + 1;
        out.extend_from_slice(&(rta_len as u16).to_ne_bytes());
        out.extend_from_slice(&3u16.to_ne_bytes()); // IFLA_IFNAME
        out.extend_from_slice(name);
        out.push(0);
        while (out.len() - start) % 4 != 0 {
            out.push(0);
        }
    }
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
}

fn datagram(u: &mut Input<'_>, world: &World) -> Vec<u8> {
    let mut d = Vec::new();
    let n = 1 + u.byte() % 3;
    for _ in 0..n {
        let sel = u.byte();
        let ty = match sel & 7 {
            0..=4 => 16,
            5 | 6 => 17,
            _ => 4, // NLMSG_OVERRUN
        };
        if ty == 4 {
            let mut m = vec![0u8; 16];
            m[..4].copy_from_slice(&16u32.to_ne_bytes());
            m[4..6].copy_from_slice(&4u16.to_ne_bytes());
            d.extend_from_slice(&m);
            continue;
        }
        let index = match (sel >> 3) & 3 {
            0 => world.index,
            1 => OUR_INDEX,
            2 => 9,
            _ => u.u32(),
        };
        let name: Option<&[u8]> = match sel >> 5 {
            0..=3 => Some(IFACE.to_bytes()),
            4 => Some(b"eth1"),
            5 => Some(b"eth0.1"),
            6 => Some(b""),
            _ => None,
        };
        let flags = if sel & 0x80 != 0 {
            IFF_UP | IFF_RUNNING | 0x1_0000
        } else {
            IFF_UP
        };
        nl_link(&mut d, ty, index, flags, name);
    }
    let cut = u.byte();
    if cut & 0xf0 == 0xf0 {
        let at = usize::from(u.u16()) % d.len();
        d.truncate(at);
    }
    d
}

/// Drives the daemon; `exit` once it said Exit.
struct Sim<'d> {
    d: Daemon<'static>,
    h: Mock<'d>,
    check: Checker,
    exit: Option<u8>,
}

impl<'d> Sim<'d> {
    fn feed(&mut self) {
        let new: Vec<(Millis, Ev)> = self.h.events[self.check.seen..].to_vec();
        self.check.seen = self.h.events.len();
        for (t, ev) in new {
            self.check.event(t, ev);
        }
    }

    /// One call at `t`; once exited, it must change nothing and say Exit.
    fn call(
        &mut self,
        t: Millis,
        kind: CallKind,
        f: impl FnOnce(&mut Daemon<'static>, &mut Mock<'d>) -> Flow,
    ) {
        assert!(t >= self.h.now, "the harness's clock goes forward");
        self.h.now = t;
        let before = (self.h.calls, self.h.events.len());
        if trace() {
            eprintln!("{t:>10} {kind:?} world {:?}", self.h.world);
        }
        let flow = f(&mut self.d, &mut self.h);
        if trace() {
            eprintln!(
                "{:>10} -> {flow:?}, poll_at {:?}, status {:?}",
                "",
                self.d.poll_at(),
                self.d.status()
            );
        }
        if let Some(code) = self.exit {
            if matches!(kind, CallKind::Wake | CallKind::Signal) {
                assert_eq!(flow, Flow::Exit(code), "after Exit, every call says Exit");
            }
            assert_eq!(
                before,
                (self.h.calls, self.h.events.len()),
                "host calls after Exit"
            );
            assert_eq!(self.d.poll_at(), None, "poll_at after Exit");
            return;
        }
        self.feed();
        if kind == CallKind::Start {
            self.check.after_start(&self.d, t, flow);
        }
        self.check.after_call(&self.d, t, kind, flow);
        if let Flow::Exit(code) = flow {
            self.exit = Some(code);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Input::new(data);
    let opts = read_options(&mut u);
    let w = u.byte();
    let world = World {
        link: if w & 1 != 0 { UP } else { DOWN },
        gone: w & 2 != 0,
        index: if w & 4 != 0 { 9 } else { OUR_INDEX },
        flags: if w & 8 != 0 { 0 } else { IFF_UP },
        broken: if w & 0x10 != 0 { w >> 5 } else { 0 },
    };
    let t0 = Millis::from(u.u32()) * 16;
    if trace() {
        eprintln!("options {opts:?}");
    }
    let mut sim = Sim {
        d: Daemon::new(opts),
        h: Mock {
            u,
            now: t0,
            world,
            events: Vec::new(),
            calls: 0,
            scripts: 0,
        },
        check: Checker::new(opts),
        exit: None,
    };
    sim.call(t0, CallKind::Start, |d, h| d.start(h, t0));

    let mut after_exit = 0;
    for _ in 0..512 {
        if sim.h.u.is_empty() {
            break;
        }
        if sim.exit.is_some() {
            // A few calls to see that it stays down; then nothing is new.
            after_exit += 1;
            if after_exit > 3 {
                break;
            }
        }
        let now = sim.h.now;
        let kind = sim.h.u.byte();
        let small = Millis::from(sim.h.u.u16() % 2501);
        match kind % 16 {
            // The host sleeps until poll_at(), as it does.
            0..=4 => {
                let t = match sim.d.poll_at() {
                    Some(at) => at.max(now),
                    None => now + small,
                };
                sim.call(t, CallKind::Wake, |d, h| d.wake(h, t));
            }
            // Just before poll_at(), or just after.
            5 => {
                let t = match sim.d.poll_at() {
                    Some(at) if kind & 0x10 != 0 => at.saturating_sub(1).max(now),
                    Some(at) => at.max(now) + small % 3,
                    None => now + small,
                };
                sim.call(t, CallKind::Wake, |d, h| d.wake(h, t));
            }
            // Early or spurious wakes.
            6 | 7 => {
                let t = now + small;
                sim.call(t, CallKind::Wake, |d, h| d.wake(h, t));
            }
            // The link changes.
            8 | 9 => {
                sim.h.world.link = match kind >> 4 {
                    0..=7 => {
                        if sim.h.world.link == UP {
                            DOWN
                        } else {
                            UP
                        }
                    }
                    8..=11 => UP,
                    _ => DOWN,
                };
            }
            // The interface changes: exists or not, index, admin state,
            // broken methods.
            10 => match kind >> 4 {
                0..=5 => sim.h.world.gone = !sim.h.world.gone,
                6..=8 => {
                    sim.h.world.index = if sim.h.world.index == OUR_INDEX {
                        9
                    } else {
                        OUR_INDEX
                    }
                }
                9..=11 => sim.h.world.flags ^= IFF_UP,
                _ => sim.h.world.broken = sim.h.u.byte() & 0x1f,
            },
            // A datagram of link messages, then usually the wake that follows.
            11 | 12 => {
                let world = sim.h.world;
                let dg = datagram(&mut sim.h.u, &world);
                let t = now + small % 8;
                sim.call(t, CallKind::Netlink, |d, h| {
                    d.netlink(h, &dg);
                    Flow::Continue
                });
                if kind & 0x80 == 0 {
                    let t = sim.h.now;
                    sim.call(t, CallKind::Wake, |d, h| d.wake(h, t));
                }
            }
            // Garbage.
            13 => {
                let len = sim.h.u.byte() % 65;
                let dg: Vec<u8> = sim.h.u.bytes(usize::from(len)).to_vec();
                let t = now;
                sim.call(t, CallKind::Netlink, |d, h| {
                    d.netlink(h, &dg);
                    Flow::Continue
                });
                if kind & 0x80 == 0 {
                    sim.call(t, CallKind::Wake, |d, h| d.wake(h, t));
                }
            }
            // ENOBUFS.
            14 => {
                let t = now + small % 8;
                sim.call(t, CallKind::Lost, |d, h| {
                    d.netlink_lost(h);
                    Flow::Continue
                });
                if kind & 0x80 == 0 {
                    sim.call(t, CallKind::Wake, |d, h| d.wake(h, t));
                }
            }
            // Signals.
            _ => {
                let sig = match kind >> 4 {
                    0..=5 => Signal::Hangup,
                    6..=12 => Signal::Terminate,
                    _ => Signal::Quit,
                };
                let t = now + small % 100;
                if sim.exit.is_none() {
                    sim.h.now = t;
                    sim.h.push(Ev::Sig(sig));
                }
                sim.call(t, CallKind::Signal, |d, h| d.signal(h, sig));
            }
        }
    }
});
