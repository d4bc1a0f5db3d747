//! The daemon, `ifplugd_core::Daemon`, watching several interfaces at once
//! (feature `multi`), against a host whose every answer comes from the
//! input: wakes, netlink datagrams, lost-message notices, signals and
//! changes of the world, on a monotonic clock that the input moves, with
//! scripts that run side by side and take their time.
//!
//! Input layout: from the front, 4 bytes of options and the `-i` set, a
//! byte of world per interface, 4 of start time, then one event after
//! another until the input runs out. The host draws its "noise" (a failing
//! ioctl, a script's outcome and duration) from the back, one byte per
//! question, so that the events keep their meaning when the host's answers
//! change. Once the two ends meet every draw is 0: the world answers
//! truthfully and scripts exit 0 at once.
//!
//! The `-i` sets: `eth0` alone (BusyBox's applet: every rule below is the
//! one-interface contract), `eth0 eth1`, `lan*`, and `eth0 lan*`. The world
//! has eth0, eth1, lan0 and lan1 (which may be renamed wan1, out of the
//! pattern, and back), each of which may be deleted and re-created.
//!
//! Invariants asserted, besides "no panic" (see `Checker`), per interface
//! (each machine, from its first line to when the daemon forgets it):
//! 1. After a `Flow::Exit`, every call returns the same `Exit` and makes no
//!    host call at all; `poll_at()` is `None`. Every `Exit` is 1 and
//!    follows "exiting" or "can't set interface flags". After SIGTERM or
//!    SIGQUIT, the `Exit` comes once no script runs.
//! 2. At most one script runs per interface at a time (the host asserts
//!    it), and the daemon signals only a running script.
//! 3. Start-up (a named interface, or one the start-up list found): at
//!    most one script call, exactly when `(!-p && status == up) || -l`,
//!    with action = CURRENT = the start-up status, PREVIOUS = error. An
//!    interface that appears later starts down, with nothing reported.
//! 4. Main loop: action is up or down, CURRENT = action, PREVIOUS = the
//!    other one, or error (with -M or a pattern only, after a start-up that
//!    waited, an appearance or a failed detection); the action is the
//!    status of the last "link is" line (or of start-up), logged at least
//!    its delay before the call; it differs from the last status reported,
//!    so calls alternate per interface.
//! 5. "link is X" always names a change and X is never "error".
//! 6. SIGTERM/SIGINT: each interface's call with CURRENT = error happens
//!    iff not -q and (its status is up, or it is down with a down not yet
//!    reported), unless a second signal came first; its action is down and
//!    PREVIOUS the status. SIGQUIT runs no script. After either, no main
//!    loop call and no "link is".
//! 7. While no signal stops the daemon, after a call that returned
//!    Continue: each interface without a running script, with a change
//!    pending, has `poll_at()` at or before its deadline (not -P), and
//!    after a wake it is not past it (no script is late); with -t N (or
//!    -P) and such an interface, `poll_at()` is at most now + N s after a
//!    wake, and `Some(0)` after lost messages.
//! 8. -M or a pattern: "interface exists/waiting" once, at start-up;
//!    "appeared" and "disappeared" alternate with the last known existence.
//!    Without them none of these lines.
//! 9. An interface forgotten by the daemon came from a pattern, was last
//!    said to be absent, and has nothing left to report.
//! 10. Every log line renders (ufmt) into 256 bytes.
#![no_main]

use ifplugd_core::delay::{secs_to_millis, Instant};
use ifplugd_core::detect::{
    ApiMode, Method, ProbeError, Reading, Status, Step, IFF_RUNNING, IFF_UP,
};
use ifplugd_core::messages::{write_line, Line, Message};
use ifplugd_core::options::Options;
use ifplugd_core::script::{ScriptCall, ScriptOutcome};
use ifplugd_core::{Daemon, Flow, Host, IfName, Iface, Signal};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

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

const SCRIPT: &core::ffi::CStr = c"/etc/ifplugd/ifplugd.action";

const UP: Status = Status::Up;
const DOWN: Status = Status::Down;
const ERR: Status = Status::Error;

/// The `-i` sets.
const IFACE_SETS: [&[&core::ffi::CStr]; 4] = [
    &[c"eth0"],
    &[c"eth0", c"eth1"],
    &[c"lan*"],
    &[c"eth0", c"lan*"],
];

