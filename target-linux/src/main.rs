//! `ifplugd`: the system calls around `ifplugd-core`. Every decision is the
//! core's; this file opens the sockets, sleeps until the core's next
//! deadline, and hands it what woke us.
// `cargo clippy --all-targets` builds this as a test harness too, with std:
// then the start-up and panic glue step aside.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]
#![cfg_attr(test, allow(dead_code, unused_imports))]
// Every unsafe operation in its own block with a SAFETY line (clippy checks
// the lines: `undocumented_unsafe_blocks`).
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod log;
mod netdev;
mod pidfile;
mod script;
mod signals;
mod strerror;
mod sys;

use core::ffi::{c_char, c_int, CStr};
use ifplugd_core::delay::Millis;
use ifplugd_core::detect::{Method, ProbeError, Reading};
use ifplugd_core::kernel::RTMGRP_LINK;
use ifplugd_core::messages::{Line, Message};
use ifplugd_core::options::{self, Command, Options};
use ifplugd_core::script::{ScriptCall, ScriptOutcome};
use ifplugd_core::{Daemon, Flow, Host};
use log::{write_stderr, Logger};
use netdev::{IfName, NetDev};
use pidfile::{read_pid, remove_pid, write_pid};
use rustix::event::{poll, PollFd, PollFlags};
use rustix::fd::{AsFd, AsRawFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::net::{netlink, AddressFamily, RecvFlags, SocketFlags, SocketType};
use rustix::process::{kill_process, Signal as KillSignal};
use script::Script;
use signals::Signals;

/// Large enough for any one RTM_NEWLINK (BusyBox's 1 KiB is not: one is
/// ~1.5 KiB today); a larger one is seen as truncated and re-read.
const NETLINK_BUF: usize = 8 * 1024;

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // Nothing here panics by design; if it ever does, die as BusyBox dies.
    // SAFETY: _exit ends the process at once.
    unsafe { sys::_exit(1) }
}

/// The precompiled `core` refers to this even with `panic = "abort"`;
/// without LTO (debug builds) the link needs it. Never called: we abort.
#[cfg(not(test))]
#[no_mangle]
extern "C" fn rust_eh_personality() {}

/// # Safety
/// Called once by the C start-up code with the process's arguments.
#[cfg(not(test))]
#[no_mangle]
pub unsafe extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: the C start-up code hands us argc valid C strings.
    let args = unsafe { Args::new(argc, argv) };
    c_int::from(run(args))
}

/// The arguments after the program name, as the C strings they are.
#[derive(Clone, Copy)]
struct Args {
    argv: *const *const c_char,
    at: usize,
    end: usize,
}

impl Args {
    /// # Safety
    /// `argv` must hold `argc` NUL-terminated strings that live for ever.
    unsafe fn new(argc: c_int, argv: *const *const c_char) -> Args {
        Args {
            argv,
            at: 1,
            end: usize::try_from(argc).unwrap_or(0),
        }
    }
}

impl Iterator for Args {
    type Item = &'static CStr;
    fn next(&mut self) -> Option<&'static CStr> {
        if self.at >= self.end {
            return None;
        }
        // SAFETY: at < argc, so argv[at] is a valid C string living for
        // ever (the process's own arguments).
        let arg = unsafe { CStr::from_ptr(*self.argv.add(self.at)) };
        self.at += 1;
        Some(arg)
    }
}

