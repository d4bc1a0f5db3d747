//! The process around the daemon: standard descriptors, daemonizing, and
//! what goes to stdout.

use crate::sys;
use rustix::fd::AsRawFd;
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

/// Fds 0, 1 and 2 open (on /dev/null if they were closed), so that no
/// socket of ours becomes "stderr".
pub fn ensure_std_fds() {
    while let Ok(fd) = sys::open(c"/dev/null", OFlags::RDWR, Mode::empty()) {
        if fd.as_raw_fd() > 2 {
            break;
        }
        core::mem::forget(fd);
    }
}

/// fork, setsid, chdir /, stdio on /dev/null: BusyBox's
/// `bb_daemonize_or_rexec(DAEMON_CHDIR_ROOT)`.
pub fn daemonize() -> Result<(), Errno> {
    let null = sys::open(c"/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?;
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

pub fn write_stdout(bytes: &[u8]) {
    // SAFETY: fd 1 is only borrowed for this write.
    let _ = rustix::io::write(unsafe { rustix::stdio::stdout() }, bytes);
}
