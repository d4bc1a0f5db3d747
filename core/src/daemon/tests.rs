//! The daemon against a scripted host: tables of exact log lines, script
//! calls and times for one interface (BusyBox's applet: these must not
//! change), then a randomised run of the rules that must hold whatever
//! happens. With `multi`, `multi.rs` adds the supervisor's own cases.
//!
//! Scripts run in simulated time. Each `start_script` takes the next
//! [`Plan`]; by default a script ends at once, and the harness hands its end
//! to the daemon right after the call that started it: BusyBox's
//! synchronous run, which the tables describe. Slower plans end when the
//! clock reaches them, and a script's end wakes the host (as SIGCHLD does).

extern crate std;

use std::collections::VecDeque;
use std::format;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use super::*;
use crate::delay::{secs_to_millis, Instant};
use crate::detect::{
    ApiMode, Method, ProbeError, Reading, Status, Step as ProbeStep, IFF_RUNNING, IFF_UP,
};
use crate::host::Iface;
use crate::messages::{write_line, Line, BANNER};
use crate::script::ScriptCall;

/// SIOCSIFFLAGS refused: BusyBox's line, and with compat-options what it
/// needs.
pub(super) const SET_FLAGS_EPERM: &str = if cfg!(feature = "compat-options") {
    "can't set interface flags: Operation not permitted (SIOCSIFFLAGS needs CAP_NET_ADMIN)"
} else {
    "can't set interface flags: Operation not permitted"
};

#[cfg(feature = "multi")]
mod multi;

const UP: Status = Status::Up;
const DOWN: Status = Status::Down;
const ERR: Status = Status::Error;
const FOREVER: SimMs = SimMs::MAX;

/// Simulated time: milliseconds from the simulation's start, never
/// wrapping. The daemon sees it on its wrapping clock, from [`Mock::base`].
type SimMs = u64;

/// The daemon's clock at simulated time 0 for which each table runs: from 0,
/// and crossing the 32-bit clock's wrap (and its sign) a second into it.
const BASES: [u32; 3] = [0, u32::MAX - 999, i32::MAX as u32 - 999];

const IFINDEX: u32 = 7;

// ---------------------------------------------------------------------------
// The mock host.

/// One thing the daemon did that the tables look at.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    /// A log line: whom it is about (the `WHO` of "ifplugd(WHO): "), and
    /// its text as `write_line` renders it after that, without the newline.
    Log(String, String),
    /// A script started for this interface.
    Script(String, ScriptCall),
    SetFlags(String, u32),
    /// The daemon signalled this interface's script: SIGKILL if true, else
    /// SIGTERM. Shown only in `multi` tables.
    Stop(String, bool),
    /// The daemon asked for the list of interfaces. Shown only in `multi`
    /// tables.
    List,
    /// A signal reached the daemon: a step's, or one that came while a
    /// script ran ([`Plan::Sig`]). Not shown in the tables.
    Sig(Signal),
    /// The first `Flow::Exit` the daemon returned.
    Exit(u8),
}

impl Ev {
    /// The event as a table shows it: with one interface its lines alone;
    /// with `multi` each prefixed by the interface, and the host's acts too.
    fn line(&self, multi: bool) -> Option<String> {
        let (who, text) = match self {
            Ev::Log(who, s) => (Some(who), s.clone()),
            Ev::Script(who, c) => (
                Some(who),
                format!(
                    "run {} PREVIOUS={} CURRENT={}",
                    c.action.as_str(),
                    c.previous.as_str(),
                    c.current.as_str()
                ),
            ),
            Ev::SetFlags(who, f) => (Some(who), format!("set flags {f:#x}")),
            Ev::Stop(who, kill) if multi => (
                Some(who),
                if *kill { "SIGKILL" } else { "SIGTERM" }.to_string(),
            ),
            Ev::List if multi => (None, "list links".to_string()),
            Ev::Stop(..) | Ev::List | Ev::Sig(_) => return None,
            Ev::Exit(code) => (None, format!("exit {code}")),
        };
        Some(match who {
            Some(who) if multi => format!("{who}: {text}"),
            _ => text,
        })
    }
}

/// The system calls that are not in [`Ev`]: asked, but changing nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    IfIndex,
    IfFlags,
    Probe(Method),
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::IfIndex => "if_index",
            Call::IfFlags => "if_flags",
            Call::Probe(Method::Ethtool) => "probe ethtool",
            Call::Probe(Method::Mii) => "probe mii",
            Call::Probe(Method::Private) => "probe private",
            Call::Probe(Method::Wlan) => "probe wlan",
            Call::Probe(Method::Iff) => "probe iff",
        }
    }
}

fn strerror(errno: i32) -> Option<&'static str> {
    Some(match errno {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        19 => "No such device",
        95 => "Operation not supported",
        _ => return None,
    })
}

const EPERM: i32 = 1;
const ENODEV: i32 = 19;
const EOPNOTSUPP: i32 = 95;

/// The first ioctl of each method: the one a failure names.
fn first_step(m: Method) -> ProbeStep {
    match m {
        Method::Ethtool => ProbeStep::EthtoolGlink,
        Method::Mii => ProbeStep::MiiPhy,
        Method::Private => ProbeStep::Private,
        Method::Wlan => ProbeStep::Iwap,
        Method::Iff => ProbeStep::IfFlags,
    }
}

/// A small deterministic generator (xorshift64*).
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// In `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Randomness inside the host, for the property test.
#[derive(Clone, Debug)]
struct Chaos {
    rng: Rng,
    /// Percent of probes that fail whatever the link does.
    probe_fail: u64,
}

/// How one run of the script goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// It ends this long after it started, so (0: at once).
    Ends(SimMs, ScriptOutcome),
    /// The exec fails with this errno: `start_script` says so.
    CantStart(i32),
    /// The daemon gets this signal while the script runs, right after it
    /// started. SIGTERM from the daemon ends it (killed by 15); if the
    /// daemon does not stop it, it ends by itself at once (exit 0).
    Sig(Signal),
    /// It ignores SIGTERM: only SIGKILL ends it.
    Hangs,
}

impl From<ScriptOutcome> for Plan {
    fn from(o: ScriptOutcome) -> Plan {
        match o {
            ScriptOutcome::NotStarted(errno) => Plan::CantStart(errno),
            o => Plan::Ends(0, o),
        }
    }
}

/// A script the host runs.
#[derive(Clone, Debug)]
struct Running {
    slot: usize,
    name: String,
    /// When it ends, and how; `None`: not until it is signalled.
    end: Option<(SimMs, ScriptOutcome)>,
    /// A signal for the daemon while it runs ([`Plan::Sig`]).
    sig: Option<Signal>,
    /// It ignores SIGTERM.
    hangs: bool,
}

/// One interface of the mock's world.
#[derive(Clone, Debug)]
struct MockIf {
    name: String,
    /// Whether it exists at all: a missing one fails every ioctl with
    /// ENODEV. (The one-interface tables keep it, and play the kernel's
    /// answers through `index` and `flags` alone.)
    present: bool,
    /// The link from each time on; `Error`: every probe fails with
    /// `err_errno`.
    link: Vec<(SimMs, Status)>,
    err_errno: i32,
    /// A method that fails with EOPNOTSUPP in `[from, until)`.
    broken: Vec<(Method, SimMs, SimMs)>,
    flags: Result<u32, i32>,
    set_flags: Result<(), i32>,
    /// SIOCGIFINDEX's answer.
    index: Option<u32>,
    /// How long its scripts run when no plan says otherwise.
    script_ms: SimMs,
}

impl MockIf {
    fn new(name: &str, index: u32, link: &[(SimMs, Status)]) -> Self {
        MockIf {
            name: name.to_string(),
            present: true,
            link: link.to_vec(),
            err_errno: EOPNOTSUPP,
            broken: Vec::new(),
            flags: Ok(IFF_UP | IFF_RUNNING),
            set_flags: Ok(()),
            index: Some(index),
            script_ms: 0,
        }
    }

    fn link_at(&self, t: SimMs) -> Status {
        let i = self.link.partition_point(|&(from, _)| from <= t);
        if i == 0 {
            DOWN
        } else {
            self.link[i - 1].1
        }
    }
}

#[derive(Clone)]
struct Mock {
    now: SimMs,
    /// The daemon's clock at `now` 0.
    base: u32,
    /// The interfaces; the one-interface tables have only eth0.
    ifs: Vec<MockIf>,
    /// The scripts' plans in turn, each for any interface (`None`) or a
    /// named one; then each interface's plain run of `script_ms`.
    plans: VecDeque<(Option<String>, Plan)>,
    chaos: Option<Chaos>,
    /// Several interfaces: lines name theirs, and any name is fine; else
    /// every line and call must be about eth0.
    multi: bool,
    /// `list_links()`'s answer.
    list: Result<(), i32>,
    /// Dumps asked for and not answered yet.
    dumps: usize,
    /// Answer dumps by themselves, right after the call that asked (else a
    /// test sends the answers).
    auto_dump: bool,
    events: Vec<(SimMs, Ev)>,
    calls: Vec<(SimMs, String, Call)>,
    running: Vec<Running>,
}

impl Mock {
    /// eth0 alone, with this link.
    fn new(link: &[(SimMs, Status)]) -> Self {
        Mock {
            now: 0,
            base: 0,
            ifs: vec![MockIf::new("eth0", IFINDEX, link)],
            plans: VecDeque::new(),
            chaos: None,
            multi: false,
            list: Ok(()),
            dumps: 0,
            auto_dump: true,
            events: Vec::new(),
            calls: Vec::new(),
            running: Vec::new(),
        }
    }
    /// These interfaces, lines named by them.
    #[cfg_attr(not(feature = "multi"), allow(dead_code))]
    fn multi(ifs: Vec<MockIf>) -> Self {
        Mock {
            ifs,
            multi: true,
            ..Mock::new(&[])
        }
    }
    fn eth0(&mut self) -> &mut MockIf {
        &mut self.ifs[0]
    }
    fn flags(mut self, flags: Result<u32, i32>) -> Self {
        self.eth0().flags = flags;
        self
    }
    fn set_flags(mut self, r: Result<(), i32>) -> Self {
        self.eth0().set_flags = r;
        self
    }
    fn index(mut self, index: Option<u32>) -> Self {
        self.eth0().index = index;
        self
    }
    fn outcomes(mut self, o: &[ScriptOutcome]) -> Self {
        self.plans = o.iter().map(|&o| (None, Plan::from(o))).collect();
        self
    }
    fn plans(mut self, p: &[Plan]) -> Self {
        self.plans = p.iter().map(|&p| (None, p)).collect();
        self
    }
    fn err_errno(mut self, errno: i32) -> Self {
        self.eth0().err_errno = errno;
        self
    }
    fn broken(mut self, m: Method, from: SimMs, until: SimMs) -> Self {
        self.eth0().broken.push((m, from, until));
        self
    }

    /// Simulated time `t` on the daemon's clock: its low 32 bits, from
    /// `base`.
    fn instant(&self, t: SimMs) -> Instant {
        Instant::from_ms((t as u32).wrapping_add(self.base))
    }

    fn push(&mut self, ev: Ev) {
        self.events.push((self.now, ev));
    }

    /// The name as the tables write it; with one interface, always eth0.
    fn who(&self, name: &[u8]) -> String {
        let who = std::str::from_utf8(name).expect("ASCII names").to_string();
        if !self.multi {
            assert_eq!(who, "eth0", "one interface: everything is about eth0");
        }
        who
    }

    fn call(&mut self, name: &IfName, call: Call) {
        let who = self.who(name.as_bytes());
        self.calls.push((self.now, who, call));
    }

    fn iface(&mut self, name: &IfName) -> Option<&mut MockIf> {
        let name = name.as_bytes();
        self.ifs
            .iter_mut()
            .find(|i| i.present && i.name.as_bytes() == name)
    }

