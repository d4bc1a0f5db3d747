//! The pid file `/var/run/ifplugd.IFACE.pid`: its name and what it holds.

use heapless::String;

/// Long enough for the directory, "ifplugd.", the longest instance name
/// and ".pid".
pub type PidPath = heapless::Vec<u8, { 32 + crate::options::INSTANCE_MAX }>;

/// `/var/run/ifplugd.NAME.pid`, NUL-terminated for the kernel: NAME is the
/// instance's (see [`crate::options::Options::instance_name`]), so with one
/// `-i` the interface's, as BusyBox's. `None` if it is too long (the
/// options parser refuses such names first).
pub fn path(iface: &[u8]) -> Option<PidPath> {
    let mut p = PidPath::new();
    for part in [&b"/var/run/ifplugd."[..], iface, b".pid\0"] {
        p.extend_from_slice(part).ok()?;
    }
    Some(p)
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
        assert_eq!(&path(b"eth0").unwrap()[..], b"/var/run/ifplugd.eth0.pid\0");
        assert!(path(b"abcdefghijklmno").is_some());
        assert_eq!(&path(b"\xe9").unwrap()[..], b"/var/run/ifplugd.\xe9.pid\0");
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
