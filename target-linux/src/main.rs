//! `ifplugd`: the system calls around `ifplugd-core`. Every decision is the
//! core's. This file is the entry point and start-up (arguments, the pid
//! file, daemonizing, the sockets); `event_loop` sleeps until the core's
//! next deadline and hands it what woke us.
// `cargo clippy --all-targets` builds this as a test harness too, with std:
// then the start-up and panic glue step aside.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]
#![cfg_attr(test, allow(dead_code, unused_imports))]
// MIPS inline assembly is unstable; only the static build (nightly) uses it.
#![cfg_attr(
    all(ifplugd_small_mem, target_arch = "mips"),
    feature(asm_experimental_arch)
)]
// Every unsafe operation in its own block with a SAFETY line (clippy checks
// the lines: `undocumented_unsafe_blocks`).
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod args;
#[cfg(feature = "ctl")]
mod ctl;
mod event_loop;
#[cfg(feature = "ifplugstatus")]
mod ifplugstatus;
#[cfg(all(ifplugd_small_mem, target_arch = "mips", not(test)))]
mod libc_calls;
mod log;
#[cfg(all(ifplugd_small_mem, not(test)))]
mod mem;
mod netdev;
mod pidfile;
mod process;
mod script;
#[cfg(feature = "script-log")]
mod script_log;
mod signals;
#[cfg(all(ifplugd_small_mem, not(test)))]
mod start;
mod strerror;
mod sys;

use args::Args;
use core::ffi::{c_char, c_int, CStr};
use event_loop::{main_loop, open_netlink, System};
use ifplugd_core::daemon::MAX_LINKS;
use ifplugd_core::messages::{Line, Message};
use ifplugd_core::options::{self, Command};
use ifplugd_core::pidfile::Start;
use log::{write_stderr, Logger};
use netdev::NetDev;
use pidfile::{read_pid, remove_pid, write_pid};
use process::{daemonize, ensure_std_fds, write_stdout, Report};
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};
use rustix::process::{kill_process, Pid, Signal as KillSignal};
use script::Script;
use signals::Signals;

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
    #[cfg(feature = "ifplugstatus")]
    if let Some(code) = ifplugstatus::by_name(args) {
        return c_int::from(code);
    }
    c_int::from(run(args))
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
    // From here every line has BusyBox's `ifplugd(IFACE): ` prefix: the
    // instance's name here (with one -i, the interface's).
    #[cfg(feature = "multi")]
    let name = opts.instance_name();
    #[cfg(feature = "multi")]
    let name = &name[..];
    #[cfg(not(feature = "multi"))]
    let name = opts.iface_name();
    let mut log = Logger::new();
    let Some(pid_path) = pidfile::path(opts.pid_dir().to_bytes(), name) else {
        return 1;
    };
    let pid_path = CStr::from_bytes_with_nul(&pid_path).unwrap_or(c"");
    let running = read_pid(pid_path);
    #[cfg(feature = "ctl")]
    if let Some(code) = ctl::control(&opts, running, &mut log, name) {
        return code;
    }
    let own = rustix::process::getpid();
    let alive = |pid: i32| {
        Pid::from_raw(pid).is_some_and(|pid| {
            matches!(
                rustix::process::test_kill_process(pid),
                Ok(()) | Err(Errno::PERM)
            )
        })
    };
    match ifplugd_core::pidfile::start(opts.kill, running, own.as_raw_pid(), alive) {
        Start::Kill(pid) => {
            if let Some(pid) = pid.and_then(Pid::from_raw) {
                let _ = kill_process(pid, KillSignal::QUIT);
            }
            return 0;
        }
        Start::Running => {
            log.log(name, &Message::DaemonRunning);
            return 1;
        }
        Start::Go => {}
    }

    // BusyBox's order: -k and "already running" before the API mode.
    if let Some(mode) = opts.unknown_api_mode {
        log.log(name, &Message::UnknownApiMode(mode));
        return 1;
    }

    // One failure path for every start-up step below: one copy of its log
    // call. What a failure leaves open is closed after it is logged, as a
    // return would: a parent waiting on the report's pipe (-w) sees it
    // close only then.
    let mut pid_written = false;
    let signals;
    let mut report = Report::none();
    let (what, e) = 'fail: {
        // From here on a signal waits in the signalfd instead of killing
        // us half-way through start-up.
        signals = match Signals::new() {
            Ok(s) => s,
            Err(e) => break 'fail ("signalfd", e),
        };
        if !opts.no_daemon {
            match daemonize(opts.wait_on_fork) {
                Ok(r) => report = r,
                Err(e) => break 'fail ("fork", e),
            }
        }
        // Before the sockets: its descriptor is closed again, so start-up
        // needs no more than 5 (0-2, the signalfd, one socket).
        pid_written = write_pid(pid_path, &mut log, name);
        let netlink_fd = if !opts.needs_netlink() {
            None
        } else {
            match open_netlink() {
                Ok(fd) => Some(fd),
                Err(e) => break 'fail ("netlink", e),
            }
        };
        // The interface ioctls work on any socket (the kernel hands what a
        // protocol does not know to dev_ioctl): the netlink socket serves,
        // and start-up needs one descriptor fewer (BusyBox opens two
        // sockets).
        let inet_fd = match &netlink_fd {
            Some(_) => None,
            None => {
                match sys::socket(AddressFamily::INET, SocketType::DGRAM, SocketFlags::CLOEXEC) {
                    Ok(fd) => Some(fd),
                    Err(e) => break 'fail ("socket", e),
                }
            }
        };
        let netlink = netlink_fd.as_ref().map(sys::borrow);
        let Some(ioctl_fd) = netlink.or(inet_fd.as_ref().map(sys::borrow)) else {
            return 1;
        };
        if !opts.no_syslog {
            log.open_syslog();
        }
        let mut host = System {
            dev: NetDev::new(ioctl_fd),
            netlink,
            log,
            script: Script {
                path: opts.script,
                extra: opts.extra_arg,
            },
            signals,
            running: [None; MAX_LINKS],
            clock: None,
            #[cfg(feature = "script-log")]
            output: script_log::Output::new(!opts.no_daemon, name),
        };
        let code = main_loop(&mut host, opts, netlink, &mut report);
        if pid_written {
            remove_pid(pid_path);
        }
        return code;
    };
    if pid_written {
        remove_pid(pid_path);
    }
    log.log(
        name,
        &Message::Failed {
            what,
            errno: e.raw_os_error(),
        },
    );
    1
}