    /// The plan of the next script for `who`.
    fn plan(&mut self, who: &str) -> Plan {
        if let Some(c) = &mut self.chaos {
            return match c.rng.below(100) {
                0..=91 => Plan::Ends(0, ScriptOutcome::Exited(0)),
                92..=93 => Plan::Ends(0, ScriptOutcome::Exited(1)),
                94 => Plan::Ends(0, ScriptOutcome::Killed(9)),
                95 => Plan::CantStart(2),
                96..=97 => Plan::Sig(Signal::Terminate),
                98 => Plan::Sig(Signal::Hangup),
                _ => Plan::Sig(Signal::Quit),
            };
        }
        let next = self
            .plans
            .iter()
            .position(|(w, _)| w.as_deref().is_none_or(|w| w == who));
        if let Some((_, plan)) = next.and_then(|i| self.plans.remove(i)) {
            return plan;
        }
        let ms = (self.ifs.iter().find(|i| i.present && i.name == who))
            .or_else(|| self.ifs.iter().find(|i| i.name == who))
            .map_or(0, |i| i.script_ms);
        Plan::Ends(ms, ScriptOutcome::Exited(0))
    }

    /// The answer to a dump: every interface there is, then NLMSG_DONE.
    fn dump(&self) -> Vec<u8> {
        let mut d = Vec::new();
        for i in self.ifs.iter().filter(|i| i.present) {
            let flags = i.flags.unwrap_or(0);
            d.extend(nl_msg(
                16,
                NLM_F_MULTI,
                i.index.unwrap_or(0) as i32,
                &i.name,
                flags,
            ));
        }
        d.extend(nl_done());
        d
    }
}

impl Host for Mock {
    fn log(&mut self, who: &[u8], msg: &Message<'_>) {
        let who = self.who(who);
        let mut line = Line::<256>::new();
        write_line(&mut line, who.as_bytes(), msg, strerror).unwrap();
        let line = std::str::from_utf8(line.as_bytes()).expect("UTF-8 in these tests");
        let text = line
            .strip_prefix(&format!("ifplugd({who}): "))
            .and_then(|l| l.strip_suffix('\n'))
            .expect("BusyBox's line format")
            .to_string();
        let text = text.replace(BANNER, "<banner>");
        self.push(Ev::Log(who, text));
    }

    fn if_index(&mut self, name: &IfName) -> Option<u32> {
        self.call(name, Call::IfIndex);
        self.iface(name).and_then(|i| i.index)
    }

    fn if_flags(&mut self, name: &IfName) -> Result<u32, i32> {
        self.call(name, Call::IfFlags);
        self.iface(name).map_or(Err(ENODEV), |i| i.flags)
    }

    fn set_if_flags(&mut self, name: &IfName, flags: u32) -> Result<(), i32> {
        let who = self.who(name.as_bytes());
        self.push(Ev::SetFlags(who, flags));
        let mut r = self.iface(name).map_or(Err(ENODEV), |i| i.set_flags);
        if let Some(c) = &mut self.chaos {
            if c.rng.chance(3) {
                r = Err(1);
            }
        }
        if r.is_ok() {
            if let Some(i) = self.iface(name) {
                i.flags = Ok(flags);
            }
        }
        r
    }

