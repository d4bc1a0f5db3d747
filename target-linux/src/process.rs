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
/// `bb_daemonize_or_rexec(DAEMON_CHDIR_ROOT)`. With `wait` (0.28's `-w`)
/// the parent leaves only when the daemon has sent it its exit status
/// through [`Report`].
pub fn daemonize(wait: bool) -> Result<Report, Errno> {
    let null = sys::open(c"/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?;
    let _ = rustix::process::chdir(c"/");
    #[cfg(feature = "wait-on-fork")]
    let pipe = match wait {
        true => Some(sys::pipe()?),
        false => None,
    };
    #[cfg(not(feature = "wait-on-fork"))]
    let _ = wait;
    // SAFETY: single-threaded; the child goes on with a copy of everything.
    match unsafe { sys::clone_copy(false) } {
        Err(errno) => return Err(Errno::from_raw_os_error(errno)),
        Ok(0) => {}
        #[cfg(feature = "wait-on-fork")]
        Ok(child) => {
            let code = match pipe {
                Some((from_daemon, _)) => wait_for_report(&from_daemon, child),
                None => 0,
            };
            // SAFETY: the parent leaves now, as BusyBox's does.
            unsafe { sys::_exit(i32::from(code)) }
        }
        // SAFETY: the parent leaves at once, as BusyBox's does.
        #[cfg(not(feature = "wait-on-fork"))]
        Ok(_) => unsafe { sys::_exit(0) },
    }
    let _ = rustix::process::setsid();
    let null_fd = sys::borrow(&null);
    let _ = rustix::stdio::dup2_stdin(null_fd);
    let _ = rustix::stdio::dup2_stdout(null_fd);
    let _ = rustix::stdio::dup2_stderr(null_fd);
    Ok(Report {
        #[cfg(feature = "wait-on-fork")]
        to_parent: pipe.map(|(_, to_parent)| to_parent),
    })
}

/// `-w`: the daemon's end of the pipe its waiting parent reads.
pub struct Report {
    #[cfg(feature = "wait-on-fork")]
    to_parent: Option<rustix::fd::OwnedFd>,
}

impl Report {
    /// No parent waits (`-n`, or no `-w`).
    pub const fn none() -> Report {
        Report {
            #[cfg(feature = "wait-on-fork")]
            to_parent: None,
        }
    }

    /// Tells the parent its exit status, once.
    pub fn send(&mut self, _code: u8) {
        #[cfg(feature = "wait-on-fork")]
        if let Some(fd) = self.to_parent.take() {
            let _ = rustix::io::write(sys::borrow(&fd), &[_code]);
        }
    }
}

/// 0.28's `daemon_retval_wait(60)`: the status byte the daemon sends, or,
/// if it ends without one or sends none in 60 s, SIGTERM to it and 255.
#[cfg(feature = "wait-on-fork")]
fn wait_for_report(from_daemon: &rustix::fd::OwnedFd, child: i32) -> u8 {
    use rustix::event::{PollFd, PollFlags};
    let limit_ms = ifplugd_core::daemon::WAIT_ON_FORK_SECS * 1000;
    let from_daemon = sys::borrow(from_daemon);
    let mut fds = [PollFd::new(&from_daemon, PollFlags::IN)];
    let mut byte = [0u8];
    if matches!(sys::poll(&mut fds, limit_ms), Ok(1))
        && matches!(rustix::io::read(from_daemon, &mut byte), Ok(1))
    {
        if byte[0] > 3 {
            crate::log::write_stderr(
                b"ifplugd: Daemon failed with error condition #255. See syslog for details\n",
            );
        }
        return byte[0];
    }
    crate::log::write_stderr(b"ifplugd: Killing background process.\n");
    if let Some(pid) = rustix::process::Pid::from_raw(child) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    255
}

pub fn write_stdout(bytes: &[u8]) {
    // SAFETY: fd 1 is only borrowed for this write.
    let _ = rustix::io::write(unsafe { rustix::stdio::stdout() }, bytes);
}
