//! The daemon's decisions, as a machine that never sleeps and never reads a
//! clock: the host calls [`Daemon::start`], then, each time it wakes,
//! [`Daemon::signal`], [`Daemon::netlink`] and [`Daemon::wake`], and sleeps
//! until [`Daemon::poll_at`]. Every system call goes through [`Host`].
//!
//! This reproduces BusyBox ifplugd's main loop: start-up (`-p`, `-l`), the
//! delays, `-f`/`-F`, `-M`, `-I`, and the shutdown rules. What differs is
//! when it wakes: by default on the kernel's netlink announcements and at
//! delay deadlines as well as every `-t` seconds.

use crate::delay::{secs_to_millis, Delay, Millis};
use crate::detect::{ApiMode, Method, ProbeError, Reading, Status, IFF_UP};
use crate::messages::Message;
use crate::netlink::{self, LinkEvent, LinkInfo};
use crate::options::Options;
use crate::script::{ScriptCall, ScriptOutcome};
pub use crate::signal::Signal;

/// What the host does for the daemon: each method is one system call (or a
/// short, fixed series of them).
pub trait Host {
    /// Logs one line.
    fn log(&mut self, msg: &Message<'_>);
    /// SIOCGIFINDEX: the interface's index, or `None` if it does not exist.
    fn if_index(&mut self) -> Option<u32>;
    /// SIOCGIFFLAGS: the interface's flags, or the errno.
    fn if_flags(&mut self) -> Result<u32, i32>;
    /// SIOCSIFFLAGS.
    fn set_if_flags(&mut self, flags: u32) -> Result<(), i32>;
    /// The ioctl(s) of one detection method.
    fn probe(&mut self, method: Method) -> Result<Reading, ProbeError>;
    /// Runs the action script and waits for it.
    fn run_script(&mut self, call: &ScriptCall) -> ScriptOutcome;
    /// The monotonic clock, read now. The `now` the host passes in may lag
    /// it (a poll that timed out is taken to have slept exactly its
    /// timeout, which saves a clock read per idle tick); a delay's deadline
    /// is set from this instead, so that it holds on real time.
    fn now(&mut self) -> Millis;
}

/// What the host does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Remove the pid file and exit with this status.
    Exit(u8),
}

/// The daemon has decided to exit with this status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exit(u8);

/// BusyBox ends every path through "exiting" (SIGTERM included) with
/// `bb_error_msg_and_die`, so with status 1.
const EXIT_FAILURE: u8 = 1;

/// "No such device": the same number on every Linux architecture.
const ENODEV: i32 = 19;

pub struct Daemon<'a> {
    opts: Options<'a>,
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
    next_poll: Millis,
    /// A netlink message named our interface: check the link now.
    check_now: bool,
    /// Netlink lost messages: ask the kernel again.
    resync: bool,
    /// IFF_UP is set, and netlink would have told us if that changed: the
    /// periodic check may skip SIOCGIFFLAGS (not with `-P`, BusyBox's way).
    up_known: bool,
    done: Option<u8>,
}

impl<'a> Daemon<'a> {
    pub fn new(opts: Options<'a>) -> Self {
        Daemon {
            opts,
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
            next_poll: 0,
            check_now: false,
            resync: false,
            up_known: false,
            done: None,
        }
    }

