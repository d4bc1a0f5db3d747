//! The client of `ctl`: `-S`, `-R` and `-z` signal the daemon whose pid is
//! in the pid file, and `-k -W` waits for it to be gone, with 0.28's exit
//! statuses and its "Failed to kill daemon. (strerror)" line. What the
//! daemon does with the signals is the core's (`daemon/ctl.rs`).

use crate::log::Logger;
use crate::sys;
use ifplugd_core::check_running::Running;
use ifplugd_core::delay::{Deadline, Millis};
use ifplugd_core::messages::{Line, Message};
use ifplugd_core::options::{Options, Request};
use rustix::io::Errno;
use rustix::process::{kill_process, test_kill_process, Pid, Signal};

/// 0.28's exit status when the daemon could not be signalled (or, with
/// `-W`, did not exit in time).
const FAILED: u8 = 6;
/// How long `-k -W` waits, as 0.28 (`daemon_pid_file_kill_wait(.., 5)`).
const WAIT_MS: Millis = 5000;

/// `-c`: whether the daemon runs, on stdout in 0.28's words (see
/// `ifplugd_core::check_running`).
fn check_running(pid: Option<Pid>, who: &[u8]) -> u8 {
    let running = Running::new(pid.map(Pid::as_raw_pid), |pid| {
        let pid = Pid::from_raw(pid).ok_or(Errno::SRCH.raw_os_error())?;
        test_kill_process(pid).map_err(|e| e.raw_os_error())
    });
    // The logger's size of line (log.rs), so that both share one copy of
    // the code that writes into it.
    let mut line = Line::<1024>::new();
    let _ = running.write(who, &mut line);
    crate::process::write_stdout(line.as_bytes());
    running.exit_code()
}

/// `-k -W`, or else `-c`, or `-S`, `-R`, `-z` (SIGUSR1, SIGUSR2, SIGHUP):
/// the exit status, or `None` when the command line asks for none of them
/// (start a daemon, or plain `-k`). One entry for all, so that signalling
/// and its outcome are one call each: 140 bytes less than two entries.
pub fn control(opts: &Options, pid: Option<i32>, log: &mut Logger, who: &[u8]) -> Option<u8> {
    let pid = pid.and_then(Pid::from_raw);
    let sig = if opts.kill {
        if !opts.wait_on_kill {
            return None;
        }
        // BusyBox's SIGQUIT (0.28 sends SIGINT), then wait until the
        // process is gone.
        Signal::QUIT
    } else {
        match opts.request? {
            Request::CheckRunning => return Some(check_running(pid, who)),
            Request::Suspend => Signal::USR1,
            Request::Info => Signal::HUP,
            Request::Resume => Signal::USR2,
        }
    };
    let mut result = signal(pid, sig);
    if opts.kill {
        result = result.and_then(wait_gone);
    }
    Some(outcome(result.map(drop), log, who))
}

fn signal(pid: Option<Pid>, sig: Signal) -> Result<Pid, Errno> {
    // No pid file, or nothing readable in it: 0.28 fails there too, with
    // open's ENOENT.
    let pid = pid.ok_or(Errno::NOENT)?;
    kill_process(pid, sig)?;
    Ok(pid)
}

/// As 0.28: kill(pid, 0) every 100 ms until ESRCH; ETIME after the limit.
fn wait_gone(pid: Pid) -> Result<Pid, Errno> {
    let deadline = Deadline::after(sys::monotonic(), WAIT_MS);
    loop {
        match test_kill_process(pid) {
            Err(Errno::SRCH) => return Ok(pid),
            Ok(()) | Err(Errno::PERM) => {}
            Err(e) => return Err(e),
        }
        if deadline.passed(sys::monotonic()) {
            return Err(Errno::TIME);
        }
        // No descriptors: poll only sleeps.
        let _ = sys::poll(&mut [], 100);
    }
}

fn outcome(result: Result<(), Errno>, log: &mut Logger, who: &[u8]) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            log.log(who, &Message::KillFailed(e.raw_os_error()));
            FAILED
        }
    }
}
