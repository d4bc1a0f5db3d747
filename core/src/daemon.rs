//! The daemon: the interfaces one instance watches, each with its own
//! [`Link`] machine. It routes each parsed netlink message to the machine
//! it names (and, for `-i` patterns, makes machines for interfaces that
//! appear), merges their deadlines, hands each script's end to its
//! machine, and runs the shutdown.
//!
//! The host calls [`Daemon::start`], then, each time it wakes,
//! [`Daemon::signal`], [`Daemon::script_ended`], [`Daemon::netlink`] and
//! [`Daemon::wake`], and sleeps until [`Daemon::poll_at`]. Scripts run
//! side by side, at most one per interface.

use crate::delay::{Instant, Millis};
use crate::host::Host;
use crate::ifname::IfName;
use crate::link::{Exit, Link, EXIT_FAILURE};
use crate::messages::Message;
use crate::netlink::{self, LinkEvent, LinkInfo};
use crate::options::Options;
use crate::script::ScriptOutcome;
use crate::signal::Signal;

/// How many interfaces one instance watches at most: one without `multi`
/// (BusyBox's), else enough for a router's ports, VLANs and dongles.
pub const MAX_LINKS: usize = if cfg!(feature = "multi") { 32 } else { 1 };

/// `-w` (0.28's): how long the parent waits for the daemon's start-up.
#[cfg(feature = "wait-on-fork")]
pub const WAIT_ON_FORK_SECS: u32 = 60;

/// The longest the host sleeps without calling [`Daemon::poll_at`] (a day,
/// as a `-t` or delay longer than that is slept in days): each call settles
/// the passed instants (see [`crate::delay`]), and the clock wraps only
/// every 49.7 days.
pub const MAX_SLEEP: Millis = 86_400_000;

/// What the host does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Remove the pid file and exit with this status.
    Exit(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Run,
    /// A signal ends the daemon once every script has ended; `downs`: the
    /// interfaces owed a down script get one (SIGTERM, not `-q`).
    Stop {
        downs: bool,
    },
    Done(u8),
}

pub struct Daemon<'a> {
    opts: Options<'a>,
    /// The prefix of lines about the whole instance (without `multi`, the
    /// one interface's name).
    #[cfg(feature = "multi")]
    name: crate::options::InstanceName,
    #[cfg(not(feature = "multi"))]
    name: &'a [u8],
    /// Slots stay put while an interface is watched: the host's running
    /// scripts are known by them.
    links: [Option<Link>; MAX_LINKS],
    phase: Phase,
    /// Some `-i` is a pattern.
    patterns: bool,
    /// Start-up's list of interfaces is still coming in: the matching ones
    /// get start-up's treatment, not "appeared".
    listing: bool,
    /// SIGUSR1s not yet undone by a SIGUSR2 (see `ctl`).
    #[cfg(feature = "ctl")]
    suspended: u32,
}

impl<'a> Daemon<'a> {
    pub fn new(opts: Options<'a>) -> Self {
        Daemon {
            #[cfg(feature = "multi")]
            name: opts.instance_name(),
            #[cfg(not(feature = "multi"))]
            name: opts.iface_name(),
            opts,
            links: [const { None }; MAX_LINKS],
            phase: Phase::Run,
            patterns: false,
            listing: false,
            #[cfg(feature = "ctl")]
            suspended: 0,
        }
    }

