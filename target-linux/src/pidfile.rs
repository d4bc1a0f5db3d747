//! The pid file's I/O (its name and content are the core's). It is opened
//! without following a symlink and without waiting (a FIFO there would
//! otherwise block the open for ever). Anything at its path that is not
//! a regular file is left alone: the daemon says so once and runs on
//! without a pid file, as it does when it cannot write one.

use crate::log::Logger;
use core::ffi::CStr;
use ifplugd_core::messages::Message;
use ifplugd_core::pidfile;
pub use ifplugd_core::pidfile::path;
use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

/// The pid in the pid file. Whatever else is there (a FIFO, a device)
/// holds no pid we can read at once: nothing.
pub fn read_pid(path: &CStr) -> Option<i32> {
    let fd = open(path, OFlags::RDONLY).ok()?;
    // Not zeroed first: read says how much it filled.
    let mut buf = [core::mem::MaybeUninit::<u8>::uninit(); 127];
    let (text, _) = rustix::io::read(crate::sys::borrow(&fd), &mut buf).ok()?;
    pidfile::parse(text)
}

/// Writes our pid into a regular file; whether it did. Says why not.
pub fn write_pid(path: &CStr, log: &mut Logger, who: &[u8]) -> bool {
    // ftruncate, in place of O_TRUNC, also tells a regular file from the
    // rest (EINVAL): fstat would cost ~2 KB of C library on MIPS.
    let written = open(path, OFlags::WRONLY | OFlags::CREATE).and_then(|fd| {
        let fd = crate::sys::borrow(&fd);
        rustix::fs::ftruncate(fd, 0)?;
        let pid = rustix::process::getpid().as_raw_nonzero().get();
        rustix::io::write(fd, pidfile::content(pid).as_bytes())
    });
    let Err(e) = written else {
        return true;
    };
    // Like BusyBox, run on without one; unlike it, say so. Not a regular
    // file: a directory (EISDIR), a FIFO without reader or a socket
    // (ENXIO), a FIFO with one or a device (EINVAL, from ftruncate).
    log.log(
        who,
        &match e {
            Errno::ISDIR | Errno::NXIO | Errno::INVAL => Message::Failed {
                what: "pid file is not a regular file: not used",
                errno: 0,
            },
            _ => Message::PidFileFailed(e.raw_os_error()),
        },
    );
    false
}

pub fn remove_pid(path: &CStr) {
    let _ = rustix::fs::unlink(path);
}

/// Opens `path` never following a symlink nor waiting; O_NOCTTY keeps a
/// terminal there from becoming ours. Inlined: smaller on MIPS.
#[inline(always)]
fn open(path: &CStr, flags: OFlags) -> Result<OwnedFd, Errno> {
    crate::sys::open(
        path,
        flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::from_bits_truncate(0o644),
    )
}
