//! The main loop: sleep in `poll` until the core's next deadline, a
//! signal or a netlink datagram, hand the core what woke us, and carry out
//! what it asks through [`System`], its [`Host`].

use crate::log::Logger;
use crate::netdev::NetDev;
use crate::process::Report;
use crate::script::{self, Script};
use crate::signals::{Signals, Woke};
use crate::sys;
use ifplugd_core::daemon::{MAX_LINKS, MAX_SLEEP};
use ifplugd_core::delay::Instant;
use ifplugd_core::detect::{Method, ProbeError, Reading};
use ifplugd_core::kernel::RTMGRP_LINK;
use ifplugd_core::messages::Message;
use ifplugd_core::netlink;
use ifplugd_core::options::Options;
use ifplugd_core::script::ScriptCall;
use ifplugd_core::{Daemon, Flow, Host, IfName, Iface};
use rustix::event::{PollFd, PollFlags};
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::io::Errno;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};
use rustix::process::Pid;

/// Large enough for any one RTM_NEWLINK (BusyBox's 1 KiB is not: one is
/// ~1.5 KiB today); a larger one is seen as truncated and re-read.
const NETLINK_BUF: usize = 8 * 1024;

pub fn main_loop(
    host: &mut System<'_>,
    opts: Options<'_>,
    netlink_fd: Option<BorrowedFd<'_>>,
    report: &mut Report,
) -> u8 {
    let mut daemon = Daemon::new(opts);
    // Each clock read is a system call (see sys::monotonic): the clock is
    // read when something woke us, and by the core when a change sets a
    // deadline. When the poll simply timed out, at least its timeout
    // passed, and that is the time we go on with: it may lag (timer slack,
    // SIGSTOP) but never runs early, and a deadline is always set from a
    // real read.
    let mut now_ms = now();
    let mut flow = daemon.start(host, now_ms);
    let mut buf = [0u8; NETLINK_BUF];
    while flow == Flow::Continue {
        #[cfg(feature = "wait-on-fork")]
        if let Some(code) = daemon.startup_status() {
            report.send(code);
        }
        // The core read the clock to set a deadline: go on from there.
        if let Some(clock) = host.clock.take() {
            now_ms = clock;
        }
        // At most a day, with a deadline or without (see MAX_SLEEP).
        let deadline = daemon.poll_at(now_ms);
        let timeout_ms = deadline.unwrap_or(MAX_SLEEP).min(MAX_SLEEP);
        #[cfg(feature = "script-log")]
        host.output.settle(now_ms);
        #[cfg(feature = "script-log")]
        let pipes_ready;
        let (sig_ready, nl_ready) = {
            let sigfd = host.signals.fd();
            #[cfg(not(feature = "script-log"))]
            let mut fds = [
                PollFd::new(&sigfd, PollFlags::IN),
                PollFd::new(&sigfd, PollFlags::IN),
            ];
            // Then each script's pipe.
            #[cfg(feature = "script-log")]
            let mut fds: [PollFd<'_>; 2 + MAX_LINKS] =
                core::array::from_fn(|_| PollFd::new(&sigfd, PollFlags::IN));
            let n = match &netlink_fd {
                Some(fd) => {
                    fds[1] = PollFd::new(fd, PollFlags::IN);
                    2
                }
                None => 1,
            };
            #[cfg(feature = "script-log")]
            let all = n + host.output.poll_fds(fds.get_mut(n..).unwrap_or(&mut []));
            #[cfg(not(feature = "script-log"))]
            let all = n;
            match sys::poll(&mut fds[..all], timeout_ms) {
                Ok(0) => {
                    now_ms = now_ms.after(timeout_ms);
                    // A day without a deadline: nothing to wake for, but
                    // poll_at again.
                    if deadline.is_none() {
                        continue;
                    }
                }
                Ok(_) | Err(Errno::INTR) => now_ms = now(),
                Err(e) => {
                    host.log
                        .log(daemon.name(), &Message::PollFailed(e.raw_os_error()));
                    return 1;
                }
            }
            #[cfg(feature = "script-log")]
            {
                pipes_ready = host.output.ready(fds.get(n..all).unwrap_or(&[]));
            }
            (
                !fds[0].revents().is_empty(),
                n == 2 && !fds[1].revents().is_empty(),
            )
        };
        // Output first: it was written before any end of its script that
        // the signals may bring.
        #[cfg(feature = "script-log")]
        host.output.read_ready(pipes_ready, &mut host.log, now_ms);
        if sig_ready {
            while let Some(woke) = host.signals.read() {
                flow = match woke {
                    Woke::Signal(sig) => daemon.signal(host, sig),
                    Woke::Child => reap_scripts(&mut daemon, host),
                };
                if flow != Flow::Continue {
                    break;
                }
            }
            if flow != Flow::Continue {
                break;
            }
        }
        if let (true, Some(fd)) = (nl_ready, netlink_fd) {
            drain_netlink(fd, &mut buf, &mut daemon, host);
        }
        flow = daemon.wake(host, now_ms);
    }
    // Exiting before the start-up was over: 0.28's "error condition".
    report.send(255);
    match flow {
        Flow::Exit(code) => code,
        Flow::Continue => 1,
    }
}

/// Hands the core the end of every script that has ended.
fn reap_scripts(daemon: &mut Daemon<'_>, host: &mut System<'_>) -> Flow {
    let mut flow = Flow::Continue;
    while let Some((pid, outcome)) = script::reap() {
        let Some(slot) = host.running.iter().position(|&p| p == Some(pid)) else {
            continue;
        };
        if let Some(p) = host.running.get_mut(slot) {
            *p = None;
        }
        #[cfg(feature = "script-log")]
        host.output.drain(slot, &mut host.log);
        flow = daemon.script_ended(host, slot, outcome);
    }
    flow
}

/// Reads every datagram waiting on the netlink socket. Outlined on x86_64,
/// where it leaves the main loop fewer registers to spill (256 B less;
/// 32 B more on MIPS).
#[cfg_attr(target_arch = "x86_64", inline(never))]
fn drain_netlink(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    daemon: &mut Daemon<'_>,
    host: &mut System<'_>,
) {
    loop {
        match rustix::net::recv(fd, &mut *buf, RecvFlags::DONTWAIT | RecvFlags::TRUNC) {
            Ok((_, len)) if len > buf.len() => daemon.netlink_lost(host),
            Ok((_, len)) => daemon.netlink(host, buf.get(..len).unwrap_or(&[])),
            Err(Errno::AGAIN) => return,
            Err(Errno::INTR) => {}
            Err(Errno::NOBUFS) => daemon.netlink_lost(host),
            Err(e) => {
                host.log
                    .log(daemon.name(), &Message::NetlinkRecvFailed(e.raw_os_error()));
                daemon.netlink_lost(host);
                return;
            }
        }
    }
}

/// Asks the kernel for every interface; the answers come as datagrams.
fn request_dump(fd: BorrowedFd<'_>) -> Result<(), Errno> {
    let mut req = [0u8; netlink::GETLINK_DUMP_LEN];
    let len = netlink::emit_getlink_dump(&mut req, 1).unwrap_or(0);
    let kernel = rustix::net::netlink::SocketAddrNetlink::new(0, 0);
    rustix::net::sendto(
        fd,
        req.get(..len).unwrap_or(&[]),
        SendFlags::empty(),
        &kernel,
    )?;
    Ok(())
}

pub fn open_netlink() -> Result<OwnedFd, Errno> {
    // NETLINK_ROUTE is protocol 0.
    let fd = sys::socket(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
    )?;
    rustix::net::bind(
        sys::borrow(&fd),
        &rustix::net::netlink::SocketAddrNetlink::new(0, RTMGRP_LINK),
    )?;
    Ok(fd)
}

/// The monotonic clock in milliseconds.
fn now() -> Instant {
    sys::monotonic()
}

/// The system calls the core asks for.
pub struct System<'a> {
    pub dev: NetDev<'a>,
    /// The netlink socket, if the options need one (for the dump).
    pub netlink: Option<BorrowedFd<'a>>,
    pub log: Logger,
    pub script: Script<'a>,
    pub signals: Signals,
    /// The pid of each slot's running script.
    pub running: [Option<Pid>; MAX_LINKS],
    /// The clock as the core had it read since the main loop last looked
    /// (never earlier than the loop's own time).
    pub clock: Option<Instant>,
    /// The scripts' output (feature `script-log`).
    #[cfg(feature = "script-log")]
    pub output: crate::script_log::Output<'a>,
}

