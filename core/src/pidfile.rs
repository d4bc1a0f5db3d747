//! The pid file `DIR/ifplugd.IFACE.pid` (BusyBox's DIR: `/var/run`): its
//! name and what it holds.

use core::ffi::CStr;
use heapless::String;

/// BusyBox's directory, and ours unless `--pid-dir` names another.
pub const DEFAULT_DIR: &CStr = c"/var/run";

/// Longest directory [`path`] takes with compat-options: what `--pid-dir`
/// accepts.
pub const DIR_MAX: usize = 200;

/// Room for the path: the directory, "/ifplugd.", the longest instance name
/// (see [`crate::options::Options::instance_name`]: with one `-i`, the
/// interface's), ".pid" and the NUL. Without compat-options the directory
/// is always [`DEFAULT_DIR`], in the room BusyBox's build always had.
const ROOM: usize = if cfg!(feature = "compat-options") {
    DIR_MAX + "/ifplugd.".len() + crate::options::INSTANCE_MAX + ".pid\0".len()
} else {
    32 + crate::options::INSTANCE_MAX
};

/// Long enough for a directory of [`DIR_MAX`] bytes and any interface name.
pub type PidPath = heapless::Vec<u8, ROOM>;

/// `DIR/ifplugd.NAME.pid` (NAME: the instance's), NUL-terminated for the kernel; `None` if `dir`
/// or `iface` is too long (the options parser refuses those first), or,
/// without compat-options, if `dir` is not [`DEFAULT_DIR`].
pub fn path(dir: &[u8], iface: &[u8]) -> Option<PidPath> {
    // With compat-options: four calls in place of a loop over the four
    // pieces, 350 bytes less on x86_64 (the loop's array of slices and
    // copies of the result).
    #[cfg(feature = "compat-options")]
    {
        if dir.len() > DIR_MAX || iface.len() > crate::options::INSTANCE_MAX {
            return None;
        }
        let mut p = PidPath::new();
        p.extend_from_slice(dir).ok()?;
        p.extend_from_slice(b"/ifplugd.").ok()?;
        p.extend_from_slice(iface).ok()?;
        p.extend_from_slice(b".pid\0").ok()?;
        Some(p)
    }
    // Without compat-options the directory is always the default: the
    // path in BusyBox's three pieces keeps that build byte for byte what
    // it was (four pieces cost it 16 bytes on x86_64).
    #[cfg(not(feature = "compat-options"))]
    {
        let parts = if dir == DEFAULT_DIR.to_bytes() {
            [&b"/var/run/ifplugd."[..], iface, b".pid\0"]
        } else {
            return None;
        };
        if dir.len() > DIR_MAX || iface.len() > crate::options::INSTANCE_MAX {
            return None;
        }
        let mut p = PidPath::new();
        for part in parts {
            p.extend_from_slice(part).ok()?;
        }
        Some(p)
    }
}

/// What start-up does, given the pid file's pid (BusyBox's order: `-k`
/// first, then "already running").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// `-k`: send SIGQUIT to this pid, if there is one, and exit 0.
    Kill(Option<i32>),
    /// "daemon already running", exit 1.
    Running,
    /// Start the daemon.
    Go,
}

/// `recorded` is the pid file's pid, `own` ours; `alive(pid)` is
/// kill(pid, 0) succeeding or failing with EPERM (someone else's process
/// is still a process). Our own pid is there when start-stop-daemon
/// --make-pidfile (as BusyBox's S41ifplugd runs us) wrote it.
pub fn start(
    kill: bool,
    recorded: Option<i32>,
    own: i32,
    alive: impl FnOnce(i32) -> bool,
) -> Start {
    match recorded {
        _ if kill => Start::Kill(recorded),
        Some(pid) if pid != own && alive(pid) => Start::Running,
        _ => Start::Go,
    }
}