    pub fn options(&self) -> &Options<'a> {
        &self.opts
    }

    /// The instance's name: the prefix of lines about the whole daemon.
    pub fn name(&self) -> &[u8] {
        #[cfg(feature = "multi")]
        return &self.name;
        #[cfg(not(feature = "multi"))]
        return self.name;
    }

    /// The machines of the interfaces watched now.
    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.links.iter().flatten()
    }

    /// Start-up: each named interface is checked and gets its start-up
    /// script; patterns ask the kernel for its interfaces.
    pub fn start<H: Host>(&mut self, host: &mut H, now: Instant) -> Flow {
        host.log(self.name(), &Message::Started);
        for i in 0..self.opts.ifaces.len() {
            let Some(value) = self.opts.ifaces.get(i).map(|v| v.to_bytes()) else {
                break;
            };
            if cfg!(feature = "multi") && crate::pattern::is_pattern(value) {
                self.patterns = true;
                continue;
            }
            let Some(name) = IfName::new(value) else {
                continue;
            };
            if let Err(Exit(code)) = self.add_and_start(host, name, false, now) {
                return self.finish(code);
            }
        }
        if self.patterns {
            self.listing = true;
            self.relist(host);
        }
        self.flow()
    }

    /// A signal arrived.
    pub fn signal<H: Host>(&mut self, host: &mut H, sig: Signal) -> Flow {
        let downs = match (self.phase, sig) {
            (Phase::Done(_), _) | (_, Signal::Hangup) => return self.flow(),
            #[cfg(feature = "ctl")]
            (_, Signal::Suspend | Signal::Resume | Signal::Info) => {
                self.control(host, sig);
                return self.flow();
            }
            (Phase::Run, Signal::Terminate) => true,
            // SIGQUIT, or a second signal while stopping: no more scripts.
            _ => false,
        };
        self.phase = Phase::Stop { downs };
        let now = host.now();
        let opts = &self.opts;
        for (slot, entry) in self.links.iter_mut().enumerate() {
            let Some(link) = entry else { continue };
            link.stop_script(host, slot, now);
            if downs {
                link.shutdown(opts, host, slot);
            } else {
                link.no_shutdown_script();
            }
        }
        self.finish_stop(host)
    }

    /// The script of `slot` ended (the host reaped it).
    pub fn script_ended<H: Host>(
        &mut self,
        host: &mut H,
        slot: usize,
        outcome: ScriptOutcome,
    ) -> Flow {
        let opts = &self.opts;
        let Some(link) = self.links.get_mut(slot).and_then(Option::as_mut) else {
            return self.flow();
        };
        let ended = link.script_ended(opts, host, outcome);
        match self.phase {
            Phase::Run => {
                if let Err(Exit(code)) = ended {
                    return self.finish(code);
                }
                self.flow()
            }
            Phase::Stop { downs } => {
                if downs {
                    link.shutdown(opts, host, slot);
                }
                self.finish_stop(host)
            }
            Phase::Done(code) => Flow::Exit(code),
        }
    }

    /// One netlink datagram arrived. Call [`Daemon::wake`] after the last.
    pub fn netlink<H: Host>(&mut self, host: &mut H, datagram: &[u8]) {
        if self.phase != Phase::Run {
            return;
        }
        if self.opts.poll_only {
            for entry in &mut self.links {
                let Some(link) = entry else { continue };
                link.any_traffic();
            }
        }
        for msg in netlink::messages(datagram) {
            // A start-up in this datagram may have ended the daemon.
            if self.phase != Phase::Run {
                return;
            }
            match msg {
                Ok(netlink::Message::Link(info)) => self.route(host, &info),
                Ok(netlink::Message::Done) => self.listing = false,
                Ok(netlink::Message::Overrun) => self.netlink_lost(host),
                Ok(_) => {}
                Err(_) => {
                    host.log(self.name(), &Message::NetlinkTruncated);
                    for entry in &mut self.links {
                        let Some(link) = entry else { continue };
                        link.resync();
                    }
                    self.relist(host);
                }
            }
        }
    }

    /// Netlink messages were lost (ENOBUFS, or a datagram too large): the
    /// next wake asks the kernel instead, of each interface and, for
    /// patterns, of the interfaces there are.
    pub fn netlink_lost<H: Host>(&mut self, host: &mut H) {
        if self.phase != Phase::Run {
            return;
        }
        host.log(self.name(), &Message::NetlinkOverrun);
        for entry in &mut self.links {
            let Some(link) = entry else { continue };
            link.lost();
        }
        self.relist(host);
    }

    /// The host woke up: at a deadline, or after netlink traffic.
    pub fn wake<H: Host>(&mut self, host: &mut H, now: Instant) -> Flow {
        let opts = &self.opts;
        match self.phase {
            Phase::Done(code) => return Flow::Exit(code),
            Phase::Stop { .. } => {
                for (slot, entry) in self.links.iter_mut().enumerate() {
                    let Some(link) = entry else { continue };
                    link.kill_due(host, slot, now);
                }
                return self.flow();
            }
            Phase::Run => {}
        }
        #[cfg(feature = "ctl")]
        if self.suspended > 0 {
            return self.flow();
        }
        for (slot, entry) in self.links.iter_mut().enumerate() {
            let Some(link) = entry else { continue };
            if let Err(Exit(code)) = link.wake(opts, host, slot, now) {
                return self.finish(code);
            }
            if link.forgettable() {
                *entry = None;
            }
        }
        self.flow()
    }

    /// `-w`: the exit status for the waiting parent once start-up is over
    /// (the interface list is in, no start-up script still runs), as
    /// 0.28's: 2 when a link is up, 3 when none is; `None` before.
    #[cfg(feature = "wait-on-fork")]
    pub fn startup_status(&self) -> Option<u8> {
        let busy = self.listing || self.links().any(Link::script_running);
        if self.phase != Phase::Run || busy {
            return None;
        }
        let up = self
            .links()
            .any(|l| l.status() == crate::detect::Status::Up);
        Some(if up { 2 } else { 3 })
    }

    /// How long from `now` the host may sleep before it calls
    /// [`Daemon::wake`], at the latest (0: at once); `None`: until netlink
    /// traffic, a signal or a script's end. The host asks before each sleep
    /// and sleeps at most [`MAX_SLEEP`]; an idle sleep that ends so needs
    /// no wake, only this call again.
    pub fn poll_at(&mut self, now: Instant) -> Option<Millis> {
        for link in self.links.iter_mut().flatten() {
            link.settle(now);
        }
        let stopping = match self.phase {
            Phase::Done(_) => return None,
            Phase::Stop { .. } => true,
            Phase::Run => false,
        };
        #[cfg(feature = "ctl")]
        if !stopping && self.suspended > 0 {
            return None;
        }
        self.links()
            .filter_map(|link| {
                if stopping {
                    link.kill_at(now)
                } else {
                    link.poll_at(&self.opts, now)
                }
            })
            .min()
    }

    fn flow(&self) -> Flow {
        match self.phase {
            Phase::Done(code) => Flow::Exit(code),
            _ => Flow::Continue,
        }
    }

    fn finish(&mut self, code: u8) -> Flow {
        self.phase = Phase::Done(code);
        Flow::Exit(code)
    }

    /// Stopping ends once no script runs.
    fn finish_stop<H: Host>(&mut self, host: &mut H) -> Flow {
        if self.links().any(Link::script_running) {
            return self.flow();
        }
        host.log(self.name(), &Message::Exiting);
        self.finish(EXIT_FAILURE)
    }

    /// A message about an interface: to each machine it names; for
    /// patterns, a matching interface not watched yet gets a machine.
    fn route<H: Host>(&mut self, host: &mut H, info: &LinkInfo<'_>) {
        let opts = &self.opts;
        let mut named = false;
        for entry in &mut self.links {
            let Some(link) = entry else { continue };
            link.on_link(opts, info);
            named |= info.name == Some(link.name().as_bytes());
        }
        if !cfg!(feature = "multi") || named || info.event != LinkEvent::New {
            return;
        }
        let Some(name) = info.name.filter(|n| self.matches(n)).and_then(IfName::new) else {
            return;
        };
        if self.listing {
            let now = host.now();
            if let Err(Exit(code)) = self.add_and_start(host, name, true, now) {
                self.finish(code);
            }
        } else {
            let link = Link::appeared(name, &self.opts, info);
            Self::add(&mut self.links, host, link);
        }
    }

    /// Whether a pattern `-i` matches `name`.
    fn matches(&self, name: &[u8]) -> bool {
        self.opts.ifaces.iter().any(|p| {
            let p = p.to_bytes();
            crate::pattern::is_pattern(p) && crate::pattern::matches(p, name)
        })
    }

    /// With patterns, asks the kernel again which interfaces there are: an
    /// appearance may have been among the lost messages.
    fn relist<H: Host>(&mut self, host: &mut H) {
        if !cfg!(feature = "multi") || !self.patterns {
            return;
        }
        if let Err(errno) = host.list_links() {
            host.log(
                self.name(),
                &Message::Failed {
                    what: "netlink: send",
                    errno,
                },
            );
            self.listing = false;
        }
    }

    /// A machine for `name`, unless it is watched already, started as at
    /// start-up.
    fn add_and_start<H: Host>(
        &mut self,
        host: &mut H,
        name: IfName,
        by_pattern: bool,
        now: Instant,
    ) -> Result<(), Exit> {
        // Without `multi` there is one `-i`, so nothing to find.
        if cfg!(feature = "multi") && self.links().any(|l| *l.name() == name) {
            return Ok(());
        }
        let link = Link::new(name, by_pattern, &self.opts);
        match Self::add(&mut self.links, host, link) {
            Some((slot, link)) => link.start(&self.opts, host, slot, now),
            None => Ok(()),
        }
    }

    /// Puts a machine in a free slot, and gives it back there with the
    /// slot's number; with none free, says so and drops it.
    fn add<'l, H: Host>(
        links: &'l mut [Option<Link>],
        host: &mut H,
        link: Link,
    ) -> Option<(usize, &'l mut Link)> {
        let Some((slot, entry)) = links.iter_mut().enumerate().find(|(_, e)| e.is_none()) else {
            host.log(link.name().as_bytes(), &Message::TooManyInterfaces);
            return None;
        };
        Some((slot, entry.insert(link)))
    }
}

#[cfg(feature = "ctl")]
mod ctl;
#[cfg(all(test, feature = "ctl"))]
mod ctl_tests;
#[cfg(test)]
mod tests;