impl Host for System<'_> {
    fn log(&mut self, who: &[u8], msg: &Message<'_>) {
        self.log.log(who, msg);
    }

    fn if_index(&mut self, name: &IfName) -> Option<u32> {
        self.dev.index(name).ok()
    }

    fn if_flags(&mut self, name: &IfName) -> Result<u32, i32> {
        self.dev.flags(name).map_err(|e| e.raw_os_error())
    }

    fn set_if_flags(&mut self, name: &IfName, flags: u32) -> Result<(), i32> {
        self.dev
            .set_flags(name, flags)
            .map_err(|e| e.raw_os_error())
    }

    fn probe(&mut self, name: &IfName, method: Method) -> Result<Reading, ProbeError> {
        self.dev.probe(name, method)
    }

    fn start_script(&mut self, iface: Iface<'_>, call: &ScriptCall) -> Result<(), i32> {
        #[cfg(feature = "script-log")]
        let output = self.output.open(iface.slot, iface.name, &mut self.log);
        let pid = self.script.start(
            iface.name,
            call,
            #[cfg(feature = "script-log")]
            output.as_ref(),
        )?;
        if let Some(p) = self.running.get_mut(iface.slot) {
            *p = Some(pid);
        }
        Ok(())
    }

    fn stop_script(&mut self, slot: usize, kill: bool) {
        if let Some(Some(pid)) = self.running.get(slot) {
            let sig = if kill {
                rustix::process::Signal::KILL
            } else {
                rustix::process::Signal::TERM
            };
            let _ = rustix::process::kill_process(*pid, sig);
        }
    }

    fn list_links(&mut self) -> Result<(), i32> {
        match self.netlink {
            Some(fd) => request_dump(fd).map_err(|e| e.raw_os_error()),
            None => Err(Errno::NOTSUP.raw_os_error()),
        }
    }

    fn now(&mut self) -> Instant {
        let now = now();
        self.clock = Some(now);
        now
    }
}
