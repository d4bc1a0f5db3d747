//! One interface's machine: BusyBox ifplugd's main loop for one `-i`, as a
//! machine that never sleeps and never reads a clock. [`crate::Daemon`]
//! owns one per watched interface, hands each the netlink messages that
//! name it, and wakes it; every system call goes through [`Host`].
//!
//! This reproduces start-up (`-p`, `-l`), the delays, `-f`/`-F`, `-M`,
//! `-I`, and the shutdown rules. What differs is when it wakes: by default
//! on the kernel's netlink announcements and at delay deadlines as well as
//! every `-t` seconds. Its script runs while the daemon goes on; until it
//! ends this machine decides nothing (what happened meanwhile is decided
//! then, from the state at that moment), as BusyBox, which waits for it.

use crate::delay::{secs_to_millis, Deadline, Delay, Instant, Millis};
use crate::detect::{ApiMode, Method, ProbeError, Reading, Status};
use crate::host::{Host, Iface};
use crate::ifname::IfName;
use crate::kernel::IFF_UP;
use crate::messages::Message;
use crate::netlink::{LinkEvent, LinkInfo};
use crate::options::Options;
use crate::script::{ScriptCall, ScriptOutcome};

/// The daemon has decided to exit with this status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit(pub u8);

/// BusyBox ends every path through "exiting" (SIGTERM included) with
/// `bb_error_msg_and_die`, so with status 1.
pub const EXIT_FAILURE: u8 = 1;

/// "No such device": the same number on every Linux architecture.
const ENODEV: i32 = 19;

/// How long a script asked to stop may take before SIGKILL.
pub const GRACE_MS: Millis = 1000;

/// The interface's script, as far as this machine knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run {
    Idle,
    Running,
    /// Sent SIGTERM; SIGKILL at this time if it has not ended (`None`:
    /// sent already).
    Stopping(Option<Instant>),
}

pub struct Link {
    name: IfName,
    /// Watched for a pattern: `-M` rules whatever the options say, and
    /// forgotten once it is gone and its scripts are done.
    by_pattern: bool,
    /// `-M`'s rules apply.
    monitor: bool,
    /// Whether the interface exists (BusyBox's `iface_exists`).
    exists: bool,
    /// `exists` as the last wake left it, to see what netlink changed.
    exists_before: bool,
    /// The interface's index, once known, to follow renames.
    index: Option<u32>,
    /// The index changed under the same name: deleted and re-created.
    recreated: bool,
    /// The last detection result (BusyBox's `iface_last_status`).
    last_detected: Status,
    /// The status the main loop works with (BusyBox's `iface_status`).
    status: Status,
    /// The status before the change that the next script call reports:
    /// PREVIOUS when `env` does not apply.
    previous: Status,
    /// BusyBox's IFPLUGD_PREVIOUS, while it is news: `last_detected` was
    /// this before its last change, and no script has run since. BusyBox
    /// sets the variables only in `detect_link()`, so a script reporting a
    /// change it detected gets them; a script after its early return for a
    /// missing interface (or after a script already told of the change)
    /// gets them stale, and we give it `previous` instead.
    env: Option<Status>,
    delay: Delay,
    /// The auto mode's method that worked last.
    cached: Option<Method>,
    /// When the next periodic check is due (at once at first).
    next_poll: Deadline,
    /// A netlink message named our interface: check the link now.
    check_now: bool,
    /// Netlink lost messages: ask the kernel again.
    resync: bool,
    /// IFF_UP is set, and netlink would have told us if that changed: the
    /// periodic check may skip SIOCGIFFLAGS (not with `-P`, BusyBox's way).
    up_known: bool,
    run: Run,
    /// The shutdown's down script was started: it runs once.
    shutdown_ran: bool,
}

impl Link {
    /// Not inlined with `multi`: then links are made in two places, and
    /// the fields are a dozen stores each (the applet makes them in one).
    #[cfg_attr(feature = "multi", inline(never))]
    pub fn new(name: IfName, by_pattern: bool, opts: &Options<'_>) -> Self {
        Link {
            name,
            by_pattern,
            monitor: opts.monitor || by_pattern,
            exists: true,
            exists_before: true,
            index: None,
            recreated: false,
            last_detected: Status::Error,
            status: Status::Error,
            previous: Status::Error,
            env: None,
            delay: Delay::default(),
            cached: None,
            next_poll: Deadline::default(),
            check_now: false,
            resync: false,
            up_known: false,
            run: Run::Idle,
            shutdown_ran: false,
        }
    }