    fn probe(&mut self, name: &IfName, method: Method) -> Result<Reading, ProbeError> {
        let now = self.now;
        self.call(name, Call::Probe(method));
        let fail = |errno| {
            Err(ProbeError {
                step: first_step(method),
                errno,
            })
        };
        if let Some(c) = &mut self.chaos {
            if c.rng.chance(c.probe_fail) {
                return fail(EOPNOTSUPP);
            }
        }
        let Some(i) = self.iface(name) else {
            return fail(ENODEV);
        };
        if i.broken
            .iter()
            .any(|&(m, from, until)| m == method && from <= now && now < until)
        {
            return fail(EOPNOTSUPP);
        }
        let up = match i.link_at(now) {
            Status::Error => return fail(i.err_errno),
            s => s == UP,
        };
        Ok(match method {
            Method::Ethtool => Reading::Ethtool(up.into()),
            Method::Mii | Method::Private => Reading::MiiBmsr(if up { 0x786d } else { 0x7869 }),
            Method::Wlan => Reading::WlanAp(if up {
                [2, 0x11, 0x22, 0x33, 0x44, 0x55]
            } else {
                [0; 6]
            }),
            Method::Iff => {
                let flags = match i.flags {
                    Ok(f) => f & !IFF_RUNNING,
                    Err(e) => return fail(e),
                };
                // The kernel never shows IFF_RUNNING on an admin-down link.
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
        let who = self.who(iface.name.as_bytes());
        assert!(
            !self
                .running
                .iter()
                .any(|r| r.slot == iface.slot || r.name == who),
            "{who}: a script started while its last one runs"
        );
        self.push(Ev::Script(who.clone(), *call));
        let plan = self.plan(&who);
        let mut run = Running {
            slot: iface.slot,
            name: who,
            end: None,
            sig: None,
            hangs: false,
        };
        match plan {
            Plan::CantStart(errno) => return Err(errno),
            Plan::Ends(ms, outcome) => run.end = Some((self.now + ms, outcome)),
            Plan::Sig(sig) => run.sig = Some(sig),
            Plan::Hangs => run.hangs = true,
        }
        self.running.push(run);
        Ok(())
    }

    fn stop_script(&mut self, slot: usize, kill: bool) {
        let now = self.now;
        let r = self
            .running
            .iter_mut()
            .find(|r| r.slot == slot)
            .expect("stop_script: the slot's script runs");
        let who = r.name.clone();
        // One that has ended already (not reaped yet) is not changed.
        if r.end.is_none_or(|(t, _)| t > now) && (kill || !r.hangs) {
            r.end = Some((now, ScriptOutcome::Killed(if kill { 9 } else { 15 })));
        }
        self.push(Ev::Stop(who, kill));
    }

    fn list_links(&mut self) -> Result<(), i32> {
        self.push(Ev::List);
        if self.list.is_ok() {
            self.dumps += 1;
        }
        self.list
    }

    fn now(&mut self) -> Instant {
        self.instant(self.now)
    }
}

// ---------------------------------------------------------------------------
// Driving the daemon.

struct Sim {
    d: Daemon<'static>,
    h: Mock,
    exit: Option<u8>,
}

impl Sim {
    fn new(opts: Options<'static>, h: Mock) -> Self {
        Sim {
            d: Daemon::new(opts),
            h,
            exit: None,
        }
    }

    fn at(&mut self, t: SimMs) {
        assert!(
            t >= self.h.now,
            "time goes forward: {} then {}",
            self.h.now,
            t
        );
        self.h.now = t;
    }

    /// Runs one call; once the daemon has exited, checks that the call
    /// changed nothing and said Exit again.
    fn step(&mut self, f: impl FnOnce(&mut Daemon<'static>, &mut Mock) -> Flow) -> Flow {
        let before = (self.h.events.len(), self.h.calls.len());
        let flow = f(&mut self.d, &mut self.h);
        if let Some(code) = self.exit {
            assert_eq!(
                flow,
                Flow::Exit(code),
                "after exiting, every call says Exit"
            );
            assert_eq!(
                before,
                (self.h.events.len(), self.h.calls.len()),
                "no host calls after exiting"
            );
            assert_eq!(self.poll_at(), None);
        } else if let Flow::Exit(code) = flow {
            self.exit = Some(code);
            self.h.push(Ev::Exit(code));
            assert_eq!(self.poll_at(), None);
        }
        flow
    }

    /// One call, then what the host hands the daemon right after it: the
    /// ends of the scripts that are over (the default ones at once),
    /// signals that came while a script ran, and dumps' answers.
    fn call(&mut self, f: impl FnOnce(&mut Daemon<'static>, &mut Mock) -> Flow) -> Flow {
        let flow = self.step(f);
        self.settle();
        self.exit.map_or(flow, Flow::Exit)
    }

    fn settle(&mut self) {
        for _ in 0..10_000 {
            if self.exit.is_some() {
                return;
            }
            let now = self.h.now;
            if let Some(r) = self.h.running.iter_mut().find(|r| r.sig.is_some()) {
                let sig = r.sig.take().expect("found by it");
                let slot = r.slot;
                self.h.push(Ev::Sig(sig));
                self.step(|d, h| d.signal(h, sig));
                // Not asked to stop (SIGHUP): it ends by itself, now.
                if let Some(r) = self.h.running.iter_mut().find(|r| r.slot == slot) {
                    if r.end.is_none() && !r.hangs {
                        r.end = Some((now, ScriptOutcome::Exited(0)));
                    }
                }
                continue;
            }
            let due = self
                .h
                .running
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.end.filter(|&(t, _)| t <= now).map(|(t, _)| (t, i)))
                .min();
            if let Some((_, i)) = due {
                let r = self.h.running.remove(i);
                let (_, outcome) = r.end.expect("due");
                self.step(|d, h| d.script_ended(h, r.slot, outcome));
                continue;
            }
            if self.h.dumps > 0 {
                self.h.dumps -= 1;
                if self.h.auto_dump {
                    let dump = self.h.dump();
                    self.step(|d, h| {
                        d.netlink(h, &dump);
                        let now = h.instant(now);
                        d.wake(h, now)
                    });
                }
                continue;
            }
            return;
        }
        panic!("the host's events never end");
    }

    fn start(&mut self, t: SimMs) -> Flow {
        self.at(t);
        self.call(|d, h| {
            let t = h.instant(t);
            d.start(h, t)
        })
    }

    fn wake(&mut self, t: SimMs) -> Flow {
        self.at(t);
        self.call(|d, h| {
            let t = h.instant(t);
            d.wake(h, t)
        })
    }

    fn signal(&mut self, t: SimMs, sig: Signal) -> Flow {
        self.at(t);
        if self.exit.is_none() {
            self.h.push(Ev::Sig(sig));
        }
        self.call(|d, h| d.signal(h, sig))
    }

    fn netlink(&mut self, t: SimMs, datagram: &[u8]) {
        self.at(t);
        self.call(|d, h| {
            d.netlink(h, datagram);
            d.flow()
        });
    }

    fn lost(&mut self, t: SimMs) {
        self.at(t);
        self.call(|d, h| {
            d.netlink_lost(h);
            d.flow()
        });
    }

    /// `poll_at()` as a time: when the host is to wake next by itself.
    fn poll_at(&mut self) -> Option<SimMs> {
        let now = self.h.now;
        let ms = self.d.poll_at(self.h.instant(now));
        ms.map(|ms| now + SimMs::from(ms))
    }

    /// When the host wakes next by itself: at `poll_at()` or when a script
    /// ends, whichever is first, but a day at most (`MAX_SLEEP`); and
    /// whether it then calls `wake()` (not after a day without a deadline:
    /// it only asks `poll_at()` again).
    fn next_wake(&mut self) -> (SimMs, bool) {
        let now = self.h.now;
        let ends = self.h.running.iter().filter_map(|r| r.end.map(|(t, _)| t));
        let ends: Option<SimMs> = ends.min();
        let poll = self.poll_at();
        let day = now + SimMs::from(MAX_SLEEP);
        let t = poll.into_iter().chain(ends).min().unwrap_or(day).min(day);
        (t, poll.is_some() || ends.is_some_and(|e| e <= t))
    }

    /// Sleeps as the host does: wakes at each `poll_at()` and at each
    /// script's end (its end, then a wake, as SIGCHLD does) up to `end`.
    fn run_until(&mut self, end: SimMs) {
        for _ in 0..100_000 {
            if self.exit.is_some() {
                return;
            }
            match self.next_wake() {
                (t, wake) if t <= end => {
                    self.at(t);
                    if wake {
                        self.settle();
                        self.wake(t);
                    }
                }
                _ => {
                    self.at(end);
                    return;
                }
            }
        }
        panic!("the host never sleeps past {end}");
    }

    fn lines(&self) -> Vec<(SimMs, String)> {
        self.h
            .events
            .iter()
            .filter_map(|(t, e)| e.line(self.h.multi).map(|l| (*t, l)))
            .collect()
    }

    /// The status of the first interface watched (the one, without
    /// `multi`).
    fn status(&self) -> Status {
        self.d.links().next().map_or(ERR, Link::status)
    }
}

/// `Options::default()` with changes.
fn opts(f: impl FnOnce(&mut Options<'static>)) -> Options<'static> {
    let mut o = Options::default();
    f(&mut o);
    o
}

const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const NLM_F_MULTI: u16 = 2;

/// One RTM_NEWLINK or RTM_DELLINK with IFLA_IFNAME, in native byte order.
fn nl_msg(ty: u16, nl_flags: u16, index: i32, name: &str, flags: u32) -> Vec<u8> {
    let rta_len = 4 + name.len() + 1;
    let rta_space = (rta_len + 3) & !3;
    let total = 16 + 16 + rta_space;
    let mut v = Vec::with_capacity(total);
    v.extend_from_slice(&(total as u32).to_ne_bytes());
    v.extend_from_slice(&ty.to_ne_bytes());
    v.extend_from_slice(&nl_flags.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes()); // seq
    v.extend_from_slice(&0u32.to_ne_bytes()); // pid
    v.push(0); // AF_UNSPEC
    v.push(0);
    v.extend_from_slice(&1u16.to_ne_bytes()); // ARPHRD_ETHER
    v.extend_from_slice(&index.to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes()); // change
    v.extend_from_slice(&(rta_len as u16).to_ne_bytes());
    v.extend_from_slice(&3u16.to_ne_bytes()); // IFLA_IFNAME
    v.extend_from_slice(name.as_bytes());
    v.resize(total, 0);
    v
}

/// A dump's end: NLMSG_DONE with its 0.
fn nl_done() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&20u32.to_ne_bytes());
    v.extend_from_slice(&3u16.to_ne_bytes()); // NLMSG_DONE
    v.extend_from_slice(&NLM_F_MULTI.to_ne_bytes());
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&0i32.to_ne_bytes());
    v
}

/// An announcement, flags up and running (the `Nl` step puts in eth0's
/// flags as they are then).
fn nl_link(ty: u16, index: i32, name: &str) -> Vec<u8> {
    nl_msg(ty, 0, index, name, IFF_UP | IFF_RUNNING)
}

fn newlink(index: i32, name: &str) -> Vec<u8> {
    nl_link(RTM_NEWLINK, index, name)
}

fn dellink(index: i32, name: &str) -> Vec<u8> {
    nl_link(RTM_DELLINK, index, name)
}

// ---------------------------------------------------------------------------
// The tables.

#[derive(Clone, Debug)]
enum Step {
    Start(SimMs),
    Wake(SimMs),
    /// Wake at each `poll_at()` up to this time.
    Run(SimMs),
    Sig(SimMs, Signal),
    /// A netlink datagram (no wake: `Run` or `Wake` follows).
    Nl(SimMs, Vec<u8>),
    /// The netlink socket overflowed.
    Lost(SimMs),
    /// `poll_at()` returns this now.
    PollAt(Option<SimMs>),
    /// `status()` returns this now.
    StatusIs(Status),
    /// The world changes: the interface's flags.
    Flags(Result<u32, i32>),
    /// The world changes: the interface's index (None: it does not exist).
    Index(Option<u32>),
    /// Wake at the real time `.1`, told the lagging time `.0` (a poll that
    /// timed out late, or after SIGSTOP).
    WakeLagging(SimMs, SimMs),
}

use Step::*;

const STARTED: (SimMs, &str) = (0, "started: <banner>");
const ETHTOOL: (SimMs, &str) = (0, "using SIOCETHTOOL detection mode");
const EXEC_UP: &str = "executing '/etc/ifplugd/ifplugd.action eth0 up'";
const EXEC_DOWN: &str = "executing '/etc/ifplugd/ifplugd.action eth0 down'";
const EXIT_0: &str = "exit code: 0";
/// Start-up with the link up and the up script.
const START_UP: [(SimMs, &str); 6] = [
    STARTED,
    ETHTOOL,
    (0, "link is up"),
    (0, EXEC_UP),
    (0, "run up PREVIOUS=error CURRENT=up"),
    (0, EXIT_0),
];
/// Start-up with the link down.
const START_DOWN: [(SimMs, &str); 3] = [STARTED, ETHTOOL, (0, "link is down")];

#[derive(Clone)]
struct Case {
    name: &'static str,
    opts: Options<'static>,
    mock: Mock,
    steps: Vec<Step>,
    expect: Vec<(SimMs, &'static str)>,
    /// The calls of [`Call`], when the case looks at them.
    calls: Option<Vec<(SimMs, &'static str)>>,
}

fn case(
    name: &'static str,
    opts: Options<'static>,
    mock: Mock,
    steps: Vec<Step>,
    expect: &[&[(SimMs, &'static str)]],
) -> Case {
    Case {
        name,
        opts,
        mock,
        steps,
        expect: expect.concat(),
        calls: None,
    }
}

impl Case {
    fn calls(mut self, calls: &[(SimMs, &'static str)]) -> Self {
        self.calls = Some(calls.to_vec());
        self
    }

    fn run(self) -> Sim {
        let name = self.name;
        let mut sim = Sim::new(self.opts, self.mock);
        for step in self.steps {
            match step {
                Start(t) => {
                    sim.start(t);
                }
                Wake(t) => {
                    sim.wake(t);
                }
                WakeLagging(told, real) => {
                    sim.at(real);
                    sim.call(|d, h| {
                        let told = h.instant(told);
                        d.wake(h, told)
                    });
                }
                Run(t) => sim.run_until(t),
                Sig(t, s) => {
                    sim.signal(t, s);
                }
                Nl(t, mut bytes) => {
                    // The message carries the interface's flags as they
                    // are now, as the kernel's would.
                    if let (Some(field), Ok(flags)) = (bytes.get_mut(24..28), sim.h.eth0().flags) {
                        field.copy_from_slice(&flags.to_ne_bytes());
                    }
                    sim.netlink(t, &bytes)
                }
                Lost(t) => sim.lost(t),
                // A time passed (0 in the tables) is "at once".
                PollAt(p) => {
                    let now = sim.h.now;
                    let want = p.map(|t| t.max(now));
                    assert_eq!(sim.poll_at(), want, "{name}: poll_at at {now}");
                }
                StatusIs(s) => assert_eq!(sim.status(), s, "{name}: status at {}", sim.h.now),
                Flags(f) => sim.h.eth0().flags = f,
                Index(i) => sim.h.eth0().index = i,
            }
        }
        let got = sim.lines();
        let want: Vec<(SimMs, String)> = self
            .expect
            .iter()
            .map(|&(t, s)| (t, s.to_string()))
            .collect();
        assert!(
            got == want,
            "{name}:\n got: {}\nwant: {}",
            show(&got),
            show(&want)
        );
        if let Some(calls) = self.calls {
            let got: Vec<(SimMs, &str)> =
                sim.h.calls.iter().map(|(t, _, c)| (*t, c.name())).collect();
            assert_eq!(got, calls, "{name}: host calls");
        }
        sim
    }
}

fn show(lines: &[(SimMs, String)]) -> String {
    let mut s = String::new();
    for (t, l) in lines {
        s += &format!("\n  ({t}, {l:?}),");
    }
    s
}

/// Each case from each of [`BASES`].
fn run_all(table: Vec<Case>) {
    for c in table {
        for base in BASES {
            let mut c = c.clone();
            c.mock.base = base;
            c.run();
        }
    }
}

#[test]
fn start_up() {
    run_all(vec![
        case(
            "link up: the up script, PREVIOUS=error",
            opts(|_| {}),
            Mock::new(&[(0, UP)]),
            vec![Start(0), PollAt(Some(1000)), StatusIs(UP)],
            &[&START_UP],
        ),
        case(
            "link down: no script",
            opts(|_| {}),
            Mock::new(&[(0, DOWN)]),
            vec![Start(0), PollAt(Some(1000)), StatusIs(DOWN), Run(10_000)],
            &[&START_DOWN],
        ),
        case(
            "-p: no up script",
            opts(|o| o.no_startup = true),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(10_000)],
            &[&[STARTED, ETHTOOL, (0, "link is up")]],
        ),
        case(
            "-l with the link down: the down script, PREVIOUS=error CURRENT=down",
            opts(|o| o.initial_down = true),
            Mock::new(&[(0, DOWN)]),
            vec![Start(0), Run(10_000)],
            &[
                &START_DOWN,
                &[
                    (0, EXEC_DOWN),
                    (0, "run down PREVIOUS=error CURRENT=down"),
                    (0, EXIT_0),
                ],
            ],
        ),
        case(
            "-l with the link up: BusyBox runs the script for the status: up",
            opts(|o| o.initial_down = true),
            Mock::new(&[(0, UP)]),
            vec![Start(0)],
            &[&START_UP],
        ),
        case(
            "-p -l with the link up: -l wins, the up script",
            opts(|o| {
                o.initial_down = true;
                o.no_startup = true;
            }),
            Mock::new(&[(0, UP)]),
            vec![Start(0)],
            &[&START_UP],
        ),
        case(
            "-p -l with the link down: the down script",
            opts(|o| {
                o.initial_down = true;
                o.no_startup = true;
            }),
            Mock::new(&[(0, DOWN)]),
            vec![Start(0)],
            &[
                &START_DOWN,
                &[
                    (0, EXEC_DOWN),
                    (0, "run down PREVIOUS=error CURRENT=down"),
                    (0, EXIT_0),
                ],
            ],
        ),
        case(
            "-t 3: the first poll after the poll time",
            opts(|o| o.poll_secs = 3),
            Mock::new(&[(0, DOWN)]),
            vec![Start(250), PollAt(Some(3250))],
            &[&[(250, STARTED.1), (250, ETHTOOL.1), (250, "link is down")]],
        ),
    ]);
}

#[test]
fn delays() {
    run_all(vec![
        case(
            "down shorter than -d: nothing runs",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1500, DOWN), (3500, UP)]),
            vec![Start(0), Run(20_000)],
            &[&START_UP, &[(2000, "link is down"), (4000, "link is up")]],
        ),
        case(
            "down outlasting -d: the script at the change + the delay",
            opts(|o| {
                o.poll_secs = 10;
                o.delay_down = 3;
            }),
            Mock::new(&[(0, UP), (5000, DOWN)]),
            vec![
                Start(0),
                PollAt(Some(10_000)),
                Wake(10_000),
                // The deadline comes before the next poll.
                PollAt(Some(13_000)),
                Wake(12_999),
                Wake(13_000),
                PollAt(Some(20_000)),
                StatusIs(DOWN),
            ],
            &[
                &START_UP,
                &[
                    (10_000, "link is down"),
                    (13_000, EXEC_DOWN),
                    (13_000, "run down PREVIOUS=up CURRENT=down"),
                    (13_000, EXIT_0),
                ],
            ],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "probe ethtool"),
            (10000, "probe ethtool"),
            (13000, "probe ethtool"),
        ]),
        case(
            "up with -u 2: the script 2 s after the check that saw it",
            opts(|o| o.delay_up = 2),
            Mock::new(&[(0, DOWN), (1500, UP)]),
            vec![
                Start(0),
                Run(2000),
                PollAt(Some(3000)),
                Run(3000),
                PollAt(Some(4000)),
                Run(10_000),
            ],
            &[
                &START_DOWN,
                &[
                    (2000, "link is up"),
                    (4000, EXEC_UP),
                    (4000, "run up PREVIOUS=down CURRENT=up"),
                    (4000, EXIT_0),
                ],
            ],
        ),
        case(
            "up shorter than -u: nothing runs",
            opts(|o| o.delay_up = 3),
            Mock::new(&[(0, DOWN), (1500, UP), (2500, DOWN)]),
            vec![Start(0), Run(20_000)],
            &[&START_DOWN, &[(2000, "link is up"), (3000, "link is down")]],
        ),
        case(
            "a change back cancels the pending one; the next starts afresh",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1500, DOWN), (3500, UP), (5500, DOWN)]),
            vec![
                Start(0),
                Run(2000),
                PollAt(Some(3000)),
                Run(10_999),
                Run(20_000),
            ],
            &[
                &START_UP,
                &[
                    (2000, "link is down"),
                    (4000, "link is up"),
                    (6000, "link is down"),
                    (11_000, EXEC_DOWN),
                    (11_000, "run down PREVIOUS=up CURRENT=down"),
                    (11_000, EXIT_0),
                ],
            ],
        ),
        case(
            "-d 0: the script at the check that saw the change",
            opts(|o| o.delay_down = 0),
            Mock::new(&[(0, UP), (1500, DOWN), (2500, UP)]),
            vec![Start(0), Run(5000)],
            &[
                &START_UP,
                &[
                    (2000, "link is down"),
                    (2000, EXEC_DOWN),
                    (2000, "run down PREVIOUS=up CURRENT=down"),
                    (2000, EXIT_0),
                    (3000, "link is up"),
                    (3000, EXEC_UP),
                    (3000, "run up PREVIOUS=down CURRENT=up"),
                    (3000, EXIT_0),
                ],
            ],
        ),
        case(
            "a deadline holds on the real clock when the time passed in lags",
            opts(|o| o.delay_down = 3),
            Mock::new(&[(0, UP), (20_000, DOWN)]),
            vec![
                Start(0),
                // Stopped for 19 s: the poll that timed out says 1 s passed.
                WakeLagging(1000, 20_000),
                // The next wake reads the clock (a signal, a message).
                Wake(20_100),
                PollAt(Some(21_100)),
                Run(23_000),
            ],
            &[
                &START_UP,
                &[
                    (20_000, "link is down"),
                    (23_000, EXEC_DOWN),
                    (23_000, "run down PREVIOUS=up CURRENT=down"),
                    (23_000, EXIT_0),
                ],
            ],
        ),
        case(
            "a change between two polls is not seen",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1200, DOWN), (1800, UP)]),
            vec![Start(0), Run(10_000)],
            &[&START_UP],
        ),
    ]);
}

