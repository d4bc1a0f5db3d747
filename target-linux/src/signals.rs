//! Signals arrive through a signalfd, so one that comes between a check and
//! the sleep is not lost: it simply makes the next poll return.

use crate::sys;
use core::ffi::c_int;
use ifplugd_core::Signal;
use rustix::fd::{BorrowedFd, OwnedFd};

const SIGHUP: c_int = 1;
const SIGINT: c_int = 2;
const SIGQUIT: c_int = 3;
const SIGPIPE: c_int = 13;
const SIGTERM: c_int = 15;

/// The signals the daemon handles; blocked, and read from the signalfd.
/// SIGCHLD says a script ended (at its default action, not ignored, so
/// that the kernel keeps the child for us to reap). SIGPIPE among them only
/// so that a write to a closed stderr pipe fails with EPIPE (stderr gone,
/// see log.rs) instead of killing us; `read` reports it as a SIGHUP, which
/// is ignored. The script gets them back at their defaults. With `ctl`,
/// SIGUSR1 and SIGUSR2 too (without it SIGUSR1 kills us, as BusyBox).
#[cfg(not(feature = "ctl"))]
pub const HANDLED: &[c_int] = &[SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, sys::SIGCHLD];
#[cfg(feature = "ctl")]
pub const HANDLED: &[c_int] = &[
    SIGINT,
    SIGTERM,
    SIGQUIT,
    SIGHUP,
    SIGPIPE,
    sys::SIGCHLD,
    sys::SIGUSR1,
    sys::SIGUSR2,
];

/// What the signalfd said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Woke {
    Signal(Signal),
    /// A child ended: reap it.
    Child,
}

pub struct Signals {
    fd: OwnedFd,
}

impl Signals {
    /// Blocks the handled signals and opens a signalfd for them.
    pub fn new() -> Result<Signals, rustix::io::Errno> {
        let set = sys::sigset(HANDLED);
        // Started in the background by a shell, we may inherit SIGINT and
        // SIGQUIT ignored: an ignored signal never reaches the signalfd
        // (`-k` would do nothing) and would stay ignored in the script.
        // BusyBox's handlers undo that; so must we.
        for &sig in HANDLED {
            sys::default_action(sig);
        }
        sys::sigprocmask(sys::SIG_BLOCK, &set);
        let fd = sys::signalfd(&set, sys::SFD_CLOEXEC | sys::SFD_NONBLOCK)
            .map_err(rustix::io::Errno::from_raw_os_error)?;
        // SAFETY: signalfd returned a new descriptor, which we now own.
        let fd = unsafe { sys::own(fd) };
        Ok(Signals { fd })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        sys::borrow(&self.fd)
    }

    /// The next pending signal, if any.
    pub fn read(&mut self) -> Option<Woke> {
        // struct signalfd_siginfo is 128 bytes; ssi_signo comes first.
        let mut info = [0u8; 128];
        loop {
            match rustix::io::read(sys::borrow(&self.fd), &mut info) {
                Ok(n) if n >= 4 => {
                    let signo = u32::from_ne_bytes([info[0], info[1], info[2], info[3]]);
                    return Some(match signo as c_int {
                        SIGINT | SIGTERM => Woke::Signal(Signal::Terminate),
                        SIGQUIT => Woke::Signal(Signal::Quit),
                        sys::SIGCHLD => Woke::Child,
                        #[cfg(feature = "ctl")]
                        SIGHUP => Woke::Signal(Signal::Info),
                        #[cfg(feature = "ctl")]
                        sys::SIGUSR1 => Woke::Signal(Signal::Suspend),
                        #[cfg(feature = "ctl")]
                        sys::SIGUSR2 => Woke::Signal(Signal::Resume),
                        // SIGPIPE, or SIGHUP without `ctl`: ignored.
                        _ => Woke::Signal(Signal::Hangup),
                    });
                }
                Err(rustix::io::Errno::INTR) => {}
                _ => return None,
            }
        }
    }
}
