//! `-c`/`--check-running` (ifplugd 0.28): is a daemon for the interface
//! running? One line on stdout, in 0.28's words, and its exit code.
//!
//! 0.28 (libdaemon's `daemon_pid_file_is_running`) counts a daemon as
//! running when the pid file holds a pid that `kill(pid, 0)` reaches or
//! may not signal (EPERM); no file, no pid, pid 0, or no such process: not
//! running. It also deletes a stale or corrupt pid file, with a warning;
//! we leave it (a query changes nothing, and the daemon overwrites it at
//! its start).

use crate::messages::WriteBytes;
use ufmt::uwrite;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Running {
    /// The daemon's pid.
    Yes(i32),
    No,
}

impl Running {
    /// From the pid file's pid (`None`: no file, or no pid in it) and
    /// what `kill(pid, 0)` returned (`Err(errno)`).
    pub fn new(pid: Option<i32>, signal0: impl FnOnce(i32) -> Result<(), i32>) -> Running {
        match pid {
            Some(pid) if pid > 0 => match signal0(pid) {
                Ok(()) | Err(EPERM) => Running::Yes(pid),
                Err(_) => Running::No,
            },
            _ => Running::No,
        }
    }

    /// 0.28's line, newline included (printf to stdout).
    pub fn write<W: WriteBytes + ?Sized>(&self, iface: &[u8], w: &mut W) -> Result<(), W::Error> {
        match *self {
            Running::Yes(pid) => {
                w.write_str("ifplugd process for device ")?;
                w.write_bytes(iface)?;
                uwrite!(w, " running as pid {}.\n", pid)
            }
            Running::No => w.write_str("ifplugd not running.\n"),
        }
    }

    /// 0 running, 255 not (0.28's `exit(255)`).
    pub const fn exit_code(&self) -> u8 {
        match self {
            Running::Yes(_) => 0,
            Running::No => 255,
        }
    }
}

/// EPERM is 1 on every Linux architecture.
const EPERM: i32 = 1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Line;

    fn line(r: Running, iface: &[u8]) -> Line<128> {
        let mut l = Line::new();
        r.write(iface, &mut l).unwrap();
        l
    }

    #[test]
    fn texts_and_codes_as_0_28() {
        let yes = Running::Yes(4242);
        assert_eq!(
            line(yes, b"eth0").as_bytes(),
            b"ifplugd process for device eth0 running as pid 4242.\n"
        );
        assert_eq!(yes.exit_code(), 0);
        assert_eq!(
            line(Running::No, b"eth0").as_bytes(),
            b"ifplugd not running.\n"
        );
        assert_eq!(Running::No.exit_code(), 255);
        // Names are bytes, as given.
        assert_eq!(
            line(Running::Yes(1), b"w\xe9").as_bytes(),
            b"ifplugd process for device w\xe9 running as pid 1.\n"
        );
    }

    #[test]
    fn who_counts_as_running() {
        const ESRCH: i32 = 3;
        let never = |_: i32| -> Result<(), i32> { panic!("no pid to signal") };
        assert_eq!(Running::new(None, never), Running::No);
        assert_eq!(Running::new(Some(0), never), Running::No);
        assert_eq!(Running::new(Some(-5), never), Running::No);
        assert_eq!(Running::new(Some(7), |_| Ok(())), Running::Yes(7));
        // Another user's process: kill() may not signal it, but it runs.
        assert_eq!(Running::new(Some(7), |_| Err(EPERM)), Running::Yes(7));
        assert_eq!(Running::new(Some(7), |_| Err(ESRCH)), Running::No);
        let mut asked = 0;
        Running::new(Some(99), |pid| {
            asked = pid;
            Ok(())
        });
        assert_eq!(asked, 99);
    }
}