    pub fn options(&self) -> &Options<'a> {
        &self.opts
    }

    /// The status the daemon last reported or is waiting to report.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Start-up: check the link once and run the start-up script.
    pub fn start<H: Host>(&mut self, host: &mut H, now: Millis) -> Flow {
        let r = self.try_start(host, now);
        self.flow(r)
    }

    /// A signal arrived.
    pub fn signal<H: Host>(&mut self, host: &mut H, sig: Signal) -> Flow {
        if let Some(code) = self.done {
            return Flow::Exit(code);
        }
        let r = self.on_signal(host, sig);
        self.flow(r)
    }

    /// One netlink datagram arrived. Call [`Daemon::wake`] after the last.
    pub fn netlink<H: Host>(&mut self, host: &mut H, datagram: &[u8]) {
        if self.done.is_some() {
            return;
        }
        if self.opts.poll_only {
            // BusyBox checks the link on any netlink traffic.
            self.check_now = true;
        }
        for msg in netlink::messages(datagram) {
            match msg {
                Ok(netlink::Message::Link(info)) => self.on_link(&info),
                Ok(netlink::Message::Overrun) => self.netlink_lost(host),
                Ok(_) => {}
                Err(_) => {
                    host.log(&Message::NetlinkTruncated);
                    self.resync = true;
                }
            }
        }
    }

    /// Netlink messages were lost (ENOBUFS, or a truncated datagram): the
    /// next wake asks the kernel instead.
    pub fn netlink_lost<H: Host>(&mut self, host: &mut H) {
        if self.done.is_some() {
            return;
        }
        host.log(&Message::NetlinkOverrun);
        self.resync = true;
        self.up_known = false;
    }

    /// The host woke up: at a deadline, or after netlink traffic.
    pub fn wake<H: Host>(&mut self, host: &mut H, now: Millis) -> Flow {
        if let Some(code) = self.done {
            return Flow::Exit(code);
        }
        let r = self.on_wake(host, now);
        self.flow(r)
    }

    /// When the host must call [`Daemon::wake`] next, at the latest;
    /// `None`: only on netlink traffic or a signal.
    pub fn poll_at(&self) -> Option<Millis> {
        if self.done.is_some() {
            return None;
        }
        if self.check_now || self.resync {
            return Some(0);
        }
        let poll = (self.opts.poll_only || self.opts.poll_secs > 0).then_some(self.next_poll);
        if self.opts.poll_only {
            // BusyBox-style: delays are looked at only when polling.
            return poll;
        }
        match (poll, self.delay.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn flow(&mut self, r: Result<(), Exit>) -> Flow {
        match r {
            Ok(()) => Flow::Continue,
            Err(Exit(code)) => {
                self.done = Some(code);
                Flow::Exit(code)
            }
        }
    }

    fn try_start<H: Host>(&mut self, host: &mut H, now: Millis) -> Result<(), Exit> {
        host.log(&Message::Started);
        if self.opts.monitor {
            self.index = host.if_index();
            self.exists = self.index.is_some();
            // Start-up says "exists" or "doesn't exist" itself: an
            // interface vanishing during it is not "disappeared".
            self.exists_before = false;
        }
        if self.exists {
            self.maybe_up_new_iface(host)?;
        }
        let status = self.detect_link(host)?;
        if status == Status::Error {
            return Err(self.exiting(host));
        }
        self.set_status(status);
        if self.opts.monitor {
            host.log(if self.exists {
                &Message::InterfaceExists
            } else {
                &Message::InterfaceWaiting
            });
        }
        if self.exists {
            host.log(&Message::LinkIs(status));
        }
        if (!self.opts.no_startup && status == Status::Up) || self.opts.initial_down {
            self.report(host, status)?;
        }
        self.next_poll = now.saturating_add(self.poll_ms());
        self.exists_before = self.exists;
        Ok(())
    }

    fn on_signal<H: Host>(&mut self, host: &mut H, sig: Signal) -> Result<(), Exit> {
        match sig {
            Signal::Hangup => Ok(()),
            Signal::Quit => Err(self.exiting(host)),
            Signal::Terminate => {
                let status = self.status;
                let down_owed =
                    status == Status::Up || (status == Status::Down && self.delay.pending());
                if !self.opts.no_shutdown && down_owed {
                    let call = ScriptCall {
                        action: Status::Down,
                        previous: status,
                        current: Status::Error,
                    };
                    // Its result does not matter: we are leaving anyway.
                    let _ = self.run_script(host, &call);
                }
                Err(self.exiting(host))
            }
        }
    }

    fn on_link(&mut self, info: &LinkInfo<'_>) {
        // Messages name an interface by its primary name; ours may be an
        // altname or an alias (`eth0:1`), which SIOCGIFINDEX resolves: once
        // the index is known, it decides.
        let named_us = info.name == Some(self.opts.iface_name());
        let same_index = self.index.is_some() && self.index == Some(info.index);
        if !named_us && !same_index {
            return;
        }
        self.check_now = true;
        // The message's flags are the latest word on IFF_UP; a deletion or
        // a rename away leaves nothing known.
        self.up_known = named_us
            && info.event == LinkEvent::New
            && info.flags & IFF_UP != 0
            && !self.opts.poll_only;
        if !self.opts.monitor {
            if named_us {
                self.index = Some(info.index);
            }
            return;
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
    }

    fn on_wake<H: Host>(&mut self, host: &mut H, now: Millis) -> Result<(), Exit> {
        if self.opts.monitor {
            if self.resync {
                let index = host.if_index();
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
                host.log(&Message::InterfaceDisappeared);
                self.exists_before = false;
                self.exists = false;
                self.check(host, now)?;
                self.exists = true;
            }
            if self.exists != self.exists_before {
                host.log(if self.exists {
                    &Message::InterfaceAppeared
                } else {
                    &Message::InterfaceDisappeared
                });
                self.exists_before = self.exists;
                if self.exists {
                    self.maybe_up_new_iface(host)?;
                }
            }
        }
        self.recreated = false;
        let tick = now >= self.next_poll;
        let due = self.delay.deadline().is_some_and(|at| now >= at);
        let check = self.opts.poll_only || tick || due || self.check_now || self.resync;
        self.check_now = false;
        self.resync = false;
        if !check {
            return Ok(());
        }
        if tick || self.opts.poll_only {
            self.next_poll = now.saturating_add(self.poll_ms());
        }
        self.check(host, now)?;
        // A failed SIOCGIFFLAGS in the check made the interface missing:
        // BusyBox says nothing of it, not even at the next wake.
        self.exists_before = self.exists;
        Ok(())
    }

    /// One pass of BusyBox's main loop after `poll()`.
    fn check<H: Host>(&mut self, host: &mut H, now: Millis) -> Result<(), Exit> {
        let old = self.status;
        let mut status = self.detect_link(host)?;
        if status == Status::Error {
            if !self.opts.monitor {
                return Err(self.exiting(host));
            }
            status = Status::Down;
        }
        let mut now = now;
        if status != old {
            host.log(&Message::LinkIs(status));
            self.set_status(status);
            let delay = match status {
                Status::Up => self.opts.delay_up,
                _ => self.opts.delay_down,
            };
            // Never earlier than the time passed in: the clock is monotonic.
            now = now.max(host.now());
            self.delay.on_change(now, secs_to_millis(delay));
            self.previous = old;
        }
        if self.delay.take_due(now) {
            self.report(host, status)?;
        }
        Ok(())
    }

    fn set_status(&mut self, status: Status) {
        self.status = status;
    }

    /// Runs the script for the change to `status` that is due.
    fn report<H: Host>(&mut self, host: &mut H, status: Status) -> Result<(), Exit> {
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
        match self.run_script(host, &call) {
            Ok(()) => Ok(()),
            Err(None) => Err(self.exiting(host)),
            Err(Some(sig)) => {
                self.on_signal(host, sig)?;
                Ok(())
            }
        }
    }

    /// `Err(None)`: the script failed and `-I` is off; `Err(Some(sig))`: a
    /// signal stopped it.
    fn run_script<H: Host>(
        &mut self,
        host: &mut H,
        call: &ScriptCall,
    ) -> Result<(), Option<Signal>> {
        host.log(&Message::Executing {
            script: self.opts.script.to_bytes(),
            iface: self.opts.iface_name(),
            action: call.action,
        });
        let outcome = host.run_script(call);
        match outcome {
            ScriptOutcome::Interrupted(sig) => {
                host.log(&Message::ScriptStopped);
                return Err(Some(sig));
            }
            ScriptOutcome::NotStarted(errno) => host.log(&Message::CantExecute {
                script: self.opts.script.to_bytes(),
                errno,
            }),
            ScriptOutcome::Killed(sig) => host.log(&Message::KilledBySignal(sig)),
            ScriptOutcome::Exited(_) => {}
        }
        host.log(&Message::ExitCode(outcome.exit_code()));
        if outcome.failed() && !self.opts.ignore_retval {
            Err(None)
        } else {
            Ok(())
        }
    }

    fn exiting<H: Host>(&mut self, host: &mut H) -> Exit {
        host.log(&Message::Exiting);
        Exit(EXIT_FAILURE)
    }

    fn poll_ms(&self) -> Millis {
        secs_to_millis(self.opts.poll_secs)
    }

    /// A new interface: bring it up unless `-a`, and probe afresh.
    fn maybe_up_new_iface<H: Host>(&mut self, host: &mut H) -> Result<(), Exit> {
        // -A is BusyBox 1.36's: only this up; -a also stops the one at
        // each probe.
        if !self.opts.no_auto && !self.opts.no_up_new {
            self.up_iface(host)?;
        }
        self.cached = None;
        Ok(())
    }

    fn up_iface<H: Host>(&mut self, host: &mut H) -> Result<(), Exit> {
        if !self.exists || self.up_known {
            return Ok(());
        }
        match host.if_flags() {
            Err(ENODEV) if self.opts.monitor => {
                self.vanished(host);
                Ok(())
            }
            Err(errno) => {
                host.log(&Message::GetFlagsFailed(errno));
                self.exists = false;
                Ok(())
            }
            Ok(flags) if flags & IFF_UP == 0 => {
                host.log(&Message::UppingInterface);
                match host.set_if_flags(flags | IFF_UP) {
                    Ok(()) => Ok(()),
                    // Deleted between the two calls (the kernel clears
                    // IFF_UP first): with -M that is no reason to die.
                    Err(ENODEV) if self.opts.monitor => {
                        self.vanished(host);
                        Ok(())
                    }
                    Err(errno) => {
                        // BusyBox dies here, without "exiting".
                        host.log(&Message::SetFlagsFailed(errno));
                        Err(Exit(EXIT_FAILURE))
                    }
                }
            }
            Ok(_) => {
                // From here netlink tells us if someone downs it.
                self.up_known = !self.opts.poll_only;
                Ok(())
            }
        }
    }

    /// BusyBox's `detect_link()`: up the interface, ask, map failures.
    fn detect_link<H: Host>(&mut self, host: &mut H) -> Result<Status, Exit> {
        if !self.exists {
            return Ok(if self.opts.monitor {
                Status::Down
            } else {
                Status::Error
            });
        }
        if !self.opts.no_auto {
            self.up_iface(host)?;
        }
        if !self.exists && self.opts.monitor {
            return Ok(Status::Down);
        }
        let mut status = self.detect(host);
        if status == Status::Error {
            if self.opts.ignore_fail {
                status = Status::Down;
            }
            if self.opts.ignore_fail_positive {
                status = Status::Up;
            }
        }
        if status == Status::Error && self.opts.api_mode == ApiMode::Auto {
            host.log(&Message::FailedToDetect);
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
            host.log(&Message::InterfaceDisappeared);
        }
        self.exists = false;
        self.exists_before = false;
        self.index = None;
        self.up_known = false;
    }

    fn detect<H: Host>(&mut self, host: &mut H) -> Status {
        if let Some(method) = self.opts.api_mode.method() {
            return self.probe_logged(host, method);
        }
        if let Some(method) = self.cached {
            let status = self.probe_logged(host, method);
            if status != Status::Error {
                return status;
            }
        }
        // Probing is silent; only the method found is logged.
        for method in Method::AUTO_ORDER {
            match host.probe(method) {
                Ok(reading) => {
                    self.cached = Some(method);
                    host.log(&Message::UsingMode(method));
                    return reading.status(self.last_detected);
                }
                Err(e) if e.errno == ENODEV && self.opts.monitor => {
                    self.vanished(host);
                    return Status::Down;
                }
                Err(_) => {}
            }
        }
        Status::Error
    }

    fn probe_logged<H: Host>(&mut self, host: &mut H, method: Method) -> Status {
        match host.probe(method) {
            Ok(reading) => reading.status(self.last_detected),
            Err(e) if e.errno == ENODEV && self.opts.monitor => {
                self.vanished(host);
                Status::Down
            }
            Err(e) => {
                host.log(&Message::ProbeFailed(e));
                Status::Error
            }
        }
    }
}

#[cfg(test)]
mod tests;