/// Each case with the daemon's clock wrapping at 1500 (and crossing its
/// sign there, and from 0).
fn run_wrapping_at_1500(table: Vec<Case>) {
    for c in table {
        for base in [u32::MAX - 1499, i32::MAX as u32 - 1499, 0] {
            let mut c = c.clone();
            c.mock.base = base;
            c.run();
        }
    }
}

/// 30 days: past 2^31 ms, so an instant not settled would seem ahead.
const DAYS_30: SimMs = 30 * 86_400_000;

#[test]
fn the_clock_wraps() {
    run_wrapping_at_1500(vec![
        case(
            "-u 3 pending across the wrap",
            opts(|o| {
                o.poll_secs = 10;
                o.delay_up = 3;
            }),
            Mock::new(&[(0, DOWN), (1100, UP)]),
            vec![
                Start(0),
                Nl(1200, newlink(7, "eth0")),
                Wake(1200),
                PollAt(Some(4200)),
                Wake(4199),
                Run(20_000),
            ],
            &[
                &START_DOWN,
                &[
                    (1200, "link is up"),
                    (4200, EXEC_UP),
                    (4200, "run up PREVIOUS=down CURRENT=up"),
                    (4200, EXIT_0),
                ],
            ],
        ),
        case(
            "-d 5 pending across the wrap",
            opts(|o| o.poll_secs = 10),
            Mock::new(&[(0, UP), (1100, DOWN)]),
            vec![
                Start(0),
                Nl(1200, newlink(7, "eth0")),
                Wake(1200),
                PollAt(Some(6200)),
                Wake(6199),
                Run(20_000),
            ],
            &[
                &START_UP,
                &[
                    (1200, "link is down"),
                    (6200, EXEC_DOWN),
                    (6200, "run down PREVIOUS=up CURRENT=down"),
                    (6200, EXIT_0),
                ],
            ],
        ),
        case(
            "-P -t 1: the poll ticks on across the wrap",
            opts(|o| {
                o.poll_only = true;
                o.delay_down = 0;
            }),
            Mock::new(&[(0, UP), (2300, DOWN)]),
            vec![
                Start(0),
                Run(1400),
                PollAt(Some(2000)),
                Run(2000),
                PollAt(Some(3000)),
                Run(10_000),
            ],
            &[
                &START_UP,
                &[
                    (3000, "link is down"),
                    (3000, EXEC_DOWN),
                    (3000, "run down PREVIOUS=up CURRENT=down"),
                    (3000, EXIT_0),
                ],
            ],
        ),
        case(
            "a script running across the wrap: the change is checked at its end",
            opts(|o| o.delay_down = 0),
            Mock::new(&[(0, UP), (1000, DOWN)])
                .plans(&[Plan::Ends(3000, ScriptOutcome::Exited(0))]),
            vec![Start(0), PollAt(None), Run(2999), Run(10_000)],
            &[
                &START_UP[..5],
                &[
                    (3000, EXIT_0),
                    (3000, "link is down"),
                    (3000, EXEC_DOWN),
                    (3000, "run down PREVIOUS=up CURRENT=down"),
                    (3000, EXIT_0),
                ],
            ],
        ),
        case(
            "SIGTERM to a hung script: SIGKILL a grace period on, across the wrap",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).plans(&[Plan::Hangs]),
            vec![
                Start(0),
                Sig(1000, Signal::Terminate),
                PollAt(Some(1000 + SimMs::from(crate::link::GRACE_MS))),
                Run(1999),
                PollAt(Some(2000)),
                Run(5000),
            ],
            &[
                &START_UP[..5],
                &[
                    (1000, "stopping script"),
                    (2000, EXEC_DOWN),
                    (2000, "run down PREVIOUS=up CURRENT=error"),
                    (2000, EXIT_0),
                ],
                &[(2000, "exiting"), (2000, "exit 1")],
            ],
        ),
        case(
            "a script that runs 30 days: the poll that came due meanwhile \
             checks at once after it",
            opts(|o| o.delay_down = 0),
            Mock::new(&[(0, UP), (1000, DOWN)])
                .plans(&[Plan::Ends(DAYS_30, ScriptOutcome::Exited(0))]),
            vec![Start(0), Run(DAYS_30 + 5000)],
            &[
                &START_UP[..5],
                &[
                    (DAYS_30, EXIT_0),
                    (DAYS_30, "link is down"),
                    (DAYS_30, EXEC_DOWN),
                    (DAYS_30, "run down PREVIOUS=up CURRENT=down"),
                    (DAYS_30, EXIT_0),
                ],
            ],
        ),
        case(
            "-t 0, idle 30 days: a message is checked at once, as on day one",
            opts(|o| {
                o.poll_secs = 0;
                o.delay_down = 0;
            }),
            Mock::new(&[(0, UP), (1000, DOWN)]),
            vec![
                Start(0),
                PollAt(None),
                Run(DAYS_30),
                Nl(DAYS_30, newlink(7, "eth0")),
                PollAt(Some(0)),
                Run(DAYS_30 + 1000),
            ],
            &[
                &START_UP,
                &[
                    (DAYS_30, "link is down"),
                    (DAYS_30, EXEC_DOWN),
                    (DAYS_30, "run down PREVIOUS=up CURRENT=down"),
                    (DAYS_30, EXIT_0),
                ],
            ],
        ),
        case(
            "-d 2147483647 (any int): the down script 24.8 days on, the longest wait",
            opts(|o| {
                o.poll_secs = 0;
                o.delay_down = crate::options::NUMBER_MAX;
            }),
            Mock::new(&[(0, UP), (1100, DOWN)]),
            vec![
                Start(0),
                Nl(1200, newlink(7, "eth0")),
                Wake(1200),
                PollAt(Some(1200 + SimMs::from(crate::delay::MAX_WAIT))),
                Run(1200 + SimMs::from(crate::delay::MAX_WAIT) - 1),
                StatusIs(DOWN),
                Run(DAYS_30),
            ],
            &[
                &START_UP,
                &[
                    (1200, "link is down"),
                    (1200 + 2_147_483_647, EXEC_DOWN),
                    (1200 + 2_147_483_647, "run down PREVIOUS=up CURRENT=down"),
                    (1200 + 2_147_483_647, EXIT_0),
                ],
            ],
        ),
    ]);
}

#[test]
fn signals() {
    let exiting = |t| [(t, "exiting"), (t, "exit 1")];
    run_all(vec![
        case(
            "SIGTERM with the link up: down script, PREVIOUS=up CURRENT=error",
            opts(|_| {}),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Sig(500, Signal::Terminate),
                Wake(1000),
                Sig(1100, Signal::Terminate),
                Run(5000),
            ],
            &[
                &START_UP,
                &[
                    (500, EXEC_DOWN),
                    (500, "run down PREVIOUS=up CURRENT=error"),
                    (500, EXIT_0),
                ],
                &exiting(500),
            ],
        ),
        case(
            "SIGTERM with -q: no script",
            opts(|o| o.no_shutdown = true),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Sig(500, Signal::Terminate)],
            &[&START_UP, &exiting(500)],
        ),
        case(
            "SIGTERM with the link down and nothing pending: no script",
            opts(|_| {}),
            Mock::new(&[(0, DOWN)]),
            vec![Start(0), Run(3000), Sig(3500, Signal::Terminate)],
            &[&START_DOWN, &exiting(3500)],
        ),
        case(
            "SIGTERM while a down is pending: down script, PREVIOUS=down",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1500, DOWN)]),
            vec![Start(0), Run(3000), Sig(3500, Signal::Terminate)],
            &[
                &START_UP,
                &[
                    (2000, "link is down"),
                    (3500, EXEC_DOWN),
                    (3500, "run down PREVIOUS=down CURRENT=error"),
                    (3500, EXIT_0),
                ],
                &exiting(3500),
            ],
        ),
        case(
            "SIGTERM while an up is pending: BusyBox runs down for status up",
            opts(|o| o.delay_up = 5),
            Mock::new(&[(0, DOWN), (1500, UP)]),
            vec![Start(0), Run(3000), Sig(3500, Signal::Terminate)],
            &[
                &START_DOWN,
                &[
                    (2000, "link is up"),
                    (3500, EXEC_DOWN),
                    (3500, "run down PREVIOUS=up CURRENT=error"),
                    (3500, EXIT_0),
                ],
                &exiting(3500),
            ],
        ),
        case(
            "SIGTERM: the shutdown script's failure changes nothing",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).outcomes(&[ScriptOutcome::Exited(0), ScriptOutcome::Exited(3)]),
            vec![Start(0), Sig(500, Signal::Terminate)],
            &[
                &START_UP,
                &[
                    (500, EXEC_DOWN),
                    (500, "run down PREVIOUS=up CURRENT=error"),
                    (500, "exit code: 3"),
                ],
                &exiting(500),
            ],
        ),
        case(
            "SIGTERM while a script ignores SIGTERM: SIGKILL after the grace period, then the \
             shutdown script",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).plans(&[Plan::Hangs]),
            vec![
                Start(0),
                PollAt(None),
                Sig(500, Signal::Terminate),
                PollAt(Some(500 + SimMs::from(crate::link::GRACE_MS))),
                Run(5000),
            ],
            &[
                &START_UP[..5],
                &[
                    (500, "stopping script"),
                    (1500, EXEC_DOWN),
                    (1500, "run down PREVIOUS=up CURRENT=error"),
                    (1500, EXIT_0),
                ],
                &exiting(1500),
            ],
        ),
        case(
            "SIGQUIT: no script, exit 1",
            opts(|_| {}),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Sig(500, Signal::Quit), Run(3000), PollAt(None)],
            &[&START_UP, &exiting(500)],
        ),
        case(
            "SIGHUP: ignored",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1500, DOWN)]),
            vec![
                Start(0),
                Sig(500, Signal::Hangup),
                PollAt(Some(1000)),
                Run(2000),
            ],
            &[&START_UP, &[(2000, "link is down")]],
        ),
    ]);
}