/// The pid a pid file holds, read as BusyBox's `bb_strtoul`: decimal
/// digits, then the end or a character that is not alphanumeric (so "123\n"
/// is 123, "123abc" and "abc" are nothing). Zero and values above
/// `i32::MAX` are nothing too: they name no process we could signal.
pub fn parse(text: &[u8]) -> Option<i32> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    if text.get(digits).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut n: i32 = 0;
    for &b in text.get(..digits)? {
        n = n.checked_mul(10)?.checked_add(i32::from(b - b'0'))?;
    }
    (n > 0).then_some(n)
}

/// The file's content for `pid`: "PID\n".
pub fn content(pid: i32) -> String<16> {
    let mut s = String::new();
    let _ = ufmt::uwrite!(s, "{}\n", pid);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_for_iface() {
        let dir = DEFAULT_DIR.to_bytes();
        assert_eq!(
            &path(dir, b"eth0").unwrap()[..],
            b"/var/run/ifplugd.eth0.pid\0"
        );
        assert!(path(dir, b"abcdefghijklmno").is_some());
        assert_eq!(
            &path(dir, b"\xe9").unwrap()[..],
            b"/var/run/ifplugd.\xe9.pid\0"
        );
    }

    #[cfg(feature = "compat-options")]
    #[test]
    fn path_in_any_directory_that_fits() {
        assert_eq!(
            &path(b"/run/ifplugd", b"lan1").unwrap()[..],
            b"/run/ifplugd/ifplugd.lan1.pid\0"
        );
        assert_eq!(&path(b"/", b"lan1").unwrap()[..], b"//ifplugd.lan1.pid\0");
        let longest = [b'd'; DIR_MAX];
        let name = [b'n'; crate::options::INSTANCE_MAX];
        let p = path(&longest, &name).unwrap();
        assert_eq!(p.len(), p.capacity(), "the buffer is exactly large enough");
        let p = path(&longest, b"abcdefghijklmno").unwrap();
        assert!(p.ends_with(b"/ifplugd.abcdefghijklmno.pid\0"));
        // One byte more fails cleanly.
        assert_eq!(path(&[b'd'; DIR_MAX + 1], b"abcdefghijklmno"), None);
        assert_eq!(path(b"/", &[b'x'; crate::options::INSTANCE_MAX + 1]), None);
    }

    #[cfg(not(feature = "compat-options"))]
    #[test]
    fn only_the_default_directory_without_compat_options() {
        assert_eq!(path(b"/run", b"eth0"), None);
        assert_eq!(
            path(
                DEFAULT_DIR.to_bytes(),
                &[b'x'; crate::options::INSTANCE_MAX + 1]
            ),
            None
        );
    }

    #[test]
    fn parse_like_bb_strtoul() {
        assert_eq!(parse(b"123\n"), Some(123));
        assert_eq!(parse(b"123"), Some(123));
        assert_eq!(parse(b"77 junk"), Some(77));
        assert_eq!(parse(b"123abc"), None);
        assert_eq!(parse(b"abc"), None);
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"0\n"), None);
        assert_eq!(parse(b"-5"), None);
        assert_eq!(parse(b"99999999999999999999"), None);
        assert_eq!(parse(b"2147483647"), Some(i32::MAX));
        assert_eq!(parse(b"2147483648"), None);
    }

    #[test]
    fn start_rules() {
        let alive = |_| true;
        let dead = |_| false;
        assert_eq!(start(true, Some(5), 9, alive), Start::Kill(Some(5)));
        assert_eq!(start(true, None, 9, alive), Start::Kill(None));
        assert_eq!(start(false, Some(5), 9, alive), Start::Running);
        assert_eq!(start(false, Some(5), 9, dead), Start::Go);
        assert_eq!(start(false, Some(9), 9, alive), Start::Go, "our own pid");
        assert_eq!(start(false, None, 9, alive), Start::Go);
    }

    #[test]
    fn content_is_pid_and_newline() {
        assert_eq!(content(4242), "4242\n");
    }
}