    /// A machine for an interface that appeared after start-up: in the
    /// state `-M`'s start-up leaves one that did not exist yet (status
    /// down, nothing said), told of the message that announced it.
    /// Its first wake checks the link at once.
    pub fn appeared(name: IfName, opts: &Options<'_>, info: &LinkInfo<'_>) -> Self {
        let mut link = Link::new(name, true, opts);
        link.exists = false;
        link.exists_before = false;
        link.status = Status::Down;
        link.on_link(opts, info);
        link
    }

    pub fn name(&self) -> &IfName {
        &self.name
    }

    pub fn index(&self) -> Option<u32> {
        self.index
    }

    /// The status last reported or waiting to be reported.
    pub fn status(&self) -> Status {
        self.status
    }

    /// With `-M`'s rules, whether the interface exists (SIGHUP says it).
    #[cfg(feature = "ctl")]
    pub fn monitored_exists(&self) -> Option<bool> {
        self.monitor.then_some(self.exists)
    }

    pub fn script_running(&self) -> bool {
        self.run != Run::Idle
    }

    /// A pattern's interface that is gone, with nothing left to tell its
    /// script: the daemon may forget it.
    pub fn forgettable(&self) -> bool {
        cfg!(feature = "multi")
            && self.by_pattern
            && !self.exists
            && !self.exists_before
            && self.run == Run::Idle
            && !self.delay.pending()
            && !self.check_now
    }