#[test]
fn detection() {
    run_all(vec![
        case(
            "auto, nothing works at start: 'failed to detect', exiting",
            opts(|_| {}),
            Mock::new(&[(0, ERR)]),
            vec![Start(0)],
            &[&[STARTED, (0, "failed to detect link status"), (0, "exiting"), (0, "exit 1")]],
        )
        .calls(&[(0, "if_flags"), (0, "probe ethtool"), (0, "probe mii"), (0, "probe private"), (0, "probe wlan"), (0, "probe iff")]),
        case(
            "auto, error in the main loop without -M: the cached method's error, exiting, no script",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1500, ERR)]),
            vec![Start(0), Run(5000)],
            &[
                &START_UP,
                &[
                    (2000, "ETHTOOL_GLINK failed: Operation not supported"),
                    (2000, "failed to detect link status"),
                    (2000, "exiting"),
                    (2000, "exit 1"),
                ],
            ],
        ),
        case(
            "-f: an error is down, silently",
            opts(|o| o.ignore_fail = true),
            Mock::new(&[(0, ERR), (1500, UP)]),
            vec![Start(0), Run(2500)],
            &[
                &[STARTED, (0, "link is down")],
                &[
                    (2000, "using SIOCETHTOOL detection mode"),
                    (2000, "link is up"),
                    (2000, EXEC_UP),
                    (2000, "run up PREVIOUS=down CURRENT=up"),
                    (2000, EXIT_0),
                ],
            ],
        ),
        case(
            "-F: an error is up",
            opts(|o| o.ignore_fail_positive = true),
            Mock::new(&[(0, ERR)]),
            vec![Start(0), Run(3000)],
            &[&[
                STARTED,
                (0, "link is up"),
                (0, EXEC_UP),
                (0, "run up PREVIOUS=error CURRENT=up"),
                (0, EXIT_0),
            ]],
        ),
        case(
            "-f -F: -F wins",
            opts(|o| {
                o.ignore_fail = true;
                o.ignore_fail_positive = true;
            }),
            Mock::new(&[(0, ERR)]),
            vec![Start(0)],
            &[&[
                STARTED,
                (0, "link is up"),
                (0, EXEC_UP),
                (0, "run up PREVIOUS=error CURRENT=up"),
                (0, EXIT_0),
            ]],
        ),
        case(
            "-M: an error in the main loop is down",
            opts(|o| {
                o.monitor = true;
                o.delay_down = 2;
            }),
            Mock::new(&[(0, UP), (1500, ERR)]),
            vec![Start(0), Run(4000)],
            &[
                &[STARTED, ETHTOOL, (0, "interface exists")],
                &START_UP[2..],
                &[
                    (2000, "ETHTOOL_GLINK failed: Operation not supported"),
                    (2000, "failed to detect link status"),
                    (2000, "link is down"),
                    (3000, "ETHTOOL_GLINK failed: Operation not supported"),
                    (3000, "failed to detect link status"),
                    (4000, "ETHTOOL_GLINK failed: Operation not supported"),
                    (4000, "failed to detect link status"),
                    (4000, EXEC_DOWN),
                    (4000, "run down PREVIOUS=up CURRENT=down"),
                    (4000, EXIT_0),
                ],
            ],
        ),
        case(
            "-M: a probe says ENODEV: the interface disappeared, no error line",
            opts(|o| o.monitor = true),
            Mock::new(&[(0, UP), (1500, ERR)]).err_errno(ENODEV),
            vec![Start(0), Run(7000)],
            &[
                &[STARTED, ETHTOOL, (0, "interface exists")],
                &START_UP[2..],
                &[
                    (2000, "interface disappeared"),
                    (2000, "link is down"),
                    (7000, EXEC_DOWN),
                    (7000, "run down PREVIOUS=up CURRENT=down"),
                    (7000, EXIT_0),
                ],
            ],
        ),
        case(
            "without -M, ENODEV from a probe is a detection error like any other",
            opts(|o| o.api_mode = ApiMode::Ethtool),
            Mock::new(&[(0, UP), (1500, ERR)]).err_errno(ENODEV),
            vec![Start(0), Run(7000)],
            &[
                &[STARTED],
                &START_UP[2..],
                &[(2000, "ETHTOOL_GLINK failed: No such device"), (2000, "exiting"), (2000, "exit 1")],
            ],
        ),
        case(
            "auto: the cached method fails: its error, then a fresh search",
            opts(|_| {}),
            Mock::new(&[(0, UP)])
                .broken(Method::Ethtool, 0, FOREVER)
                .broken(Method::Mii, 0, FOREVER)
                .broken(Method::Private, 1500, FOREVER),
            vec![Start(0), Run(3000)],
            &[
                &[(0, STARTED.1), (0, "using SIOCDEVPRIVATE detection mode")],
                &START_UP[2..],
                &[
                    (2000, "SIOCDEVPRIVATE failed: Operation not supported"),
                    (2000, "using wireless extension detection mode"),
                ],
            ],
        )
        .calls(&[(0, "if_flags"), (0, "probe ethtool"), (0, "probe mii"), (0, "probe private"), (1000, "probe private"), (2000, "probe private"), (2000, "probe ethtool"), (2000, "probe mii"), (2000, "probe private"), (2000, "probe wlan"), (3000, "probe wlan")]),
        case(
            "-m mii failing under -f: the ioctl's error, no 'failed to detect'",
            opts(|o| {
                o.api_mode = ApiMode::Mii;
                o.ignore_fail = true;
            }),
            Mock::new(&[(0, UP)]).broken(Method::Mii, 1500, FOREVER),
            vec![Start(0), Run(2000)],
            &[
                &[STARTED, (0, "link is up")],
                &START_UP[3..],
                &[
                    (2000, "SIOCGMIIPHY failed: Operation not supported"),
                    (2000, "link is down"),
                ],
            ],
        ),
    ]);
}

#[test]
fn auto_mode_takes_the_first_method_that_works() {
    let names = [
        "using SIOCETHTOOL detection mode",
        "using SIOCGMIIPHY detection mode",
        "using SIOCDEVPRIVATE detection mode",
        "using wireless extension detection mode",
        "using IFF_RUNNING detection mode",
    ];
    for (k, name) in names.iter().enumerate() {
        let mut mock = Mock::new(&[(0, UP), (1500, DOWN)]);
        for &m in &Method::AUTO_ORDER[..k] {
            mock = mock.broken(m, 0, FOREVER);
        }
        let sim = case(
            "auto order",
            opts(|_| {}),
            mock,
            vec![Start(0), Run(2000)],
            &[
                &[STARTED, (0, name)],
                &START_UP[2..],
                &[(2000, "link is down")],
            ],
        )
        .run();
        let probes = |t| -> Vec<Method> {
            sim.h
                .calls
                .iter()
                .filter_map(|&(at, _, c)| match c {
                    Call::Probe(m) if at == t => Some(m),
                    _ => None,
                })
                .collect()
        };
        // Silently tried in order, the first that works is kept.
        assert_eq!(probes(0), &Method::AUTO_ORDER[..=k]);
        assert_eq!(probes(1000), [Method::AUTO_ORDER[k]]);
        assert_eq!(probes(2000), [Method::AUTO_ORDER[k]]);
    }
}

#[test]
fn explicit_modes_log_their_errors() {
    let table = [
        (
            ApiMode::Ethtool,
            "ETHTOOL_GLINK failed: Operation not supported",
            "probe ethtool",
        ),
        (
            ApiMode::Mii,
            "SIOCGMIIPHY failed: Operation not supported",
            "probe mii",
        ),
        (
            ApiMode::Private,
            "SIOCDEVPRIVATE failed: Operation not supported",
            "probe private",
        ),
        (
            ApiMode::Wlan,
            "SIOCGIWAP failed: Operation not supported",
            "probe wlan",
        ),
        (
            ApiMode::Iff,
            "SIOCGIFFLAGS failed: Operation not supported",
            "probe iff",
        ),
    ];
    for (mode, line, probe) in table {
        case(
            "explicit mode failing at start",
            opts(|o| o.api_mode = mode),
            Mock::new(&[(0, ERR)]),
            vec![Start(0)],
            &[&[STARTED, (0, line), (0, "exiting"), (0, "exit 1")]],
        )
        .calls(&[(0, "if_flags"), (0, probe)])
        .run();
        // And no "using ... detection mode" when it works.
        case(
            "explicit mode working",
            opts(|o| o.api_mode = mode),
            Mock::new(&[(0, UP)]),
            vec![Start(0)],
            &[&[STARTED], &START_UP[2..]],
        )
        .run();
    }
}

#[test]
fn iff_keeps_the_last_status_while_admin_down() {
    let iff = || {
        opts(|o| {
            o.api_mode = ApiMode::Iff;
            o.no_auto = true;
        })
    };
    run_all(vec![
        case(
            "IFF_UP cleared: the link's fall is not seen until IFF_UP is back",
            iff(),
            Mock::new(&[(0, UP), (2500, DOWN)]).flags(Ok(IFF_UP)),
            vec![
                Start(0),
                Run(1000),
                Flags(Ok(0)),
                Run(4000),
                StatusIs(UP),
                Flags(Ok(IFF_UP)),
                Run(10_000),
            ],
            &[
                &[STARTED],
                &START_UP[2..],
                &[
                    (5000, "link is down"),
                    (10_000, EXEC_DOWN),
                    (10_000, "run down PREVIOUS=up CURRENT=down"),
                    (10_000, EXIT_0),
                ],
            ],
        ),
        case(
            "admin-down at start: nothing to keep, so down",
            iff(),
            Mock::new(&[(0, UP)]).flags(Ok(0)),
            vec![Start(0), Run(3000)],
            &[&[STARTED, (0, "link is down")]],
        ),
    ]);
}

#[test]
fn up_iface() {
    run_all(vec![
        case(
            "IFF_UP clear: 'upping interface' and the flags with IFF_UP",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).flags(Ok(0x1002)),
            vec![Start(0), Run(2000)],
            &[
                &[STARTED, (0, "upping interface"), (0, "set flags 0x1003")],
                &START_UP[1..],
            ],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (2000, "probe ethtool"),
        ]),
        case(
            "-a: the interface's flags are left alone",
            opts(|o| o.no_auto = true),
            Mock::new(&[(0, UP)]).flags(Ok(0x1002)),
            vec![Start(0), Run(2000)],
            &[&START_UP],
        )
        .calls(&[
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (2000, "probe ethtool"),
        ]),
        case(
            "setting the flags fails: exit 1 without 'exiting'",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).flags(Ok(0x1002)).set_flags(Err(1)),
            vec![Start(0)],
            &[&[
                STARTED,
                (0, "upping interface"),
                (0, "set flags 0x1003"),
                (0, SET_FLAGS_EPERM),
                (0, "exit 1"),
            ]],
        ),
        case(
            "the interface is set down later: upped again at the next check",
            opts(|_| {}),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(1000),
                Flags(Ok(0)),
                Nl(1500, newlink(1, "eth0")),
                Run(2000),
            ],
            &[
                &START_UP,
                &[(1500, "upping interface"), (1500, "set flags 0x1")],
            ],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (1500, "if_flags"),
            (1500, "probe ethtool"),
            (2000, "if_flags"),
            (2000, "probe ethtool"),
        ]),
        case(
            "-P: the flags asked at every check, as BusyBox does",
            opts(|o| o.poll_only = true),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(1000), Flags(Ok(0)), Run(2000)],
            &[
                &START_UP,
                &[(2000, "upping interface"), (2000, "set flags 0x1")],
            ],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "if_flags"),
            (1000, "probe ethtool"),
            (2000, "if_flags"),
            (2000, "probe ethtool"),
        ]),
        case(
            "messages lost: the flags asked again at the next check",
            opts(|_| {}),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(1000), Flags(Ok(0)), Lost(1500), Run(2000)],
            &[
                &START_UP,
                &[
                    (1500, "netlink: messages lost, re-reading interface state"),
                    (1500, "upping interface"),
                    (1500, "set flags 0x1"),
                ],
            ],
        ),
        case(
            "getting the flags fails at start: no interface, so exiting",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).flags(Err(ENODEV)),
            vec![Start(0)],
            &[&[
                STARTED,
                (0, "can't get interface flags: No such device"),
                (0, "exiting"),
                (0, "exit 1"),
            ]],
        )
        .calls(&[(0, "if_flags")]),
        case(
            "getting the flags fails later: probed this once, exiting at the next check",
            opts(|o| o.poll_only = true),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(500), Flags(Err(ENODEV)), Run(5000)],
            &[
                &START_UP,
                &[
                    (1000, "can't get interface flags: No such device"),
                    (2000, "exiting"),
                    (2000, "exit 1"),
                ],
            ],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "if_flags"),
            (1000, "probe ethtool"),
        ]),
        case(
            "deleted (no -M): the RTM_DELLINK has the flags asked at once, exiting a check later",
            opts(|_| {}),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(500),
                Flags(Err(ENODEV)),
                Nl(700, dellink(1, "eth0")),
                Run(5000),
            ],
            &[
                &START_UP,
                &[
                    (700, "can't get interface flags: No such device"),
                    (1000, "exiting"),
                    (1000, "exit 1"),
                ],
            ],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "probe ethtool"),
            (700, "if_flags"),
            (700, "probe ethtool"),
        ]),
        case(
            "getting the flags fails under -M -P: missing, so down at once (no 'disappeared')",
            opts(|o| {
                o.monitor = true;
                o.poll_only = true;
            }),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(500), Flags(Err(EPERM)), Run(7000)],
            &[
                &[STARTED, ETHTOOL, (0, "interface exists")],
                &START_UP[2..],
                &[
                    (1000, "can't get interface flags: Operation not permitted"),
                    (1000, "link is down"),
                    (6000, EXEC_DOWN),
                    (6000, "run down PREVIOUS=up CURRENT=down"),
                    (6000, EXIT_0),
                ],
            ],
        ),
        case(
            // Without -P the flags are not asked while netlink says IFF_UP;
            // a probe's ENODEV then plays this part (see detection()).
            "the flags say ENODEV under -M -P: the interface disappeared",
            opts(|o| {
                o.monitor = true;
                o.poll_only = true;
            }),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(500), Flags(Err(ENODEV)), Run(7000)],
            &[
                &[STARTED, ETHTOOL, (0, "interface exists")],
                &START_UP[2..],
                &[
                    (1000, "interface disappeared"),
                    (1000, "link is down"),
                    (6000, EXEC_DOWN),
                    (6000, "run down PREVIOUS=up CURRENT=down"),
                    (6000, EXIT_0),
                ],
            ],
        ),
    ]);
}