/// What the daemon did that the checker reads, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    /// A line or act about one interface.
    If(String, IfEv),
    /// "exiting", by an interface or the instance.
    Exiting,
    /// A signal reached the daemon.
    Sig(Signal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IfEv {
    LinkIs(Status),
    SetFlagsFailed,
    GetFlagsFailed,
    Exists,
    Waiting,
    Appeared,
    Disappeared,
    /// "failed to detect link status", or an explicit mode's ioctl error.
    DetectFailed,
    Script(ScriptCall),
}

/// One interface of the world the host reports on.
#[derive(Clone, Copy, Debug)]
struct World {
    /// Its name now (lan1 may be renamed wan1 and back).
    name: &'static str,
    link: Status,
    /// It does not exist: every ioctl says ENODEV.
    gone: bool,
    index: u32,
    flags: u32,
    /// Methods (bit per `Method::AUTO_ORDER` position) that say EOPNOTSUPP.
    broken: u8,
}

/// A script the host runs.
#[derive(Clone, Debug)]
struct Running {
    slot: usize,
    name: String,
    /// When it ends, and how; `None`: not until SIGKILL.
    end: Option<(SimMs, ScriptOutcome)>,
    /// It ignores SIGTERM.
    hangs: bool,
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
    now: SimMs,
    worlds: Vec<World>,
    events: Vec<(SimMs, Ev)>,
    /// Every host call, of any kind.
    calls: usize,
    running: Vec<Running>,
    /// Dumps asked for and not answered yet.
    dumps: usize,
}

impl Mock<'_> {
    fn push(&mut self, ev: Ev) {
        if trace() {
            eprintln!("  {:>8} {ev:?}", self.now);
        }
        self.events.push((self.now, ev));
    }

    fn push_if(&mut self, name: &IfName, ev: IfEv) {
        let who = String::from_utf8_lossy(name.as_bytes()).into_owned();
        self.push(Ev::If(who, ev));
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

    /// The interface of that name, if it exists.
    fn world(&mut self, name: &IfName) -> Option<&mut World> {
        let name = name.as_bytes();
        self.worlds
            .iter_mut()
            .find(|w| !w.gone && w.name.as_bytes() == name)
    }

    /// The answer to a dump: the interfaces there are, then NLMSG_DONE.
    fn dump(&self) -> Vec<u8> {
        let mut d = Vec::new();
        for w in self.worlds.iter().filter(|w| !w.gone) {
            nl_link(&mut d, 16, w.index, w.flags, Some(w.name.as_bytes()));
        }
        let mut done = [0u8; 20];
        done[..4].copy_from_slice(&20u32.to_ne_bytes());
        done[4..6].copy_from_slice(&3u16.to_ne_bytes()); // NLMSG_DONE
        d.extend_from_slice(&done);
        d
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
    fn log(&mut self, who: &[u8], msg: &Message<'_>) {
        self.calls += 1;
        let mut line = Line::<256>::new();
        assert!(
            write_line(&mut line, who, msg, strerror).is_ok(),
            "log line longer than 256 bytes: {msg:?}"
        );
        if trace() {
            let text = String::from_utf8_lossy(line.as_bytes());
            eprintln!("  {:>8} log: {}", self.now, text.trim_end());
        }
        let ev = match *msg {
            Message::Exiting => return self.push(Ev::Exiting),
            Message::LinkIs(s) => IfEv::LinkIs(s),
            Message::SetFlagsFailed(_) => IfEv::SetFlagsFailed,
            Message::GetFlagsFailed(_) => IfEv::GetFlagsFailed,
            Message::InterfaceExists => IfEv::Exists,
            Message::InterfaceWaiting => IfEv::Waiting,
            Message::InterfaceAppeared => IfEv::Appeared,
            Message::InterfaceDisappeared => IfEv::Disappeared,
            Message::FailedToDetect | Message::ProbeFailed(_) => IfEv::DetectFailed,
            _ => return,
        };
        let who = String::from_utf8_lossy(who).into_owned();
        self.push(Ev::If(who, ev));
    }

    fn if_index(&mut self, name: &IfName) -> Option<u32> {
        self.calls += 1;
        let index = self.world(name).map(|w| w.index)?;
        match self.noise() {
            Some(_) => None,
            None => Some(index),
        }
    }

    fn if_flags(&mut self, name: &IfName) -> Result<u32, i32> {
        self.calls += 1;
        let flags = self.world(name).map(|w| w.flags).ok_or(ENODEV)?;
        match self.noise() {
            Some(e) => Err(e),
            None => Ok(flags),
        }
    }

    fn set_if_flags(&mut self, name: &IfName, flags: u32) -> Result<(), i32> {
        self.calls += 1;
        self.world(name).ok_or(ENODEV)?;
        match self.noise() {
            Some(e) => Err(e),
            None => {
                if let Some(w) = self.world(name) {
                    w.flags = flags;
                }
                Ok(())
            }
        }
    }

    fn probe(&mut self, name: &IfName, method: Method) -> Result<Reading, ProbeError> {
        self.calls += 1;
        let fail = |errno| {
            Err(ProbeError {
                step: step_of(method),
                errno,
            })
        };
        let Some(w) = self.world(name).copied() else {
            return fail(ENODEV);
        };
        if w.broken & method_bit(method) != 0 {
            return fail(EOPNOTSUPP);
        }
        if let Some(e) = self.noise() {
            return fail(e);
        }
        let up = w.link == UP;
        Ok(match method {
            Method::Ethtool => Reading::Ethtool(up.into()),
            Method::Mii | Method::Private => Reading::MiiBmsr(if up { 0x786d } else { 0x7869 }),
            Method::Wlan => Reading::WlanAp(if up {
                [2, 0x11, 0x22, 0x33, 0x44, 0x55]
            } else {
                [0; 6]
            }),
            Method::Iff => {
                let flags = w.flags & !IFF_RUNNING;
                let running = if up && flags & IFF_UP != 0 {
                    IFF_RUNNING
                } else {
                    0
                };
                Reading::IfFlags(flags | running)
            }
        })
    }

    fn start_script(&mut self, iface: Iface<'_>, call: &ScriptCall) -> Result<(), i32> {
        self.calls += 1;
        let name = String::from_utf8_lossy(iface.name.as_bytes()).into_owned();
        assert!(
            !self
                .running
                .iter()
                .any(|r| r.slot == iface.slot || r.name == name),
            "{name}: a script started while its last one runs"
        );
        self.push_if(iface.name, IfEv::Script(*call));
        let outcome = match self.u.noise() {
            0..=209 => ScriptOutcome::Exited(0),
            210..=219 => ScriptOutcome::Exited(1),
            220..=229 => ScriptOutcome::Killed(9),
            _ => return Err(2),
        };
        let ms = match self.u.noise() {
            0..=159 => Some(0),
            160..=229 => Some(SimMs::from(self.u.noise()) * 16),
            230..=239 => Some(10_000),
            _ => None,
        };
        self.running.push(Running {
            slot: iface.slot,
            name,
            end: ms.map(|ms| (self.now + ms, outcome)),
            hangs: ms.is_none(),
        });
        Ok(())
    }

    fn stop_script(&mut self, slot: usize, kill: bool) {
        self.calls += 1;
        let now = self.now;
        let r = self
            .running
            .iter_mut()
            .find(|r| r.slot == slot)
            .expect("stop_script: the slot's script runs");
        if r.end.is_none_or(|(t, _)| t > now) && (kill || !r.hangs) {
            r.end = Some((now, ScriptOutcome::Killed(if kill { 9 } else { 15 })));
        }
    }

    fn list_links(&mut self) -> Result<(), i32> {
        self.calls += 1;
        self.dumps += 1;
        Ok(())
    }

    fn now(&mut self) -> Instant {
        instant(self.now)
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
    ScriptEnded,
}

/// One interface's machine, as its lines tell it.
#[derive(Clone, Debug)]
struct IfCheck {
    /// `-M` rules apply: `-M`, or a pattern's interface.
    monitor: bool,
    /// Past its start-up (an interface that appeared has none).
    started: bool,
    /// The status of the last "link is" line (or start-up's), and when.
    status: Status,
    since: SimMs,
    /// The last status reported, or start-up's.
    reported: Status,
    startup_calls: usize,
    last_main: Option<Status>,
    /// SIGTERM: whether its shutdown script is owed, and whether it ran.
    term: Option<(bool, bool)>,
    /// What the existence lines last said.
    present: Option<bool>,
    /// Start-up waited, it appeared, or a detection failed (or
    /// SIOCGIFFLAGS did): the last status detected may be error.
    unknown_seen: bool,
}

struct Checker {
    opts: Options<'static>,
    /// The `-i` values without pattern characters.
    named: Vec<String>,
    seen: usize,
    ifs: BTreeMap<String, IfCheck>,
    /// SIGTERM/SIGINT is being handled.
    term: bool,
    /// SIGQUIT, or a second signal: no script from now on.
    quit: bool,
    /// "exiting", or the xioctl death, was logged.
    ended: bool,
}

impl Checker {
    fn delay(&self, s: Status) -> SimMs {
        SimMs::from(secs_to_millis(if s == UP {
            self.opts.delay_up
        } else {
            self.opts.delay_down
        }))
    }

    /// A machine the daemon made in this call: start-up's (named, or
    /// found by the start-up list: it says "exists" or "waiting") or one
    /// for an interface that appeared later.
    fn created(&mut self, name: &str, now: SimMs, new: &[(SimMs, Ev)]) {
        let named = self.named.iter().any(|n| n == name);
        let startup = named
            || new
                .iter()
                .any(|(_, e)| matches!(e, Ev::If(w, IfEv::Exists | IfEv::Waiting) if w == name));
        let c = if startup {
            IfCheck {
                monitor: self.opts.monitor || !named,
                started: false,
                status: ERR,
                since: now,
                reported: ERR,
                startup_calls: 0,
                last_main: None,
                term: None,
                present: None,
                unknown_seen: false,
            }
        } else {
            IfCheck {
                monitor: true,
                started: true,
                status: DOWN,
                since: now,
                reported: DOWN,
                startup_calls: 0,
                last_main: None,
                term: None,
                present: Some(false),
                unknown_seen: true,
            }
        };
        assert!(
            self.ifs.insert(name.to_string(), c).is_none(),
            "{name}: two machines"
        );
    }

    fn event(&mut self, t: SimMs, ev: Ev) {
        assert!(!self.ended, "{ev:?} after the end");
        let (who, ev) = match ev {
            Ev::Exiting => {
                if self.term {
                    for (name, c) in &self.ifs {
                        if let Some((owed, ran)) = c.term {
                            assert_eq!(owed, ran, "{name}: the shutdown script iff owed");
                        }
                    }
                }
                self.ended = true;
                return;
            }
            Ev::Sig(Signal::Hangup) => return,
            Ev::Sig(_) if self.term || self.quit => {
                // A second one: no more scripts; those started stay.
                self.quit = true;
                for c in self.ifs.values_mut() {
                    if let Some((owed, false)) = c.term {
                        assert!(owed || c.term == Some((false, false)));
                        c.term = Some((false, false));
                    }
                }
                return;
            }
            Ev::Sig(Signal::Quit) => {
                self.quit = true;
                return;
            }
            Ev::Sig(Signal::Terminate) => {
                self.term = true;
                let no_shutdown = self.opts.no_shutdown;
                for c in self.ifs.values_mut() {
                    let pending = c.status != c.reported;
                    let owed = !no_shutdown && (c.status == UP || (c.status == DOWN && pending));
                    c.term = Some((owed, false));
                }
                return;
            }
            // ctl's signals (daemon/ctl_tests.rs covers them): none is sent.
            #[allow(unreachable_patterns)]
            Ev::Sig(_) => return,
            Ev::If(who, ev) => (who, ev),
        };
        let delay_up = self.delay(UP);
        let delay_down = self.delay(DOWN);
        let opts = self.opts.clone();
        let startup_wanted = |st| (!opts.no_startup && st == UP) || opts.initial_down;
        let (term, quit) = (self.term, self.quit);
        let Some(c) = self.ifs.get_mut(&who) else {
            panic!("{who}: {ev:?} from no machine");
        };
        if term || quit {
            assert!(
                matches!(ev, IfEv::Script(s) if s.current == ERR),
                "{who}: {ev:?} while stopping"
            );
        }
        match ev {
            IfEv::LinkIs(s) => {
                assert_ne!(s, ERR, "{who}: 'link is error'");
                assert_ne!(s, c.status, "{who}: 'link is' names a change");
                if !c.started {
                    assert_eq!(c.status, ERR, "{who}: one 'link is' at start-up");
                }
                c.status = s;
                c.since = t;
            }
            IfEv::SetFlagsFailed => self.ended = true,
            IfEv::DetectFailed => c.unknown_seen = true,
            // BusyBox's up_iface(): a failed SIOCGIFFLAGS marks the
            // interface missing without a word; "appeared" may follow.
            IfEv::GetFlagsFailed => {
                c.unknown_seen = true;
                if c.monitor {
                    c.present = Some(false);
                }
            }
            IfEv::Exists | IfEv::Waiting => {
                assert!(c.monitor, "{who}: {ev:?} without -M");
                assert!(!c.started, "{who}: {ev:?} after start-up");
                c.present = Some(ev == IfEv::Exists);
                c.unknown_seen |= ev == IfEv::Waiting;
            }
            IfEv::Appeared => {
                assert!(c.monitor, "{who}: {ev:?} without -M");
                assert!(c.started, "{who}: {ev:?} at start-up");
                assert_eq!(c.present, Some(false), "{who}: appeared while present");
                c.present = Some(true);
            }
            IfEv::Disappeared => {
                assert!(c.monitor, "{who}: {ev:?} without -M");
                // At start-up, before "exists/waiting": present was assumed.
                assert_ne!(c.present, Some(false), "{who}: disappeared while absent");
                c.present = Some(false);
            }
            IfEv::Script(s) if s.current == ERR => {
                assert!(!quit, "{who}: SIGQUIT (or a second signal) runs no script");
                assert!(term, "{who}: CURRENT=error outside shutdown: {s:?}");
                assert_eq!(
                    c.term,
                    Some((true, false)),
                    "{who}: shutdown script not owed, or twice: {s:?}"
                );
                assert_eq!(s.action, DOWN, "{who}: the shutdown script says down");
                assert_eq!(
                    s.previous, c.status,
                    "{who}: PREVIOUS = the status at shutdown"
                );
                c.term = Some((true, true));
            }
            IfEv::Script(s) if !c.started => {
                assert_eq!(c.startup_calls, 0, "{who}: two start-up scripts");
                assert_ne!(s.action, ERR, "{who}: start-up script for 'error'");
                assert_eq!(s.current, s.action, "{who}: CURRENT = the action");
                assert_eq!(s.previous, ERR, "{who}: start-up PREVIOUS = error");
                assert!(
                    startup_wanted(s.action),
                    "{who}: start-up script against -p/-l: {s:?}"
                );
                if c.status != ERR {
                    assert_eq!(s.action, c.status, "{who}: start-up script = 'link is'");
                }
                c.status = s.action;
                c.reported = s.action;
                c.since = t;
                c.startup_calls += 1;
            }
            IfEv::Script(s) => {
                let a = s.action;
                assert_ne!(a, ERR, "{who}: script for 'error'");
                assert_eq!(s.current, a, "{who}: CURRENT = the action: {s:?}");
                if s.previous == ERR {
                    assert!(
                        c.monitor && c.unknown_seen,
                        "{who}: PREVIOUS=error only with -M, after waiting, an appearance \
                         or a failed detection: {s:?}"
                    );
                } else {
                    assert_eq!(
                        s.previous,
                        if a == UP { DOWN } else { UP },
                        "{who}: PREVIOUS = the other: {s:?}"
                    );
                }
                assert_eq!(a, c.status, "{who}: reports the status last seen: {s:?}");
                let delay = if a == UP { delay_up } else { delay_down };
                let due = c.since.saturating_add(delay);
                assert!(
                    t >= due,
                    "{who}: {a:?} at {t}, seen at {}, delay {delay}",
                    c.since
                );
                assert_ne!(a, c.reported, "{who}: reports a change: {s:?}");
                if let Some(last) = c.last_main {
                    assert_ne!(a, last, "{who}: main-loop calls alternate");
                }
                c.last_main = Some(a);
                c.reported = a;
            }
        }
    }

    /// The end of the call that made `name`'s machine at start-up.
    fn after_start(&mut self, name: &str, d: &Daemon<'static>, t0: SimMs, flow: Flow) {
        let opts = self.opts.clone();
        let wanted = |st| (!opts.no_startup && st == UP) || opts.initial_down;
        let c = self.ifs.get_mut(name).expect("made");
        if c.started {
            return;
        }
        c.started = true;
        if flow != Flow::Continue {
            return;
        }
        let st = status_of(d, name).expect("watched");
        assert_ne!(st, ERR, "{name}: running without a status");
        if c.status != ERR {
            assert_eq!(st, c.status, "{name}: status = 'link is' / start-up script");
        }
        if c.startup_calls == 0 {
            c.reported = st;
        }
        c.status = st;
        c.since = t0;
        assert_eq!(
            c.startup_calls == 1,
            wanted(st),
            "{name}: start-up script iff (!-p && up) || -l"
        );
        if c.monitor {
            assert!(
                c.present.is_some(),
                "{name}: -M says exists/waiting at start-up"
            );
        }
    }

    /// The daemon forgot `name`.
    fn forgotten(&mut self, name: &str) {
        let c = self.ifs.remove(name).expect("watched");
        assert!(
            !self.named.iter().any(|n| n == name),
            "{name}: a named interface forgotten"
        );
        assert_eq!(c.present, Some(false), "{name}: forgotten while present");
        assert_eq!(
            c.status, c.reported,
            "{name}: forgotten with a change untold"
        );
    }

    /// `made`: the machines this call made (their start-up is checked
    /// apart).
    fn after_call(
        &self,
        d: &mut Daemon<'static>,
        h: &Mock<'_>,
        kind: CallKind,
        flow: Flow,
        made: &[String],
    ) {
        let now = h.now;
        let at = poll_at(d, now);
        match flow {
            Flow::Exit(code) => {
                assert_eq!(code, 1, "exit status");
                assert!(self.ended, "Exit without 'exiting' or a fatal error");
                if self.term || self.quit {
                    assert!(
                        h.running.is_empty(),
                        "Exit with scripts running after a signal"
                    );
                }
                assert_eq!(at, None, "poll_at after Exit");
            }
            Flow::Continue if self.term || self.quit => {
                assert!(!self.ended, "Continue after the end");
                if h.running.is_empty() {
                    panic!("stopping with no script running");
                }
            }
            Flow::Continue => {
                assert!(!self.ended, "Continue after the end");
                let o = &self.opts;
                let mut idle = 0;
                for (name, c) in &self.ifs {
                    if h.running.iter().any(|r| r.name == *name)
                        || !c.started
                        || made.contains(name)
                    {
                        continue;
                    }
                    idle += 1;
                    let pending = c.status != c.reported;
                    let deadline = c.since.saturating_add(self.delay(c.status));
                    if kind == CallKind::Wake && pending {
                        assert!(
                            now < deadline,
                            "{name}: script late: due {deadline}, now {now}"
                        );
                    }
                    if pending && !o.poll_only {
                        let at = at.expect("a pending change has a deadline");
                        // A deadline passed (no wake since) is "at once".
                        assert!(
                            at <= deadline.max(now),
                            "{name}: poll_at {at} after the deadline {deadline}"
                        );
                    }
                    if o.poll_secs > 0 || o.poll_only || pending {
                        assert!(at.is_some(), "{name}: poll_at None with a poll due");
                    }
                }
                if idle == 0 {
                    return;
                }
                match kind {
                    CallKind::Wake => {
                        if let Some(at) = at {
                            assert!(at > now, "poll_at {at} not after now {now}");
                        }
                        if o.poll_secs > 0 || o.poll_only {
                            let at = at.expect("-t N polls");
                            let limit = now + SimMs::from(secs_to_millis(o.poll_secs));
                            assert!(
                                at <= limit,
                                "poll_at {at} past now {now} + -t {}",
                                o.poll_secs
                            );
                        }
                    }
                    CallKind::Lost => assert_eq!(at, Some(now), "after lost messages: now"),
                    CallKind::Netlink if o.poll_only => {
                        assert_eq!(at, Some(now), "-P: any datagram means now")
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Simulated time: milliseconds, never wrapping (from up to 2^36: runs
/// cross the daemon's 32-bit clock's wrap).
type SimMs = u64;

/// Simulated time on the daemon's clock: its low 32 bits.
fn instant(t: SimMs) -> Instant {
    Instant::from_ms(t as u32)
}

/// `poll_at()` at `now` as a time: when the host is to wake next.
fn poll_at(d: &mut Daemon<'static>, now: SimMs) -> Option<SimMs> {
    d.poll_at(instant(now)).map(|ms| now + SimMs::from(ms))
}

fn status_of(d: &Daemon<'static>, name: &str) -> Option<Status> {
    d.links()
        .find(|l| l.name().as_bytes() == name.as_bytes())
        .map(|l| l.status())
}

fn read_options(u: &mut Input<'_>) -> Options<'static> {
    let a = u.byte();
    let b = u.byte();
    let c = u.byte();
    let mut o = Options {
        ifaces: heapless::Vec::from_slice(IFACE_SETS[usize::from(c >> 6)]).unwrap_or_default(),
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

fn datagram(u: &mut Input<'_>, worlds: &[World]) -> Vec<u8> {
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
        let w = worlds[usize::from(sel >> 3 & 3)];
        let pick = u.byte();
        let index = match pick & 3 {
            0 | 1 => w.index,
            2 => 9,
            _ => u.u32(),
        };
        let name: Option<&[u8]> = match pick >> 2 & 7 {
            0..=3 => Some(w.name.as_bytes()),
            4 => Some(b"wan1"),
            5 => Some(b"lan1"),
            6 => Some(b"eth0.1"),
            _ => None,
        };
        let flags = if sel & 0x80 != 0 {
            IFF_UP | IFF_RUNNING | 0x1_0000
        } else {
            w.flags
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
    fn watched(&self) -> Vec<String> {
        self.d
            .links()
            .map(|l| String::from_utf8_lossy(l.name().as_bytes()).into_owned())
            .collect()
    }

    /// One call at `t`; once exited, it must change nothing and say Exit.
    fn call(
        &mut self,
        t: SimMs,
        kind: CallKind,
        f: impl FnOnce(&mut Daemon<'static>, &mut Mock<'d>) -> Flow,
    ) {
        assert!(t >= self.h.now, "the harness's clock goes forward");
        self.h.now = t;
        let before = (self.h.calls, self.h.events.len());
        let was = self.watched();
        if trace() {
            eprintln!("{t:>10} {kind:?} worlds {:?}", self.h.worlds);
        }
        let flow = f(&mut self.d, &mut self.h);
        if trace() {
            eprintln!(
                "{:>10} -> {flow:?}, poll_at {:?}",
                "",
                poll_at(&mut self.d, t)
            );
        }
        if let Some(code) = self.exit {
            if matches!(
                kind,
                CallKind::Wake | CallKind::Signal | CallKind::ScriptEnded
            ) {
                assert_eq!(flow, Flow::Exit(code), "after Exit, every call says Exit");
            }
            assert_eq!(
                before,
                (self.h.calls, self.h.events.len()),
                "host calls after Exit"
            );
            assert_eq!(poll_at(&mut self.d, t), None, "poll_at after Exit");
            return;
        }
        let now = self.watched();
        let new: Vec<(SimMs, Ev)> = self.h.events[self.check.seen..].to_vec();
        self.check.seen = self.h.events.len();
        let made: Vec<String> = now.iter().filter(|n| !was.contains(n)).cloned().collect();
        for name in &made {
            self.check.created(name, t, &new);
        }
        for (at, ev) in new {
            self.check.event(at, ev);
        }
        // `netlink()` and `netlink_lost()` return nothing: an end they
        // caused (a listed interface's start-up failed) is the next call's
        // Exit, which the host makes at once (it always wakes after them).
        let flow = match kind {
            CallKind::Netlink | CallKind::Lost if self.check.ended => Flow::Exit(1),
            _ => flow,
        };
        for name in &made {
            self.check.after_start(name, &self.d, t, flow);
        }
        if flow == Flow::Continue {
            for name in was.iter().filter(|n| !now.contains(n)) {
                assert_eq!(kind, CallKind::Wake, "{name}: forgotten outside a wake");
                self.check.forgotten(name);
            }
        }
        self.check
            .after_call(&mut self.d, &self.h, kind, flow, &made);
        if let Flow::Exit(code) = flow {
            self.exit = Some(code);
        }
    }

    /// What the host hands the daemon without being asked: the end of
    /// each script that is over (then the wake that follows, as SIGCHLD's)
    /// and the answer to a dump (then its wake).
    fn settle(&mut self) {
        loop {
            if self.exit.is_some() {
                return;
            }
            let now = self.h.now;
            let due = (self.h.running.iter().enumerate())
                .filter_map(|(i, r)| r.end.filter(|&(t, _)| t <= now).map(|(t, _)| (t, i)))
                .min();
            if let Some((_, i)) = due {
                let r = self.h.running.remove(i);
                let outcome = r.end.expect("due").1;
                self.call(now, CallKind::ScriptEnded, |d, h| {
                    d.script_ended(h, r.slot, outcome)
                });
                self.call(now, CallKind::Wake, |d, h| d.wake(h, instant(now)));
                continue;
            }
            if self.h.dumps > 0 {
                self.h.dumps -= 1;
                let dump = self.h.dump();
                self.call(now, CallKind::Netlink, |d, h| {
                    d.netlink(h, &dump);
                    Flow::Continue
                });
                self.call(now, CallKind::Wake, |d, h| d.wake(h, instant(now)));
                continue;
            }
            return;
        }
    }

    /// When the host wakes by itself next: `poll_at()`, or a script's end.
    fn next_wake(&mut self) -> Option<SimMs> {
        let ends = self.h.running.iter().filter_map(|r| r.end.map(|(t, _)| t));
        let ends: Option<SimMs> = ends.min();
        let poll = poll_at(&mut self.d, self.h.now);
        poll.into_iter().chain(ends).min()
    }

    fn wake(&mut self, t: SimMs) {
        self.h.now = self.h.now.max(t);
        self.settle();
        let t = self.h.now;
        self.call(t, CallKind::Wake, |d, h| d.wake(h, instant(t)));
        self.settle();
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Input::new(data);
    let opts = read_options(&mut u);
    let names = ["eth0", "eth1", "lan0", "lan1"];
    let worlds: Vec<World> = (0..4)
        .map(|k| {
            let w = u.byte();
            World {
                name: names[k],
                link: if w & 1 != 0 { UP } else { DOWN },
                gone: w & 2 != 0,
                index: 7 + k as u32,
                flags: if w & 8 != 0 { 0 } else { IFF_UP },
                broken: if w & 0x10 != 0 { w >> 5 } else { 0 },
            }
        })
        .collect();
    let t0 = SimMs::from(u.u32()) * 16;
    if trace() {
        eprintln!("options {opts:?}");
    }
    let named = (opts.ifaces.iter())
        .map(|i| i.to_bytes())
        .filter(|i| !i.contains(&b'*'))
        .map(|i| String::from_utf8_lossy(i).into_owned())
        .collect();
    let mut sim = Sim {
        d: Daemon::new(opts.clone()),
        h: Mock {
            u,
            now: t0,
            worlds,
            events: Vec::new(),
            calls: 0,
            running: Vec::new(),
            dumps: 0,
        },
        check: Checker {
            opts,
            named,
            seen: 0,
            ifs: BTreeMap::new(),
            term: false,
            quit: false,
            ended: false,
        },
        exit: None,
    };
    sim.call(t0, CallKind::Start, |d, h| d.start(h, instant(t0)));
    sim.settle();

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
        let small = SimMs::from(sim.h.u.u16() % 2501);
        let k = usize::from(kind >> 4 & 3);
        match kind % 16 {
            // The host sleeps until poll_at() or a script's end, as it does.
            0..=4 => {
                let t = sim.next_wake().unwrap_or(now + small);
                sim.wake(t);
            }
            // Just before poll_at(), or just after.
            5 => {
                let t = match poll_at(&mut sim.d, now) {
                    Some(at) if kind & 0x10 != 0 => at.saturating_sub(1).max(now),
                    Some(at) => at.max(now) + small % 3,
                    None => now + small,
                };
                sim.wake(t);
            }
            // Early or spurious wakes.
            6 | 7 => sim.wake(now + small),
            // A link changes.
            8 | 9 => {
                let w = &mut sim.h.worlds[k];
                w.link = match kind >> 6 {
                    0 | 1 => {
                        if w.link == UP {
                            DOWN
                        } else {
                            UP
                        }
                    }
                    2 => UP,
                    _ => DOWN,
                };
            }
            // An interface changes: deleted or (re-)created, renamed,
            // admin state, broken methods.
            10 => {
                let w = &mut sim.h.worlds[k];
                match kind >> 6 {
                    0 => {
                        w.gone = !w.gone;
                        if !w.gone && kind & 0x20 != 0 {
                            w.index += 10;
                        }
                    }
                    1 if k == 3 => w.name = if w.name == "lan1" { "wan1" } else { "lan1" },
                    1 | 2 => w.flags ^= IFF_UP,
                    _ => w.broken = sim.h.u.byte() & 0x1f,
                }
            }
            // A datagram of link messages, then usually the wake that follows.
            11 | 12 => {
                let dg = datagram(&mut sim.h.u, &sim.h.worlds);
                let t = now + small % 8;
                sim.call(t, CallKind::Netlink, |d, h| {
                    d.netlink(h, &dg);
                    Flow::Continue
                });
                sim.settle();
                if kind & 0x80 == 0 {
                    sim.wake(t);
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
                sim.settle();
                if kind & 0x80 == 0 {
                    sim.wake(t);
                }
            }
            // ENOBUFS.
            14 => {
                let t = now + small % 8;
                sim.call(t, CallKind::Lost, |d, h| {
                    d.netlink_lost(h);
                    Flow::Continue
                });
                sim.settle();
                if kind & 0x80 == 0 {
                    sim.wake(t);
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
                sim.settle();
            }
        }
    }
});