fn run(args: Args) -> u8 {
    ensure_std_fds();
    let opts = match options::parse(args) {
        Ok(Command::Run(opts)) => opts,
        Ok(Command::Help) => {
            write_stdout(options::USAGE.as_bytes());
            return 0;
        }
        Ok(Command::Version) => {
            write_stdout(concat!("ifplugd-rs ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
            return 0;
        }
        Err(e) => {
            let mut line = Line::<256>::new();
            let _ = e.write(&mut line);
            write_stderr(b"ifplugd: ");
            write_stderr(line.as_bytes());
            write_stderr(b"\n");
            if e.shows_usage() {
                write_stderr(options::USAGE.as_bytes());
            }
            return e.exit_code();
        }
    };
    // From here every line has BusyBox's `ifplugd(IFACE): ` prefix.
    let mut log = Logger::new(opts.iface_name());
    let fail = |log: &mut Logger, what: &str, e: Errno| {
        log.log(&Message::Failed {
            what,
            errno: e.raw_os_error(),
        });
        1
    };

    let Some(pid_path) = pidfile::path(opts.iface_name()) else {
        return 1;
    };
    let pid_path = CStr::from_bytes_with_nul(&pid_path).unwrap_or(c"");
    let running = read_pid(pid_path);
    if opts.kill {
        if let Some(pid) = running {
            let _ = kill_process(pid, KillSignal::QUIT);
        }
        return 0;
    }
    if let Some(pid) = running {
        if matches!(
            kill_process(
                pid,
                KillSignal::from_named_raw(0).unwrap_or(KillSignal::HUP)
            ),
            Ok(()) | Err(Errno::PERM)
        ) && pid != rustix::process::getpid()
        {
            log.log(&Message::DaemonRunning);
            return 1;
        }
    }

    // BusyBox's order: -k and "already running" before the API mode.
    if let Some(mode) = opts.unknown_api_mode {
        log.log(&Message::UnknownApiMode(mode));
        return 1;
    }
    let Some(name) = IfName::new(opts.iface_name()) else {
        return 1;
    };

    // From here on a signal waits in the signalfd instead of killing us
    // half-way through start-up.
    let signals = match Signals::new() {
        Ok(s) => s,
        Err(e) => return fail(&mut log, "signalfd", e),
    };
    if !opts.no_daemon {
        if let Err(e) = daemonize() {
            return fail(&mut log, "fork", e);
        }
    }
    // Before the sockets: its descriptor is closed again, so start-up needs
    // no more than 5 (0-2, the signalfd, one socket).
    let pid_written = write_pid(pid_path, &mut log);
    let fail = |log: &mut Logger, what: &str, e: Errno| {
        if pid_written {
            remove_pid(pid_path);
        }
        fail(log, what, e)
    };
    let netlink_fd = if opts.poll_only && !opts.monitor {
        None
    } else {
        match open_netlink() {
            Ok(fd) => Some(fd),
            Err(e) => return fail(&mut log, "netlink", e),
        }
    };
    // The interface ioctls work on any socket (the kernel hands what a
    // protocol does not know to dev_ioctl): the netlink socket serves, and
    // start-up needs one descriptor fewer (BusyBox opens two sockets).
    let inet_fd = match &netlink_fd {
        Some(_) => None,
        None => match rustix::net::socket_with(
            AddressFamily::INET,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            None,
        ) {
            Ok(fd) => Some(fd),
            Err(e) => return fail(&mut log, "socket", e),
        },
    };
    let Some(ioctl_fd) = netlink_fd.as_ref().or(inet_fd.as_ref()) else {
        return 1;
    };
    if !opts.no_syslog {
        log.open_syslog();
    }
    let mut host = System {
        dev: NetDev::new(ioctl_fd.as_fd(), name),
        log,
        script: Script {
            path: opts.script,
            iface: opts.iface,
            extra: opts.extra_arg,
        },
        signals,
        script_ran: false,
        clock: 0,
    };
    let code = main_loop(&mut host, opts, netlink_fd.as_ref());
    if pid_written {
        remove_pid(pid_path);
    }
    code
}

fn main_loop(host: &mut System<'_>, opts: Options<'_>, netlink_fd: Option<&OwnedFd>) -> u8 {
    let mut daemon = Daemon::new(opts);
    // Each clock read is a system call (see sys::monotonic_ms): the clock is
    // read when something woke us, after the script ran (it may have taken
    // a while), and by the core when a change sets a deadline. When the
    // poll simply timed out, at least its timeout passed, and that is the
    // time we go on with: it may lag (timer slack, SIGSTOP) but never runs
    // early, and a deadline is always set from a real read.
    let mut now_ms = now();
    let mut flow = daemon.start(host, now_ms);
    let mut buf = [0u8; NETLINK_BUF];
    while flow == Flow::Continue {
        if core::mem::take(&mut host.script_ran) {
            now_ms = now();
        }
        // The core read the clock to set a deadline: go on from there.
        now_ms = now_ms.max(host.clock);
        // At most a day: u32 arithmetic, no 64-bit division on 32-bit
        // routers.
        let timeout_ms = daemon
            .poll_at()
            .map(|at| at.saturating_sub(now_ms).min(86_400_000) as u32);
        let timeout = timeout_ms.map(|ms| rustix::time::Timespec {
            tv_sec: (ms / 1000).into(),
            tv_nsec: ((ms % 1000) * 1_000_000) as rustix::time::Nsecs,
        });
        let (sig_ready, nl_ready) = {
            let sigfd = host.signals.fd();
            let mut fds = [
                PollFd::new(&sigfd, PollFlags::IN),
                PollFd::new(&sigfd, PollFlags::IN),
            ];
            let n = match netlink_fd {
                Some(fd) => {
                    fds[1] = PollFd::new(fd, PollFlags::IN);
                    2
                }
                None => 1,
            };
            match poll(&mut fds[..n], timeout.as_ref()) {
                Ok(0) => now_ms += u64::from(timeout_ms.unwrap_or(0)),
                Ok(_) | Err(Errno::INTR) => now_ms = now(),
                Err(e) => {
                    host.log.log(&Message::PollFailed(e.raw_os_error()));
                    return 1;
                }
            }
            (
                !fds[0].revents().is_empty(),
                n == 2 && !fds[1].revents().is_empty(),
            )
        };
        if sig_ready {
            while let Some(sig) = host.signals.read() {
                flow = daemon.signal(host, sig);
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
    match flow {
        Flow::Exit(code) => code,
        Flow::Continue => 1,
    }
}

/// Reads every datagram waiting on the netlink socket.
fn drain_netlink(fd: &OwnedFd, buf: &mut [u8], daemon: &mut Daemon<'_>, host: &mut System<'_>) {
    loop {
        match rustix::net::recv(fd, &mut *buf, RecvFlags::DONTWAIT | RecvFlags::TRUNC) {
            Ok((_, len)) if len > buf.len() => daemon.netlink_lost(host),
            Ok((_, len)) => daemon.netlink(host, buf.get(..len).unwrap_or(&[])),
            Err(Errno::AGAIN) => return,
            Err(Errno::INTR) => {}
            Err(Errno::NOBUFS) => daemon.netlink_lost(host),
            Err(e) => {
                host.log.log(&Message::NetlinkRecvFailed(e.raw_os_error()));
                daemon.netlink_lost(host);
                return;
            }
        }
    }
}

fn open_netlink() -> Result<OwnedFd, Errno> {
    let fd = rustix::net::socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
        None, // NETLINK_ROUTE is protocol 0
    )?;
    rustix::net::bind(&fd, &netlink::SocketAddrNetlink::new(0, RTMGRP_LINK))?;
    Ok(fd)
}

/// The monotonic clock in milliseconds.
fn now() -> Millis {
    sys::monotonic_ms()
}

/// The system calls the core asks for.
struct System<'a> {
    dev: NetDev<'a>,
    log: Logger<'a>,
    script: Script<'a>,
    signals: Signals,
    /// The script ran since the main loop last read the clock.
    script_ran: bool,
    /// The clock as the core last had it read.
    clock: Millis,
}

impl Host for System<'_> {
    fn log(&mut self, msg: &Message<'_>) {
        self.log.log(msg);
    }

    fn if_index(&mut self) -> Option<u32> {
        self.dev.index().ok()
    }

    fn if_flags(&mut self) -> Result<u32, i32> {
        self.dev.flags().map_err(|e| e.raw_os_error())
    }

    fn set_if_flags(&mut self, flags: u32) -> Result<(), i32> {
        self.dev.set_flags(flags).map_err(|e| e.raw_os_error())
    }

    fn probe(&mut self, method: Method) -> Result<Reading, ProbeError> {
        self.dev.probe(method)
    }

    fn run_script(&mut self, call: &ScriptCall) -> ScriptOutcome {
        self.script_ran = true;
        self.script.run(call, &mut self.signals)
    }

    fn now(&mut self) -> Millis {
        self.clock = now();
        self.clock
    }
}

/// Fds 0, 1 and 2 open (on /dev/null if they were closed), so that no
/// socket of ours becomes "stderr".
fn ensure_std_fds() {
    while let Ok(fd) = rustix::fs::open(c"/dev/null", OFlags::RDWR, Mode::empty()) {
        if fd.as_raw_fd() > 2 {
            break;
        }
        core::mem::forget(fd);
    }
}

/// fork, setsid, chdir /, stdio on /dev/null: BusyBox's
/// `bb_daemonize_or_rexec(DAEMON_CHDIR_ROOT)`.
fn daemonize() -> Result<(), Errno> {
    let null = rustix::fs::open(c"/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?;
    let _ = rustix::process::chdir(c"/");
    // SAFETY: single-threaded; the child goes on with a copy of everything.
    match unsafe { sys::clone_copy(false) } {
        Err(errno) => return Err(Errno::from_raw_os_error(errno)),
        Ok(0) => {}
        // SAFETY: the parent leaves at once, as BusyBox's does.
        Ok(_) => unsafe { sys::_exit(0) },
    }
    let _ = rustix::process::setsid();
    let _ = rustix::stdio::dup2_stdin(&null);
    let _ = rustix::stdio::dup2_stdout(&null);
    let _ = rustix::stdio::dup2_stderr(&null);
    Ok(())
}

fn write_stdout(bytes: &[u8]) {
    // SAFETY: fd 1 is only borrowed for this write.
    let _ = rustix::io::write(unsafe { rustix::stdio::stdout() }, bytes);
}