#[test]
fn monitor() {
    let monitor = |delay_up| {
        opts(move |o| {
            o.monitor = true;
            o.delay_up = delay_up;
        })
    };
    let exists_up: &[(SimMs, &str)] = &[
        STARTED,
        ETHTOOL,
        (0, "interface exists"),
        (0, "link is up"),
        (0, EXEC_UP),
        (0, "run up PREVIOUS=error CURRENT=up"),
        (0, EXIT_0),
    ];
    let gone = |t| {
        [
            (t, "interface disappeared"),
            (t, "link is down"),
            (t + 5000, EXEC_DOWN),
            (t + 5000, "run down PREVIOUS=up CURRENT=down"),
            (t + 5000, EXIT_0),
        ]
    };
    run_all(vec![
        case(
            "missing at start: waiting, down, no 'link is', no probe",
            monitor(0),
            Mock::new(&[(0, UP)]).index(None),
            vec![Start(0), StatusIs(DOWN), Run(5000), StatusIs(DOWN)],
            &[&[STARTED, (0, "interface doesn't exist, waiting")]],
        )
        .calls(&[(0, "if_index")]),
        case(
            "missing at start with -l: the down script",
            opts(|o| {
                o.monitor = true;
                o.initial_down = true;
            }),
            Mock::new(&[(0, UP)]).index(None),
            vec![Start(0)],
            &[&[
                STARTED,
                (0, "interface doesn't exist, waiting"),
                (0, EXEC_DOWN),
                (0, "run down PREVIOUS=error CURRENT=down"),
                (0, EXIT_0),
            ]],
        ),
        case(
            "appears through RTM_NEWLINK: upped, checked at once, up script after -u, \
             PREVIOUS=error (nothing was detected before)",
            monitor(2),
            Mock::new(&[(0, UP)]).index(None).flags(Ok(0x1002)),
            vec![
                Start(0),
                Run(1000),
                Index(Some(IFINDEX)),
                Nl(1500, newlink(7, "eth0")),
                PollAt(Some(0)),
                Run(1500),
                PollAt(Some(2000)),
                Run(5000),
            ],
            &[
                &[STARTED, (0, "interface doesn't exist, waiting")],
                &[
                    (1500, "interface appeared"),
                    (1500, "upping interface"),
                    (1500, "set flags 0x1003"),
                    (1500, "using SIOCETHTOOL detection mode"),
                    (1500, "link is up"),
                    (3500, EXEC_UP),
                    (3500, "run up PREVIOUS=error CURRENT=up"),
                    (3500, EXIT_0),
                ],
            ],
        ),
        case(
            "disappears through RTM_DELLINK: down script after -d",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(2000),
                Nl(2500, dellink(7, "eth0")),
                Run(10_000),
            ],
            &[exists_up, &gone(2500)],
        )
        .calls(&[
            (0, "if_index"),
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (2000, "probe ethtool"),
        ]),
        case(
            "renamed away (our index, another name, our name no longer resolves): disappeared",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(2000),
                Index(None),
                Nl(2500, newlink(7, "eth1")),
                Run(10_000),
            ],
            &[exists_up, &gone(2500)],
        )
        .calls(&[
            (0, "if_index"),
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (2000, "probe ethtool"),
            (2500, "if_index"),
        ]),
        case(
            "ours is an altname or alias: messages under the primary name (our index, our name \
             still resolves) are ours, every flap followed",
            opts(|o| {
                o.monitor = true;
                o.delay_down = 0;
            }),
            Mock::new(&[(0, UP), (1200, DOWN), (2200, UP)]),
            vec![
                Start(0),
                Run(1000),
                Nl(1300, newlink(7, "eth1")),
                PollAt(Some(0)),
                Wake(1300),
                PollAt(Some(2000)),
                Run(2000),
                Nl(2300, newlink(7, "eth1")),
                Wake(2300),
                Nl(2400, newlink(7, "eth2")),
                Wake(2400),
                StatusIs(UP),
            ],
            &[
                exists_up,
                &[
                    (1300, "link is down"),
                    (1300, EXEC_DOWN),
                    (1300, "run down PREVIOUS=up CURRENT=down"),
                    (1300, EXIT_0),
                    (2300, "link is up"),
                    (2300, EXEC_UP),
                    (2300, "run up PREVIOUS=down CURRENT=up"),
                    (2300, EXIT_0),
                ],
            ],
        )
        .calls(&[
            (0, "if_index"),
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            // The name is asked, then the flags (the message named another).
            (1300, "if_index"),
            (1300, "if_flags"),
            (1300, "probe ethtool"),
            (2000, "probe ethtool"),
            (2300, "if_index"),
            (2300, "if_flags"),
            (2300, "probe ethtool"),
            // The primary renamed: ours still resolves, nothing changes.
            (2400, "if_index"),
            (2400, "if_flags"),
            (2400, "probe ethtool"),
        ]),
        case(
            "renamed away while another is renamed to our name, in one batch: disappeared, \
             appeared",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(2000),
                Index(Some(9)),
                Nl(2500, [newlink(7, "eth1"), newlink(9, "eth0")].concat()),
                Run(2500),
            ],
            &[
                exists_up,
                &[
                    (2500, "interface disappeared"),
                    (2500, "link is down"),
                    (2500, "interface appeared"),
                    (2500, "using SIOCETHTOOL detection mode"),
                    (2500, "link is up"),
                ],
            ],
        ),
        case(
            "another interface's messages: nothing, not even a check",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Nl(500, newlink(8, "eth1")),
                Nl(500, dellink(8, "eth1")),
                PollAt(Some(1000)),
                Wake(500),
            ],
            &[exists_up],
        )
        .calls(&[(0, "if_index"), (0, "if_flags"), (0, "probe ethtool")]),
        case(
            "deleted and re-created in one batch: disappeared (down), appeared (up), probed afresh",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(2000),
                Nl(2500, [dellink(7, "eth0"), newlink(9, "eth0")].concat()),
                Run(2500),
            ],
            &[
                exists_up,
                // The old interface's end is a change like any other: with
                // the default 5 s down delay the new one's "up" cancels it.
                &[
                    (2500, "interface disappeared"),
                    (2500, "link is down"),
                    (2500, "interface appeared"),
                    (2500, "using SIOCETHTOOL detection mode"),
                    (2500, "link is up"),
                ],
            ],
        ),
        case(
            "deleted and re-created in one batch with -d 0: down script, then up",
            opts(|o| {
                o.monitor = true;
                o.delay_down = 0;
            }),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(2000),
                Nl(2500, [dellink(7, "eth0"), newlink(9, "eth0")].concat()),
                Run(2500),
            ],
            &[
                exists_up,
                &[
                    (2500, "interface disappeared"),
                    (2500, "link is down"),
                    (2500, "executing '/etc/ifplugd/ifplugd.action eth0 down'"),
                    (2500, "run down PREVIOUS=up CURRENT=down"),
                    (2500, EXIT_0),
                    (2500, "interface appeared"),
                    (2500, "using SIOCETHTOOL detection mode"),
                    (2500, "link is up"),
                    (2500, EXEC_UP),
                    (2500, "run up PREVIOUS=down CURRENT=up"),
                    (2500, EXIT_0),
                ],
            ],
        ),
        case(
            "re-created under a new index, the RTM_DELLINK lost: the same",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![Start(0), Run(2000), Nl(2500, newlink(9, "eth0")), Run(2500)],
            &[
                exists_up,
                // The old interface's end is a change like any other: with
                // the default 5 s down delay the new one's "up" cancels it.
                &[
                    (2500, "interface disappeared"),
                    (2500, "link is down"),
                    (2500, "interface appeared"),
                    (2500, "using SIOCETHTOOL detection mode"),
                    (2500, "link is up"),
                ],
            ],
        ),
        case(
            "netlink lost messages: the kernel is asked again",
            monitor(0),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Run(2000),
                Index(None),
                Lost(2500),
                PollAt(Some(0)),
                Run(10_000),
            ],
            &[
                exists_up,
                &[(2500, "netlink: messages lost, re-reading interface state")],
                &gone(2500),
            ],
        ),
    ]);
}

/// IFPLUGD_PREVIOUS in the main loop. BusyBox sets PREVIOUS and CURRENT in
/// `detect_link()` when the status it detects differs from the last one it
/// detected (initially -1, "error"); its early return for a missing
/// interface (`-M`) detects nothing. So PREVIOUS is the status BusyBox last
/// detected on the interface before the change, which is what we give,
/// except where BusyBox's variables are stale (their change was already
/// reported, or their CURRENT is not the action): there PREVIOUS is the
/// status before the change being reported.
#[test]
fn previous() {
    let monitor = |initial_down| {
        opts(move |o| {
            o.monitor = true;
            o.initial_down = initial_down;
            o.delay_down = 0;
        })
    };
    let waiting: &[(SimMs, &str)] = &[STARTED, (0, "interface doesn't exist, waiting")];
    let waiting_l: &[(SimMs, &str)] = &[
        STARTED,
        (0, "interface doesn't exist, waiting"),
        (0, EXEC_DOWN),
        (0, "run down PREVIOUS=error CURRENT=down"),
        (0, EXIT_0),
    ];
    let appears = |l| {
        vec![
            Start(0),
            Run(1000),
            Index(Some(IFINDEX)),
            Nl(1500, newlink(7, "eth0")),
            Run(l),
        ]
    };
    let appeared: &[(SimMs, &str)] = &[
        (1500, "interface appeared"),
        (1500, "using SIOCETHTOOL detection mode"),
    ];
    let up_at = |t, previous| [(t, "link is up"), (t, EXEC_UP), (t, previous), (t, EXIT_0)];
    run_all(vec![
        case(
            "-M, missing at start, appears with the link up: PREVIOUS=error",
            monitor(false),
            Mock::new(&[(0, UP)]).index(None),
            appears(2000),
            &[
                waiting,
                appeared,
                &up_at(1500, "run up PREVIOUS=error CURRENT=up"),
            ],
        ),
        case(
            "-M, missing at start, appears with the link down (detected, not logged), then up: \
             PREVIOUS=down",
            monitor(false),
            Mock::new(&[(0, DOWN), (2500, UP)]).index(None),
            appears(3000),
            &[
                waiting,
                appeared,
                &up_at(3000, "run up PREVIOUS=down CURRENT=up"),
            ],
        ),
        case(
            "-M -l, missing at start (down script), appears with the link up: PREVIOUS=error \
             (the start-up down was not detected)",
            monitor(true),
            Mock::new(&[(0, UP)]).index(None),
            appears(2000),
            &[
                waiting_l,
                appeared,
                &up_at(1500, "run up PREVIOUS=error CURRENT=up"),
            ],
        ),
        case(
            "-M -l, missing at start (down script), appears with the link down, then up: \
             PREVIOUS=down",
            monitor(true),
            Mock::new(&[(0, DOWN), (2500, UP)]).index(None),
            appears(3000),
            &[
                waiting_l,
                appeared,
                &up_at(3000, "run up PREVIOUS=down CURRENT=up"),
            ],
        ),
        case(
            "-M: deleted (down, PREVIOUS=up), re-created up: PREVIOUS=down, the down reported \
             (BusyBox's variables still say error>up)",
            monitor(false),
            Mock::new(&[(0, UP)]),
            vec![
                Start(0),
                Index(None),
                Nl(1500, dellink(7, "eth0")),
                Wake(1500),
                Index(Some(9)),
                Nl(2500, newlink(9, "eth0")),
                Wake(2500),
            ],
            &[
                &[STARTED, ETHTOOL, (0, "interface exists")],
                &START_UP[2..],
                &[
                    (1500, "interface disappeared"),
                    (1500, "link is down"),
                    (1500, EXEC_DOWN),
                    (1500, "run down PREVIOUS=up CURRENT=down"),
                    (1500, EXIT_0),
                    (2500, "interface appeared"),
                    (2500, "using SIOCETHTOOL detection mode"),
                ],
                &up_at(2500, "run up PREVIOUS=down CURRENT=up"),
            ],
        ),
        case(
            "-M: detection fails (down, PREVIOUS=up), then works, up: PREVIOUS=error, as \
             BusyBox detected",
            monitor(false),
            Mock::new(&[(0, UP), (1500, ERR), (2500, UP)]),
            vec![Start(0), Run(3000)],
            &[
                &[STARTED, ETHTOOL, (0, "interface exists")],
                &START_UP[2..],
                &[
                    (2000, "ETHTOOL_GLINK failed: Operation not supported"),
                    (2000, "failed to detect link status"),
                    (2000, "link is down"),
                    (2000, EXEC_DOWN),
                    (2000, "run down PREVIOUS=up CURRENT=down"),
                    (2000, EXIT_0),
                ],
                &up_at(3000, "run up PREVIOUS=error CURRENT=up"),
            ],
        ),
        case(
            "without -M, start-up down (logged, no script), then up: PREVIOUS=down",
            opts(|_| {}),
            Mock::new(&[(0, DOWN), (1500, UP)]),
            vec![Start(0), Run(2000)],
            &[&START_DOWN, &up_at(2000, "run up PREVIOUS=down CURRENT=up")],
        ),
    ]);
}

