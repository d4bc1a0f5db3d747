//! `-c`/`--check-running`: the pid file and `kill(pid, 0)` for
//! `ifplugd_core::check_running`, which words the answer.

use crate::pidfile::{path, read_pid};
use crate::process::write_stdout;
use core::ffi::CStr;
use ifplugd_core::check_running::Running;
use ifplugd_core::messages::Line;
use rustix::io::Errno;
use rustix::process::{test_kill_process, Pid};

/// Prints whether a daemon for `iface` runs; returns the exit code.
// Called once options.rs parses -c (another branch; wired at its merge).
#[allow(dead_code)]
pub fn check_running(iface: &[u8]) -> u8 {
    let pid_path = path(iface);
    let pid = pid_path
        .as_deref()
        .and_then(|p| CStr::from_bytes_with_nul(p).ok())
        .and_then(read_pid);
    let running = Running::new(pid, |pid| {
        let pid = Pid::from_raw(pid).ok_or(Errno::SRCH.raw_os_error())?;
        test_kill_process(pid).map_err(|e| e.raw_os_error())
    });
    let mut line = Line::<96>::new();
    let _ = running.write(iface, &mut line);
    write_stdout(line.as_bytes());
    running.exit_code()
}