    /// Start-up: check the link once and run the start-up script.
    pub fn start<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
        slot: usize,
        now: Instant,
    ) -> Result<(), Exit> {
        if self.monitor {
            self.index = host.if_index(&self.name);
            self.exists = self.index.is_some();
            // Start-up says "exists" or "doesn't exist" itself: an
            // interface vanishing during it is not "disappeared".
            self.exists_before = false;
        }
        if self.exists {
            self.maybe_up_new_iface(opts, host)?;
        }
        let status = self.detect_link(opts, host)?;
        if status == Status::Error {
            return Err(self.exiting(host));
        }
        self.status = status;
        if self.monitor {
            self.log(
                host,
                if self.exists {
                    &Message::InterfaceExists
                } else {
                    &Message::InterfaceWaiting
                },
            );
        }
        if self.exists {
            self.log(host, &Message::LinkIs(status));
        }
        self.next_poll = Deadline::after(now, opts.poll_millis());
        self.exists_before = self.exists;
        if (!opts.no_startup && status == Status::Up) || opts.initial_down {
            self.report(opts, host, slot, status)?;
        }
        Ok(())
    }

    /// A netlink message about an interface: ours if it names us, or our
    /// index. Returns whether it was ours.
    pub fn on_link(&mut self, opts: &Options<'_>, info: &LinkInfo<'_>) -> bool {
        // Messages name an interface by its primary name; ours may be an
        // altname or an alias (`eth0:1`), which SIOCGIFINDEX resolves: once
        // the index is known, it decides.
        let named_us = info.name == Some(self.name.as_bytes());
        let same_index = self.index.is_some() && self.index == Some(info.index);
        if !named_us && !same_index {
            return false;
        }
        self.check_now = true;
        // The message's flags are the latest word on IFF_UP; a deletion or
        // a rename away leaves nothing known.
        self.up_known =
            named_us && info.event == LinkEvent::New && info.flags & IFF_UP != 0 && !opts.poll_only;
        if !self.monitor {
            if named_us {
                self.index = Some(info.index);
            }
            return true;
        }
        match (info.event, named_us) {
            (LinkEvent::New, true) => {
                let replaced = self.exists && self.index.is_some_and(|i| i != info.index);
                // Deleted or renamed away earlier in this batch, now back.
                let returned = !self.exists && self.exists_before;
                if replaced || returned {
                    self.recreated = true;
                }
                self.exists = true;
                self.index = Some(info.index);
            }
            (LinkEvent::Del, _) => {
                self.exists = false;
                self.index = None;
            }
            // Our index under another name: renamed away only if our name
            // no longer resolves; the wake asks.
            (LinkEvent::New, false) => self.resync = true,
        }
        true
    }

    /// `-P`: BusyBox checks the link on any netlink traffic.
    pub fn any_traffic(&mut self) {
        self.check_now = true;
    }

    /// A datagram was cut: the next wake asks the kernel instead.
    pub fn resync(&mut self) {
        self.resync = true;
    }

    /// Netlink messages were lost: the next wake asks the kernel, and
    /// IFF_UP is known no more.
    pub fn lost(&mut self) {
        self.resync = true;
        self.up_known = false;
    }

    /// How long from `now` until [`Link::wake`] is due, at the latest;
    /// `None`: only on netlink traffic, a signal or the script's end (a
    /// stopped script's deadline is [`Link::kill_at`]).
    pub fn poll_at(&self, opts: &Options<'_>, now: Instant) -> Option<Millis> {
        if self.run != Run::Idle {
            return None;
        }
        if self.check_now || self.resync {
            return Some(0);
        }
        let poll = self.next_poll.left(now);
        if opts.poll_only {
            // BusyBox-style: delays are looked at only when polling.
            return Some(poll);
        }
        let delay = self.delay.left(now);
        if !opts.polls() {
            return delay;
        }
        Some(delay.map_or(poll, |left| left.min(poll)))
    }

    /// Settles the deadlines at `now`, so that however long nothing looks
    /// at them (a script that runs for weeks, a suspension, `-t 0`'s unused
    /// poll time), none is ever 2^31 ms behind and seems ahead: see
    /// [`crate::delay`].
    pub fn settle(&mut self, now: Instant) {
        self.next_poll.settle(now);
        self.delay.settle(now);
    }

    /// The host woke up: at a deadline, or after netlink traffic.
    pub fn wake<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
        slot: usize,
        now: Instant,
    ) -> Result<(), Exit> {
        // Nothing is decided while the script runs. (A stopped one is
        // [`Link::kill_due`]'s: only a stopping daemon stops scripts.)
        if self.run != Run::Idle {
            return Ok(());
        }
        if self.monitor {
            if self.resync {
                let index = host.if_index(&self.name);
                // A new index under our name: re-created while we were deaf.
                if self.exists && index.is_some() && self.index.is_some() && index != self.index {
                    self.recreated = true;
                }
                self.index = index;
                self.exists = index.is_some();
            }
            if self.recreated && self.exists && self.exists_before {
                // The old interface is gone: the script hears of that (after
                // its delay) before anything is said of the new one.
                self.log(host, &Message::InterfaceDisappeared);
                self.exists_before = false;
                self.exists = false;
                self.check(opts, host, slot, now)?;
                self.exists = true;
                self.recreated = false;
                if self.run != Run::Idle {
                    // Its down script runs: the new interface is announced
                    // and brought up once it has ended, as with BusyBox's
                    // script, which runs to its end first.
                    self.check_now = true;
                    return Ok(());
                }
            }
            if self.exists != self.exists_before {
                self.log(
                    host,
                    if self.exists {
                        &Message::InterfaceAppeared
                    } else {
                        &Message::InterfaceDisappeared
                    },
                );
                self.exists_before = self.exists;
                if self.exists {
                    self.maybe_up_new_iface(opts, host)?;
                }
            }
        }
        self.recreated = false;
        let tick = self.next_poll.passed(now);
        let due = self.delay.left(now) == Some(0);
        let check = opts.poll_only || tick || due || self.check_now || self.resync;
        self.check_now = false;
        self.resync = false;
        if !check {
            return Ok(());
        }
        if tick || opts.poll_only {
            self.next_poll = Deadline::after(now, opts.poll_millis());
        }
        self.check(opts, host, slot, now)?;
        // A failed SIOCGIFFLAGS in the check made the interface missing:
        // BusyBox says nothing of it, not even at the next wake.
        self.exists_before = self.exists;
        Ok(())
    }

    /// The script ended. A failure ends the daemon unless `-I`, but not one
    /// at shutdown, nor one the daemon stopped.
    pub fn script_ended<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
        outcome: ScriptOutcome,
    ) -> Result<(), Exit> {
        let run = core::mem::replace(&mut self.run, Run::Idle);
        if let Run::Stopping(_) = run {
            return Ok(());
        }
        // Why it failed, if it did not exit: one call for both lines (an
        // Option here cost 16 bytes more on MIPS than a placeholder).
        let why = match outcome {
            ScriptOutcome::NotStarted(errno) => Message::CantExecute {
                script: opts.script.to_bytes(),
                errno,
            },
            ScriptOutcome::Killed(sig) => Message::KilledBySignal(sig),
            // Not logged.
            ScriptOutcome::Exited(_) => Message::Exiting,
        };
        if !matches!(outcome, ScriptOutcome::Exited(_)) {
            self.log(host, &why);
        }
        self.log(host, &Message::ExitCode(outcome.exit_code()));
        if outcome.failed() && !opts.ignore_retval && !self.shutdown_ran {
            Err(self.exiting(host))
        } else {
            Ok(())
        }
    }

    /// How long from `now` until a stopped script is to be killed, if one
    /// is. (Only a stopping daemon stops scripts, and it wakes for this
    /// alone: the instant never needs settling.)
    pub fn kill_at(&self, now: Instant) -> Option<Millis> {
        match self.run {
            Run::Stopping(Some(at)) => Some(now.until(at)),
            _ => None,
        }
    }

    /// SIGKILL for a stopped script that outlived its grace period.
    pub fn kill_due<H: Host>(&mut self, host: &mut H, slot: usize, now: Instant) {
        if self.kill_at(now) == Some(0) {
            host.stop_script(slot, true);
            self.run = Run::Stopping(None);
        }
    }

    /// The daemon is stopping: a running script is asked to end (SIGTERM,
    /// SIGKILL after [`GRACE_MS`]).
    pub fn stop_script<H: Host>(&mut self, host: &mut H, slot: usize, now: Instant) {
        if self.run == Run::Running {
            self.log(host, &Message::ScriptStopped);
            host.stop_script(slot, false);
            self.run = Run::Stopping(Some(now.after(GRACE_MS)));
        }
    }

    /// SIGTERM/SIGINT: the down script, once, if the script last heard
    /// "up" or a "down" is still waiting for its delay (and not `-q`).
    pub fn shutdown<H: Host>(&mut self, opts: &Options<'_>, host: &mut H, slot: usize) {
        let status = self.status;
        let down_owed = status == Status::Up || (status == Status::Down && self.delay.pending());
        if opts.no_shutdown || !down_owed || self.shutdown_ran || self.run != Run::Idle {
            return;
        }
        self.shutdown_ran = true;
        let call = ScriptCall {
            action: Status::Down,
            previous: status,
            current: Status::Error,
        };
        // Its result does not matter: we are leaving anyway.
        let _ = self.launch(opts, host, slot, &call);
    }

    /// The shutdown will run no (more) down script here.
    pub fn no_shutdown_script(&mut self) {
        self.shutdown_ran = true;
    }

    /// "exiting", then exit with BusyBox's status.
    pub fn exiting<H: Host>(&mut self, host: &mut H) -> Exit {
        self.log(host, &Message::Exiting);
        Exit(EXIT_FAILURE)
    }

    fn log<H: Host>(&self, host: &mut H, msg: &Message<'_>) {
        host.log(self.name.as_bytes(), msg);
    }

    /// One pass of BusyBox's main loop after `poll()`.
    fn check<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
        slot: usize,
        now: Instant,
    ) -> Result<(), Exit> {
        let old = self.status;
        let mut status = self.detect_link(opts, host)?;
        if status == Status::Error {
            if !self.monitor {
                return Err(self.exiting(host));
            }
            status = Status::Down;
        }
        let mut now = now;
        if status != old {
            self.log(host, &Message::LinkIs(status));
            self.status = status;
            let delay = match status {
                Status::Up => opts.delay_up,
                _ => opts.delay_down,
            };
            // A clock read: never earlier than the time passed in.
            now = host.now();
            self.delay.on_change(now, secs_to_millis(delay));
            self.previous = old;
        }
        if self.delay.take_due(now) {
            self.report(opts, host, slot, status)?;
        }
        Ok(())
    }

    /// Runs the script for the change to `status` that is due.
    fn report<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
        slot: usize,
        status: Status,
    ) -> Result<(), Exit> {
        let previous = match self.env {
            Some(p) if self.last_detected == status => p,
            _ => self.previous,
        };
        self.env = None;
        let call = ScriptCall {
            action: status,
            previous,
            current: status,
        };
        self.launch(opts, host, slot, &call)
    }

    /// Starts the script; one that cannot start has ended at once.
    fn launch<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
        slot: usize,
        call: &ScriptCall,
    ) -> Result<(), Exit> {
        self.log(
            host,
            &Message::Executing {
                script: opts.script.to_bytes(),
                iface: self.name.as_bytes(),
                action: call.action,
            },
        );
        self.run = Run::Running;
        let iface = Iface {
            slot,
            name: &self.name,
        };
        match host.start_script(iface, call) {
            Ok(()) => Ok(()),
            Err(errno) => self.script_ended(opts, host, ScriptOutcome::NotStarted(errno)),
        }
    }

    /// A new interface: bring it up unless `-a`, and probe afresh.
    fn maybe_up_new_iface<H: Host>(
        &mut self,
        opts: &Options<'_>,
        host: &mut H,
    ) -> Result<(), Exit> {
        // -A is BusyBox 1.36's: only this up; -a also stops the one at
        // each probe.
        if !opts.no_auto && !opts.no_up_new {
            self.up_iface(opts, host)?;
        }
        self.cached = None;
        Ok(())
    }

    fn up_iface<H: Host>(&mut self, opts: &Options<'_>, host: &mut H) -> Result<(), Exit> {
        if !self.exists || self.up_known {
            return Ok(());
        }
        // Which call failed (`true`: SIOCSIFFLAGS), and its errno.
        let failed = match host.if_flags(&self.name) {
            Ok(flags) if flags & IFF_UP == 0 => {
                self.log(host, &Message::UppingInterface);
                match host.set_if_flags(&self.name, flags | IFF_UP) {
                    Ok(()) => return Ok(()),
                    Err(errno) => (true, errno),
                }
            }
            Ok(_) => {
                // From here netlink tells us if someone downs it.
                self.up_known = !opts.poll_only;
                return Ok(());
            }
            Err(errno) => (false, errno),
        };
        match failed {
            // Gone (for SIOCSIFFLAGS: deleted between the two calls, the
            // kernel clears IFF_UP first): with -M that is no reason to die.
            (_, ENODEV) if self.monitor => self.vanished(host),
            (false, errno) => {
                self.log(host, &Message::GetFlagsFailed(errno));
                self.exists = false;
            }
            (true, errno) => {
                // BusyBox dies here, without "exiting".
                self.log(host, &Message::SetFlagsFailed(errno));
                return Err(Exit(EXIT_FAILURE));
            }
        }
        Ok(())
    }

    /// BusyBox's `detect_link()`: up the interface, ask, map failures.
    fn detect_link<H: Host>(&mut self, opts: &Options<'_>, host: &mut H) -> Result<Status, Exit> {
        if !self.exists {
            return Ok(if self.monitor {
                Status::Down
            } else {
                Status::Error
            });
        }
        if !opts.no_auto {
            self.up_iface(opts, host)?;
        }
        if !self.exists && self.monitor {
            return Ok(Status::Down);
        }
        let mut status = self.detect(opts, host);
        if status == Status::Error {
            if opts.ignore_fail {
                status = Status::Down;
            }
            if opts.ignore_fail_positive {
                status = Status::Up;
            }
        }
        if status == Status::Error && opts.api_mode == ApiMode::Auto {
            self.log(host, &Message::FailedToDetect);
        }
        if status != self.last_detected {
            self.env = Some(self.last_detected);
        }
        self.last_detected = status;
        Ok(status)
    }

    /// With `-M`, an ioctl said ENODEV: the interface went away before
    /// netlink told us. Say so now, in BusyBox's words, so the order of
    /// lines is the same whichever came first.
    fn vanished<H: Host>(&mut self, host: &mut H) {
        if self.exists_before {
            self.log(host, &Message::InterfaceDisappeared);
        }
        self.exists = false;
        self.exists_before = false;
        self.index = None;
        self.up_known = false;
    }

    /// The method `-m` names, else the one that worked last, is tried
    /// first, and its failure logged; without `-m` the auto mode then
    /// probes each method in turn, silently, and logs the one found. One
    /// loop, one copy of each outcome's code.
    fn detect<H: Host>(&mut self, opts: &Options<'_>, host: &mut H) -> Status {
        let fixed = opts.api_mode.method();
        let first = fixed.or(self.cached);
        let auto: &[Method] = match fixed {
            Some(_) => &[],
            None => &Method::AUTO_ORDER,
        };
        let mut first_try = first.is_some();
        for method in first.into_iter().chain(auto.iter().copied()) {
            match self.probe(host, method) {
                Ok(reading) => {
                    if !first_try {
                        self.cached = Some(method);
                        self.log(host, &Message::UsingMode(method));
                    }
                    return reading.status(self.last_detected);
                }
                Err(e) if e.errno == ENODEV && self.monitor => {
                    self.vanished(host);
                    return Status::Down;
                }
                Err(e) if first_try => self.log(host, &Message::ProbeFailed(e)),
                Err(_) => {}
            }
            first_try = false;
        }
        Status::Error
    }

    /// One probe. Not inlined unless ifplugstatus probes too: with this
    /// the only caller of the host's large probe, that is inlined here,
    /// and inlined into the loop above it was larger still (x86_64 +144 B).
    #[cfg_attr(not(feature = "ifplugstatus"), inline(never))]
    #[cfg_attr(feature = "ifplugstatus", inline(always))]
    fn probe<H: Host>(&self, host: &mut H, method: Method) -> Result<Reading, ProbeError> {
        host.probe(&self.name, method)
    }
}