#[test]
fn script_outcomes() {
    let start_up_then = |tail: &'static [(SimMs, &'static str)]| -> Vec<(SimMs, &'static str)> {
        [&START_UP[..5], tail].concat()
    };
    let cases = vec![
        case(
            "exit 1: exiting",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).outcomes(&[ScriptOutcome::Exited(1)]),
            vec![Start(0), Run(3000)],
            &[&start_up_then(&[
                (0, "exit code: 1"),
                (0, "exiting"),
                (0, "exit 1"),
            ])],
        ),
        case(
            "exit 1 with -I: on we go",
            opts(|o| o.ignore_retval = true),
            Mock::new(&[(0, UP), (1500, DOWN)]).outcomes(&[ScriptOutcome::Exited(1)]),
            vec![Start(0), PollAt(Some(1000)), Run(2000)],
            &[&start_up_then(&[
                (0, "exit code: 1"),
                (2000, "link is down"),
            ])],
        ),
        case(
            "cannot start: 'can't execute', exit code 255",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).outcomes(&[ScriptOutcome::NotStarted(2)]),
            vec![Start(0)],
            &[&start_up_then(&[
                (
                    0,
                    "can't execute '/etc/ifplugd/ifplugd.action': No such file or directory",
                ),
                (0, "exit code: 255"),
                (0, "exiting"),
                (0, "exit 1"),
            ])],
        ),
        case(
            "killed by signal 9: exit code 137",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).outcomes(&[ScriptOutcome::Killed(9)]),
            vec![Start(0)],
            &[&start_up_then(&[
                (0, "script killed by signal 9"),
                (0, "exit code: 137"),
                (0, "exiting"),
                (0, "exit 1"),
            ])],
        ),
        case(
            "exit 1 in the main loop: exiting",
            opts(|_| {}),
            Mock::new(&[(0, DOWN), (1500, UP)]).outcomes(&[ScriptOutcome::Exited(1)]),
            vec![Start(0), Run(5000)],
            &[
                &START_DOWN,
                &[
                    (2000, "link is up"),
                    (2000, EXEC_UP),
                    (2000, "run up PREVIOUS=down CURRENT=up"),
                    (2000, "exit code: 1"),
                    (2000, "exiting"),
                    (2000, "exit 1"),
                ],
            ],
        ),
        case(
            "SIGTERM during the up script: the shutdown path",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).plans(&[Plan::Sig(Signal::Terminate)]),
            vec![Start(0)],
            &[&start_up_then(&[
                (0, "stopping script"),
                (0, EXEC_DOWN),
                (0, "run down PREVIOUS=up CURRENT=error"),
                (0, EXIT_0),
                (0, "exiting"),
                (0, "exit 1"),
            ])],
        ),
        case(
            "SIGTERM during the main loop's up script with -q: exiting",
            opts(|o| o.no_shutdown = true),
            Mock::new(&[(0, DOWN), (1500, UP)]).plans(&[Plan::Sig(Signal::Terminate)]),
            vec![Start(0), Run(5000)],
            &[
                &START_DOWN,
                &[
                    (2000, "link is up"),
                    (2000, EXEC_UP),
                    (2000, "run up PREVIOUS=down CURRENT=up"),
                    (2000, "stopping script"),
                    (2000, "exiting"),
                    (2000, "exit 1"),
                ],
            ],
        ),
        case(
            "SIGTERM during the main loop's down script: nothing more to run",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1500, DOWN)]).plans(&[
                Plan::Ends(0, ScriptOutcome::Exited(0)),
                Plan::Sig(Signal::Terminate),
            ]),
            vec![Start(0), Run(10_000)],
            &[
                &START_UP,
                &[
                    (2000, "link is down"),
                    (7000, EXEC_DOWN),
                    (7000, "run down PREVIOUS=up CURRENT=down"),
                    (7000, "stopping script"),
                    (7000, "exiting"),
                    (7000, "exit 1"),
                ],
            ],
        ),
        case(
            // Changed with scripts that run side by side: SIGHUP no longer
            // stops the script ("stopping script" was logged, and its end
            // went unreported). It is ignored as BusyBox ignores it, which
            // also waits for the script: it runs to its end.
            "SIGHUP during the script: ignored, the script runs to its end",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).plans(&[Plan::Sig(Signal::Hangup)]),
            vec![Start(0), PollAt(Some(1000)), Run(3000)],
            &[&START_UP],
        ),
        case(
            "SIGQUIT during the script: exiting, no script",
            opts(|_| {}),
            Mock::new(&[(0, UP)]).plans(&[Plan::Sig(Signal::Quit)]),
            vec![Start(0)],
            &[&start_up_then(&[
                (0, "stopping script"),
                (0, "exiting"),
                (0, "exit 1"),
            ])],
        ),
    ];
    run_all(cases);
}

#[test]
fn wake_modes() {
    let poll2 = |poll_only| {
        opts(move |o| {
            o.poll_only = poll_only;
            o.poll_secs = 2;
            o.delay_down = 3;
        })
    };
    let down_at = |t| {
        [
            (2000, "link is down"),
            (t, EXEC_DOWN),
            (t, "run down PREVIOUS=up CURRENT=down"),
            (t, EXIT_0),
        ]
    };
    run_all(vec![
        case(
            "poll only: delays are looked at only when polling",
            poll2(true),
            Mock::new(&[(0, UP), (1000, DOWN)]),
            vec![
                Start(0),
                PollAt(Some(2000)),
                Run(2000),
                PollAt(Some(4000)),
                Run(4000),
                PollAt(Some(6000)),
                Run(6000),
            ],
            &[&START_UP, &down_at(6000)],
        ),
        case(
            "events: the wake at the deadline runs the script",
            poll2(false),
            Mock::new(&[(0, UP), (1000, DOWN)]),
            vec![
                Start(0),
                PollAt(Some(2000)),
                Run(2000),
                PollAt(Some(4000)),
                Run(4000),
                PollAt(Some(5000)),
                Run(5000),
                PollAt(Some(6000)),
            ],
            &[&START_UP, &down_at(5000)],
        ),
        case(
            "events: a message naming us is checked at once",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1200, DOWN)]),
            vec![
                Start(0),
                Run(1000),
                Nl(1300, newlink(7, "eth0")),
                PollAt(Some(0)),
                Wake(1300),
                PollAt(Some(2000)),
            ],
            &[&START_UP, &[(1300, "link is down")]],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (1300, "probe ethtool"),
        ]),
        case(
            "events: another interface's message is no reason to check",
            opts(|_| {}),
            Mock::new(&[(0, UP), (1200, DOWN)]),
            vec![
                Start(0),
                Run(1000),
                Nl(1300, newlink(8, "eth1")),
                PollAt(Some(2000)),
                Wake(1300),
                Run(2000),
            ],
            &[&START_UP, &[(2000, "link is down")]],
        )
        .calls(&[
            (0, "if_flags"),
            (0, "probe ethtool"),
            (1000, "probe ethtool"),
            (2000, "probe ethtool"),
        ]),
        case(
            "poll only: any netlink traffic is a check, as in BusyBox",
            opts(|o| o.poll_only = true),
            Mock::new(&[(0, UP), (1200, DOWN)]),
            vec![
                Start(0),
                Run(1000),
                Nl(1300, newlink(8, "eth1")),
                Wake(1300),
                PollAt(Some(2300)),
            ],
            &[&START_UP, &[(1300, "link is down")]],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// The property test.

/// Follows the daemon's events and checks the rules that hold whatever
/// happens.
///
/// The rules, and why they are stated so:
///
/// - Start-up: at most one call, iff `(!-p && up) || -l`, reporting the
///   start-up status with PREVIOUS=error.
/// - Main loop (calls with CURRENT up/down after start): a call reports the
///   status the last "link is" line named, once it has held for its delay
///   since that line, with CURRENT=action and PREVIOUS=the other status, or
///   error: with -M only, after a start that waited for the interface or
///   once a detection has failed (BusyBox's last detected status, see
///   `previous()`).
///   Each differs from the last status reported (the start-up status, even
///   when no start-up script ran, or the last main-loop call), so successive
///   main-loop calls alternate.
/// - Shutdown (CURRENT=error), only after SIGTERM: iff not `-q` and the
///   status is up or a down is pending; PREVIOUS=the status.
///
/// Alternation is checked only inside the main loop: BusyBox's own rules
/// break it at both ends. At start-up `-l` and `-p` decide the first call
/// whatever was reported (none is), and at shutdown a pending up (status up,
/// not yet reported, so the last call was down) still gets a down script.
///
/// Besides: nothing happens after exiting; "link is" names a change; a
/// pending change never outlives its deadline past a wake (no script is
/// late), and in event mode `poll_at()` is never after that deadline.
struct Checker {
    opts: Options<'static>,
    seen: usize,
    /// The last status a "link is" line named, and when.
    status: Status,
    since: SimMs,
    /// The last status reported (or the start-up status).
    reported: Status,
    last_main: Option<Status>,
    /// Nothing detected yet at start-up, or a detection failed: PREVIOUS
    /// may be error from now on.
    unknown_seen: bool,
    /// A SIGTERM is being handled: whether its script is owed, and whether
    /// it ran.
    term: Option<(bool, bool)>,
    quit: bool,
    ended: bool,
    exited: bool,
    stats: Stats,
}

/// What the random runs went through, to show they are not vacuous.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    runs: u64,
    steps: u64,
    startup_calls: u64,
    main_calls: u64,
    /// Main-loop calls with PREVIOUS=error.
    error_previous: u64,
    shutdown_calls: u64,
    terminates: u64,
    exits: u64,
    still_running: u64,
}

impl Checker {
    fn new(opts: Options<'static>) -> Self {
        Checker {
            opts,
            seen: 0,
            status: ERR,
            since: 0,
            reported: ERR,
            last_main: None,
            unknown_seen: false,
            term: None,
            quit: false,
            ended: false,
            exited: false,
            stats: Stats::default(),
        }
    }

    fn delay(&self, s: Status) -> SimMs {
        SimMs::from(secs_to_millis(if s == UP {
            self.opts.delay_up
        } else {
            self.opts.delay_down
        }))
    }

    fn after_start(&mut self, sim: &mut Sim, flow: Flow) {
        let st = sim.status();
        self.status = st;
        self.reported = st;
        let wanted = (!self.opts.no_startup && st == UP) || self.opts.initial_down;
        let mut startup = 0;
        for (t, ev) in sim.h.events.clone() {
            self.seen += 1;
            if let Ev::Log(_, l) = &ev {
                if l.starts_with("link is ") {
                    assert_eq!(*l, format!("link is {}", st.as_str()));
                    continue;
                }
            }
            if let Ev::Script(_, c) = ev {
                if c.current != ERR {
                    assert_ne!(st, ERR, "no script before the status is known");
                    assert!(wanted, "start-up script against -p/-l: {c:?}");
                    assert_eq!(
                        c,
                        ScriptCall {
                            action: st,
                            previous: ERR,
                            current: st
                        }
                    );
                    startup += 1;
                    self.stats.startup_calls += 1;
                    continue;
                }
            }
            self.event(t, &ev);
        }
        assert!(startup <= 1);
        if flow == Flow::Continue {
            assert_ne!(st, ERR);
            assert_eq!(
                startup == 1,
                wanted,
                "start-up script iff (!-p && up) || -l"
            );
        }
        self.after_call(sim, flow, false);
    }

    fn after(&mut self, sim: &mut Sim, flow: Flow, woke: bool) {
        let new: Vec<(SimMs, Ev)> = sim.h.events[self.seen..].to_vec();
        self.seen = sim.h.events.len();
        for (t, ev) in new {
            self.event(t, &ev);
        }
        self.after_call(sim, flow, woke);
    }

    fn event(&mut self, t: SimMs, ev: &Ev) {
        if let Ev::Exit(code) = ev {
            assert_eq!(*code, 1);
            assert!(self.ended, "Exit only after 'exiting' or a fatal error");
            assert!(!self.exited, "one Exit");
            self.exited = true;
            self.stats.exits += 1;
            return;
        }
        assert!(!self.ended, "{ev:?} after the end");
        match ev {
            Ev::Log(_, l) if l == "link is up" || l == "link is down" => {
                let s = if l == "link is up" { UP } else { DOWN };
                assert_ne!(s, self.status, "'link is' names a change");
                self.status = s;
                self.since = t;
            }
            Ev::Log(_, l) if l == "exiting" => {
                if let Some((owed, ran)) = self.term {
                    assert_eq!(owed, ran, "the shutdown script iff owed");
                }
                self.ended = true;
            }
            Ev::Log(_, l) if l.starts_with("can't set interface flags") => self.ended = true,
            Ev::Log(_, l)
                if l.contains("failed")
                    || l.starts_with("can't get interface flags")
                    || l == "interface doesn't exist, waiting" =>
            {
                self.unknown_seen = true;
            }
            Ev::Log(..) | Ev::SetFlags(..) | Ev::Stop(..) | Ev::List => {}
            Ev::Sig(Signal::Terminate | Signal::Quit) if self.term.is_some() || self.quit => {
                // A second one, while the shutdown script runs: it stops
                // that script, and no other starts.
                self.quit = true;
            }
            Ev::Sig(Signal::Terminate) => {
                assert!(self.term.is_none() && !self.quit);
                let pending = self.status != self.reported;
                let owed = !self.opts.no_shutdown
                    && (self.status == UP || (self.status == DOWN && pending));
                self.term = Some((owed, false));
                self.stats.terminates += 1;
            }
            Ev::Sig(Signal::Quit) => self.quit = true,
            // The random runs send none of ctl's signals (daemon/ctl_tests.rs
            // covers them).
            #[allow(unreachable_patterns)]
            Ev::Sig(_) => {}
            Ev::Script(_, c) if c.current == ERR => {
                assert!(!self.quit, "SIGQUIT runs no script");
                let Some((owed, ran)) = self.term else {
                    panic!("CURRENT=error outside shutdown: {c:?}");
                };
                assert!(owed && !ran, "shutdown script not owed, or twice");
                assert_eq!(c.action, DOWN);
                assert_eq!(c.previous, self.status, "PREVIOUS = the status at shutdown");
                self.term = Some((owed, true));
                self.stats.shutdown_calls += 1;
            }
            Ev::Script(_, c) => {
                assert!(
                    self.term.is_none() && !self.quit,
                    "main-loop script while exiting"
                );
                let a = c.action;
                assert_ne!(a, ERR);
                assert_eq!(c.current, a, "CURRENT = the action");
                if c.previous == ERR {
                    assert!(
                        self.opts.monitor && self.unknown_seen,
                        "PREVIOUS=error only with -M, after waiting or a failed detection"
                    );
                    self.stats.error_previous += 1;
                } else {
                    assert_eq!(
                        c.previous,
                        if a == UP { DOWN } else { UP },
                        "PREVIOUS = the other"
                    );
                }
                assert_eq!(a, self.status, "reports the status last seen");
                assert!(
                    t >= self.since + self.delay(a),
                    "{a:?} at {t}, seen at {}, delay {}",
                    self.since,
                    self.delay(a)
                );
                assert_ne!(a, self.reported, "reports a change");
                if let Some(last) = self.last_main {
                    assert_ne!(a, last, "main-loop calls alternate");
                }
                self.last_main = Some(a);
                self.reported = a;
                self.stats.main_calls += 1;
            }
            Ev::Exit(_) => unreachable!(),
        }
    }

    fn after_call(&mut self, sim: &mut Sim, flow: Flow, woke: bool) {
        match flow {
            Flow::Exit(_) => {
                assert!(self.exited, "Exit after 'exiting' or a fatal error");
                assert_eq!(sim.poll_at(), None);
            }
            Flow::Continue => {
                assert!(!self.ended && self.term.is_none() && !self.quit);
                let pending = self.status != self.reported;
                let deadline = self.since + self.delay(self.status);
                if woke && pending {
                    // Every wake past the deadline checks, and the check runs
                    // the script: none is late.
                    assert!(
                        sim.h.now < deadline,
                        "script late: due {deadline}, now {}",
                        sim.h.now
                    );
                }
                let at = sim.poll_at();
                assert!(at.is_some(), "a poll is always due");
                if pending && !self.opts.poll_only {
                    // A deadline passed (after a signal, no wake) is "at
                    // once".
                    assert!(
                        at.unwrap() <= deadline.max(sim.h.now),
                        "poll_at {at:?} after deadline {deadline}"
                    );
                }
            }
        }
    }
}

fn random_opts(rng: &mut Rng) -> Options<'static> {
    opts(|o| {
        o.delay_up = rng.below(4) as u32;
        o.delay_down = rng.below(4) as u32;
        o.poll_secs = 1 + rng.below(2) as u32;
        o.monitor = rng.chance(50);
        o.ignore_fail = rng.chance(20);
        o.ignore_fail_positive = rng.chance(10);
        o.ignore_retval = rng.chance(30);
        o.no_startup = rng.chance(30);
        o.initial_down = rng.chance(30);
        o.no_shutdown = rng.chance(30);
        o.poll_only = rng.chance(30);
        o.no_auto = rng.chance(20);
        if rng.chance(30) {
            o.api_mode = [
                ApiMode::Ethtool,
                ApiMode::Mii,
                ApiMode::Private,
                ApiMode::Wlan,
                ApiMode::Iff,
            ][rng.below(5) as usize];
        }
    })
}

fn random_timeline(rng: &mut Rng) -> Vec<(SimMs, Status)> {
    let mut link = Vec::new();
    let mut t = 0;
    while t < 600_000 {
        let s = match rng.below(100) {
            0..=1 => ERR,
            2..=50 => DOWN,
            _ => UP,
        };
        link.push((t, s));
        t += match rng.below(3) {
            0 => rng.below(600),
            1 => rng.below(4000),
            _ => rng.below(9000),
        };
    }
    link
}

fn random_datagram(rng: &mut Rng) -> Vec<u8> {
    let mut d = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let index = [7, 9, 8][rng.below(3) as usize];
        let name = if rng.chance(70) { "eth0" } else { "eth1" };
        d.extend(if rng.chance(60) {
            newlink(index, name)
        } else {
            dellink(index, name)
        });
    }
    if rng.chance(3) {
        let cut = rng.below(d.len() as u64) as usize;
        d.truncate(cut);
    }
    d
}

/// Names the failing seed.
struct Seed(u64);

impl Drop for Seed {
    fn drop(&mut self) {
        if std::thread::panicking() {
            std::eprintln!("random_run seed {}", self.0);
        }
    }
}

fn random_run(seed: u64, steps: usize) -> Stats {
    let _seed = Seed(seed);
    let mut rng = Rng::new(seed);
    let opts = random_opts(&mut rng);
    let mut mock = Mock::new(&random_timeline(&mut rng));
    mock.chaos = Some(Chaos {
        rng: Rng::new(rng.next()),
        probe_fail: [0, 0, 1, 5][rng.below(4) as usize],
    });
    mock.eth0().index = if rng.chance(20) { None } else { Some(IFINDEX) };
    mock.eth0().flags = match rng.below(10) {
        0 => Ok(0),
        1 => Err(ENODEV),
        _ => Ok(IFF_UP),
    };
    // Any clock, the wrap included; from a generator of its own, so that
    // the runs are what they were before the clock was 32 bits.
    mock.base = Rng::new(!seed).next() as u32;
    let mut sim = Sim::new(opts.clone(), mock);
    let mut check = Checker::new(opts);
    let t0 = rng.below(5000);
    let flow = sim.start(t0);
    check.after_start(&mut sim, flow);
    for _ in 0..steps {
        // The world moves.
        if rng.chance(4) {
            sim.h.eth0().flags = match rng.below(6) {
                0 => Ok(0),
                1 => Err(ENODEV),
                _ => Ok(IFF_UP),
            };
        }
        if rng.chance(4) {
            sim.h.eth0().index = [None, Some(IFINDEX), Some(9)][rng.below(3) as usize];
        }
        let now = sim.h.now;
        let (flow, woke) = match rng.below(100) {
            0..=51 => {
                let t = match sim.poll_at() {
                    Some(at) => at.max(now),
                    None => now + rng.below(3000),
                };
                (sim.wake(t), true)
            }
            52..=76 => (sim.wake(now + rng.below(1500)), true),
            77..=94 => {
                let t = now + rng.below(1000);
                let d = random_datagram(&mut rng);
                sim.netlink(t, &d);
                if rng.chance(20) {
                    let d = random_datagram(&mut rng);
                    sim.netlink(t, &d);
                }
                (sim.wake(t), true)
            }
            95..=97 => {
                let t = now + rng.below(1000);
                sim.lost(t);
                (sim.wake(t), true)
            }
            _ => {
                let sig = match rng.below(10) {
                    0..=4 => Signal::Hangup,
                    5..=8 => Signal::Terminate,
                    _ => Signal::Quit,
                };
                (sim.signal(now + rng.below(500), sig), false)
            }
        };
        check.after(&mut sim, flow, woke);
        if sim.exit.is_none() {
            check.stats.steps += 1;
        }
    }
    check.stats.runs = 1;
    check.stats.still_running = sim.exit.is_none().into();
    check.stats
}

#[test]
fn random_runs_keep_the_rules() {
    let mut total = Stats::default();
    for seed in 0..20_000 {
        let s = random_run(seed, 1 + (seed as usize * 7919) % 200);
        total.runs += s.runs;
        total.steps += s.steps;
        total.startup_calls += s.startup_calls;
        total.main_calls += s.main_calls;
        total.error_previous += s.error_previous;
        total.shutdown_calls += s.shutdown_calls;
        total.terminates += s.terminates;
        total.exits += s.exits;
        total.still_running += s.still_running;
    }
    std::eprintln!("{total:?}");
    // Enough of everything happened for the rules to mean something.
    assert!(total.steps > 200_000, "{total:?}");
    assert!(total.main_calls > 20_000, "{total:?}");
    assert!(total.error_previous > 200, "{total:?}");
    assert!(total.startup_calls > 2_000, "{total:?}");
    assert!(total.shutdown_calls > 1_000, "{total:?}");
    assert!(total.still_running > 2_000, "{total:?}");
}
