//! `ifplugstatus`, ifplugd 0.28's status tool (`ifplugstatus.c`): the same
//! binary called by that name. Its command line, the order of the probes,
//! the texts and the exit codes are decided here; the host only makes the
//! system calls ([`Host`]).
//!
//! 0.28's rules, kept as they are:
//! - one interface at most: the first non-option (GNU getopt permutes, so
//!   options may follow it); further ones are ignored. None: every
//!   interface in /proc/net/dev, in its order, and exit 0 whatever they say.
//! - exit 2 link beat, 3 unplugged, 1 failure; `-v` with an interface
//!   always exits 1 (0.28's `handle()` returns 0 there, and main adds 1).
//! - `-v` asks all five methods and prints each answer; otherwise ethtool,
//!   MII, wireless, IFF_RUNNING in that order, the first that answers.
//! - `-a` toggles, `-v` and `-q` count up and down; `-V` answers at once,
//!   `-h` once the options are read (its text shows the state then).
//!
//! Left out, to stay small (ifplugstatus.8 lists them): glibc's getopt
//! line before "Unknown parameter." and 0.28's cutting of argv[0] after
//! its first '/' in `-h` (we answer only to [`NAME`], and print that).

use crate::detect::{Method, Reading, Status};
use crate::kernel::IFNAMSIZ;
use crate::messages::WriteBytes;
use crate::IfName;
use ufmt::{uWrite, uwrite};

/// The system calls.
pub trait Host {
    /// Writes to stderr if `err`, else to stdout.
    fn write(&mut self, err: bool, bytes: &[u8]);
    /// The C library's text for `errno`, if the host has one.
    fn strerror(&self, errno: i32) -> Option<&'static str>;
    /// The socket the ioctls go through (0.28 opens one per interface;
    /// opening it once is the same to the user). `Err(errno)`.
    fn socket(&mut self) -> Result<(), i32>;
    /// One method's ioctl(s): `Err(errno)`. With `up` (`-a`), first set
    /// IFF_UP if it is not set (0.28 does so before each probe; it is
    /// silent, so failures are ignored).
    fn probe(&mut self, name: &IfName, method: Method, up: bool) -> Result<Reading, i32>;
    /// SIOCGIWSTATS and SIOCGIWRANGE, asked once the interface has an
    /// access point. `None` if either fails.
    fn wlan_quality(&mut self, name: &IfName) -> Option<WlanQuality>;
    /// Whether we run as root (the "Retry as root?" hint).
    fn is_root(&self) -> bool;
    /// The next bytes of /proc/net/dev, opened on the first call; `Ok(0)`
    /// at its end (or on a read error), `Err(errno)` if it cannot be opened.
    fn read_dev_list(&mut self, buf: &mut [u8]) -> Result<usize, i32>;
}

/// What the wireless extensions say of the link's quality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WlanQuality {
    /// `iw_statistics.qual.qual`
    pub qual: u8,
    /// `iw_statistics.qual.level`
    pub level: u8,
    /// `iw_range.max_qual.level`
    pub max_level: u8,
}

impl WlanQuality {
    /// 0.28's `get_wlan_qual_new`: no link when both the quality and the
    /// level are at their lowest (a level above the maximum is in dBm,
    /// offset by 256, and 156 is its floor).
    pub fn link(self) -> bool {
        let floor = if self.level > self.max_level { 156 } else { 0 };
        self.qual != 0 || self.level > floor
    }
}

/// The options, as 0.28 keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-a`: bring the interface up before asking.
    pub auto_up: bool,
    /// `-v` adds one, `-q` takes one: < 0 silent, 0 terse, > 0 every method.
    pub verbose: i32,
}

/// What the command line asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// Report on one interface, or on all of them.
    Check {
        opts: Opts,
        iface: Option<&'a [u8]>,
    },
    Help(Opts),
    Version,
}

/// An option getopt_long refuses (unknown, ambiguous, or with a value):
/// 0.28 says "Unknown parameter." and exits 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadOption;

/// GNU getopt_long with 0.28's `"avhqV"` and its long options: bundling,
/// unique abbreviations, `--`, and non-options anywhere (the first one is
/// the interface).
pub fn parse<'a, I>(args: I) -> Result<Command<'a>, BadOption>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut opts = Opts::default();
    let mut help = false;
    let mut iface = None;
    let mut options_end = false;
    for arg in args {
        let long;
        let mut letters = match arg {
            [b'-', rest @ ..] if !options_end => rest,
            _ => &[],
        };
        if let [b'-', name @ ..] = letters {
            if name.is_empty() {
                options_end = true;
                continue;
            }
            long = [long_letter(name)];
            letters = &long;
        }
        if letters.is_empty() {
            iface = iface.or(Some(arg));
        }
        for &c in letters {
            match c {
                b'a' => opts.auto_up = !opts.auto_up,
                b'v' => opts.verbose = opts.verbose.wrapping_add(1),
                b'q' => opts.verbose = opts.verbose.wrapping_sub(1),
                b'h' => help = true,
                b'V' => return Ok(Command::Version),
                _ => return Err(BadOption),
            }
        }
    }
    Ok(if help {
        Command::Help(opts)
    } else {
        Command::Check { opts, iface }
    })
}

/// The letter of a long option: the one name `name` begins (`--name=value`
/// matches none: these take no value), else 0. The names are read from
/// `USAGE`'s lines, "   -a --auto   ...", in 0.28's table order (none is
/// the beginning of another, so an exact name is a unique match).
// Not `contains`: it brings in core's memchr (~190 B).
#[allow(clippy::manual_contains)]
fn long_letter(name: &[u8]) -> u8 {
    let mut found = 0;
    if name.iter().any(|&b| b == b' ') {
        return 0;
    }
    let mut rest = USAGE;
    loop {
        rest = match rest {
            [c, b' ', b'-', b'-', long @ ..] => {
                if long.starts_with(name) {
                    // A second match: ambiguous.
                    found = if found == 0 { *c } else { b'?' };
                }
                long
            }
            [_, tail @ ..] => tail,
            [] => break,
        }
    }
    found
}

/// The whole tool, called [`NAME`]: `args` are the arguments after
/// argv[0]. Returns the exit code.
pub fn run<'a, H, I>(host: &mut H, args: I) -> u8
where
    H: Host + ?Sized,
    I: IntoIterator<Item = &'a [u8]>,
{
    let (opts, iface) = match parse(args) {
        Ok(Command::Check { opts, iface }) => (opts, iface),
        Ok(Command::Help(opts)) => {
            write_usage(host, opts);
            return 0;
        }
        Ok(Command::Version) => {
            host.write(false, VERSION.as_bytes());
            return 0;
        }
        Err(BadOption) => {
            host.write(true, b"Unknown parameter.\n");
            return 1;
        }
    };
    let Some(iface) = iface else {
        return every_interface(host, opts);
    };
    match handle(host, opts, iface) {
        // Up 2, Down 3; -v's Error (every answer printed) 1: Status is
        // Down, Up, Error in that order (the tests below hold it).
        Ok(status) => 3 - status as u8,
        Err(errno) => {
            if opts.verbose == 0 {
                write_errno(host, true, b"Failure (", errno, b")\n");
            }
            1
        }
    }
}

/// `-V`. 0.28 prints "ifplugstatus 0.28 (SVN: 124)"; the version is the
/// second word here too.
pub const VERSION: &str = concat!(
    "ifplugstatus ",
    env!("CARGO_PKG_VERSION"),
    " (ifplugd-rs)\n"
);

/// The name the binary answers to as this tool (argv[0]'s last
/// component): the first word of `USAGE`.
pub const NAME: &[u8] = USAGE.split_at(12).0;

/// `-h`, 0.28's text after argv[0] (which is `NAME`: 0.28 prints it as
/// given, cut after a first '/'): each `%` is the state of -a, -q, -v in
/// turn.
const USAGE: &[u8] = b"ifplugstatus [options] [INTERFACE]
   -a --auto            Enable interface automatically (%)
   -q --quiet           Quiet behaviour (%)
   -v --verbose         Enable verbosity (%)
   -h --help            Show this help
   -V --version         Show version number
";

fn write_usage<H: Host + ?Sized>(host: &mut H, opts: Opts) {
    let on = [opts.auto_up, opts.verbose < 0, opts.verbose > 0];
    for (i, part) in USAGE.split(|&b| b == b'%').enumerate() {
        host.write(false, part);
        if let Some(&on) = on.get(i) {
            host.write(false, if on { "on" } else { "off" }.as_bytes());
        }
    }
}

/// `before`, the C library's text for `errno`, `after`: in one place,
/// and in one write.
fn write_errno<H: Host + ?Sized>(host: &mut H, err: bool, before: &[u8], errno: i32, after: &[u8]) {
    // The size main.rs uses too: one copy of the formatting code.
    let mut line = crate::messages::Line::<256>::new();
    let _ = line.write_bytes(before);
    match host.strerror(errno) {
        Some(text) => {
            let _ = line.write_str(text);
        }
        None => {
            let _ = uwrite!(line, "Unknown error {}", errno);
        }
    }
    let _ = line.write_bytes(after);
    host.write(err, line.as_bytes());
}

/// 0.28's order in `-v`; without it, the first four, the first that
/// answers (0.28 leaves SIOCDEVPRIVATE out there).
const ORDER: [Method; 5] = [
    Method::Ethtool,
    Method::Mii,
    Method::Wlan,
    Method::Iff,
    Method::Private,
];

const ENODEV: i32 = 19;

const UP: &[u8] = b": link beat detected\n";
const DOWN: &[u8] = b": unplugged\n";

/// One method, as 0.28's `interface_detect_beat_*`: `Err(errno)` when it
/// does not answer (errno 0 for a wireless quality that cannot be read).
fn detect<H: Host + ?Sized>(
    host: &mut H,
    opts: Opts,
    name: &IfName,
    m: Method,
) -> Result<Status, i32> {
    let reading = host.probe(name, m, opts.auto_up)?;
    let status = reading.status(Status::Error);
    if let (Reading::WlanAp(_), Status::Up) = (reading, status) {
        // Associated: the link is there if the quality says so.
        if !host.wlan_quality(name).ok_or(0)?.link() {
            return Ok(Status::Down);
        }
    }
    Ok(status)
}

/// One interface: its status, `Ok(Status::Error)` after `-v`'s report, or
/// the last errno when no method answered (or there is no socket).
fn handle<H: Host + ?Sized>(host: &mut H, opts: Opts, iface: &[u8]) -> Result<Status, i32> {
    host.socket()?;
    // 0.28 strncpy()s the name into IFNAMSIZ - 1 bytes; an empty one
    // (or one with a NUL) is no device.
    let name = IfName::new(iface.get(..IFNAMSIZ - 1).unwrap_or(iface));
    let name = name.as_ref();
    let detect = |host: &mut H, m: Method| match name {
        Some(name) => detect(host, opts, name, m),
        None => Err(ENODEV),
    };
    // -v: all five, each answer printed; else the first four, up to the
    // first that answers.
    let verbose = opts.verbose > 0;
    if verbose {
        host.write(false, iface);
        host.write(false, b":\n");
    }
    let mut found = Err(0);
    for &m in &ORDER[..if verbose { 5 } else { 4 }] {
        found = detect(host, m);
        if !verbose {
            if found.is_ok() {
                break;
            }
            continue;
        }
        host.write(false, b"    ");
        host.write(
            false,
            match m {
                Method::Wlan => "Wireless",
                _ => m.mode_name(),
            }
            .as_bytes(),
        );
        match found {
            Ok(s) => host.write(false, if s == Status::Up { UP } else { DOWN }),
            // 0.28 gives no reason for these two.
            Err(_) if matches!(m, Method::Wlan | Method::Iff) => {
                host.write(false, b" failed.\n");
            }
            Err(errno) => write_errno(host, false, b" failed (", errno, b")\n"),
        }
    }
    if verbose {
        return Ok(Status::Error);
    }
    if opts.verbose == 0 {
        host.write(false, iface);
        host.write(
            false,
            match found {
                Ok(Status::Up) => UP,
                Ok(_) => DOWN,
                _ if host.is_root() => b": not supported\n",
                _ => b": not supported (Retry as root?)\n",
            },
        );
    }
    found
}

/// No interface named: each one in /proc/net/dev (after its two header
/// lines, the name is what precedes the ':'), and exit 0.
fn every_interface<H: Host + ?Sized>(host: &mut H, opts: Opts) -> u8 {
    // 0.28 reads with fgets(ln, 256): longer lines are cut. The line and
    // the read buffer in one array: one clearing of it.
    let mut mem = [0u8; 255 + 512];
    let (line, buf) = mem.split_at_mut(255);
    let mut len = 0;
    let mut lines = 0u32;
    loop {
        let n = match host.read_dev_list(buf) {
            Ok(n) => n.min(buf.len()),
            Err(errno) => {
                write_errno(host, true, b"Failed to open /proc/net/dev: ", errno, b"\n");
                return 1;
            }
        };
        // At the end, a last line without its newline counts too.
        let bytes = if n == 0 {
            &b"\n"[..usize::from(len > 0)]
        } else {
            buf.get(..n).unwrap_or_default()
        };
        for &b in bytes {
            if b != b'\n' {
                if let Some(at) = line.get_mut(len) {
                    *at = b;
                    len += 1;
                }
                continue;
            }
            lines += 1;
            let mut text = line.get(..len).unwrap_or_default();
            len = 0;
            if lines <= 2 {
                continue;
            }
            while let [b' ' | b'\t', rest @ ..] = text {
                text = rest;
            }
            let Some(colon) = text.iter().position(|&c| c == b':') else {
                host.write(true, b"Parse failure in /proc/net/dev.\n");
                return 1;
            };
            let _ = handle(host, opts, text.get(..colon).unwrap_or_default());
        }
        if n == 0 {
            return 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::collections::BTreeMap;
    use std::string::String;
    use std::vec::Vec;

    /// A pretend system: per interface, what each method answers.
    #[derive(Default)]
    struct Fake {
        out: Vec<u8>,
        err: Vec<u8>,
        answers: BTreeMap<(Vec<u8>, u8), Result<Reading, i32>>,
        quality: Option<WlanQuality>,
        root: bool,
        no_socket: bool,
        dev_list: Option<Vec<u8>>,
        read_at: usize,
        /// Interfaces `up` was called for, in order.
        upped: Vec<Vec<u8>>,
        asked: Vec<Method>,
    }

    fn key(m: Method) -> u8 {
        m as u8
    }

    impl Fake {
        fn new() -> Fake {
            Fake {
                root: true,
                ..Fake::default()
            }
        }
        fn answer(mut self, iface: &str, m: Method, r: Result<Reading, i32>) -> Fake {
            self.answers.insert((iface.as_bytes().to_vec(), key(m)), r);
            self
        }
        /// A veth: ethtool answers, the rest is not supported (as in a
        /// namespace).
        fn veth(self, iface: &str, up: bool) -> Fake {
            let flags = if up { 0x1043 } else { 0x1003 };
            self.answer(iface, Method::Ethtool, Ok(Reading::Ethtool(u32::from(up))))
                .answer(iface, Method::Iff, Ok(Reading::IfFlags(flags)))
        }
        fn out(&self) -> String {
            String::from_utf8_lossy(&self.out).into_owned()
        }
        fn err(&self) -> String {
            String::from_utf8_lossy(&self.err).into_owned()
        }
    }

    const EOPNOTSUPP: i32 = 95;

    impl Host for Fake {
        fn write(&mut self, err: bool, b: &[u8]) {
            if err { &mut self.err } else { &mut self.out }.extend_from_slice(b);
        }
        fn strerror(&self, errno: i32) -> Option<&'static str> {
            match errno {
                EOPNOTSUPP => Some("Operation not supported"),
                ENODEV => Some("No such device"),
                _ => None,
            }
        }
        fn socket(&mut self) -> Result<(), i32> {
            if self.no_socket {
                Err(24)
            } else {
                Ok(())
            }
        }
        fn probe(&mut self, name: &IfName, m: Method, up: bool) -> Result<Reading, i32> {
            let iface = name.as_bytes();
            if up {
                self.upped.push(iface.to_vec());
            }
            self.asked.push(m);
            let known = self.answers.keys().any(|(i, _)| i == iface);
            let default = if known { EOPNOTSUPP } else { ENODEV };
            let r = self.answers.get(&(iface.to_vec(), key(m))).copied();
            r.unwrap_or(Err(default))
        }
        fn wlan_quality(&mut self, _: &IfName) -> Option<WlanQuality> {
            self.quality
        }
        fn is_root(&self) -> bool {
            self.root
        }
        fn read_dev_list(&mut self, buf: &mut [u8]) -> Result<usize, i32> {
            let list = self.dev_list.as_deref().ok_or(2)?;
            // Three bytes at a time: lines cross reads.
            let rest = &list[self.read_at.min(list.len())..];
            let n = rest.len().min(3).min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.read_at += n;
            Ok(n)
        }
    }

    fn run_with(host: &mut Fake, args: &[&str]) -> u8 {
        run(host, args.iter().map(|a| a.as_bytes()))
    }

    fn parsed(args: &[&'static str]) -> Result<Command<'static>, BadOption> {
        parse(args.iter().map(|a| a.as_bytes()))
    }

    #[test]
    fn parse_like_getopt_long() {
        let check = |auto_up, verbose, iface: Option<&'static str>| {
            Ok(Command::Check {
                opts: Opts { auto_up, verbose },
                iface: iface.map(str::as_bytes),
            })
        };
        assert_eq!(parsed(&[]), check(false, 0, None));
        assert_eq!(parsed(&["eth0"]), check(false, 0, Some("eth0")));
        // Permuted: options after the interface count; the second name
        // is ignored.
        assert_eq!(
            parsed(&["eth0", "-v", "eth1"]),
            check(false, 1, Some("eth0"))
        );
        assert_eq!(parsed(&["-vvq", "-a", "-aa"]), check(true, 1, None));
        assert_eq!(parsed(&["-qq"]), check(false, -2, None));
        assert_eq!(parsed(&["--", "-v"]), check(false, 0, Some("-v")));
        assert_eq!(parsed(&["-", "-v"]), check(false, 1, Some("-")));
        assert_eq!(
            parsed(&["--verb", "--au", "--q", "--quiet"]),
            check(true, -1, None)
        );
        assert_eq!(parsed(&["--verbose", "--auto"]), check(true, 1, None));
        assert_eq!(
            parsed(&["-h", "-a"]),
            Ok(Command::Help(Opts {
                auto_up: true,
                verbose: 0
            }))
        );
        assert_eq!(parsed(&["--he"]), Ok(Command::Help(Opts::default())));
        // -V answers at once, before later errors; errors stop at once.
        assert_eq!(parsed(&["-h", "-V", "-x"]), Ok(Command::Version));
        assert_eq!(parsed(&["--vers"]), Ok(Command::Version));
        assert_eq!(parsed(&["-x", "-V"]), Err(BadOption));
        assert_eq!(parsed(&["-ai"]), Err(BadOption));
        assert_eq!(parsed(&["--foo=1"]), Err(BadOption));
        assert_eq!(parsed(&["--v"]), Err(BadOption));
        assert_eq!(parsed(&["--ver"]), Err(BadOption));
        assert_eq!(parsed(&["--q=1"]), Err(BadOption));
        assert_eq!(parsed(&["---"]), Err(BadOption));
    }

    #[test]
    fn bad_options_say_unknown_parameter() {
        for arg in ["-x", "--foo", "--v", "--ver=2", "--auto=1"] {
            let mut h = Fake::new();
            assert_eq!(run_with(&mut h, &[arg, "eth0"]), 1, "{arg}");
            assert_eq!(h.err(), "Unknown parameter.\n");
            assert_eq!(h.out(), "");
            assert!(h.asked.is_empty());
        }
    }

    #[test]
    fn help_shows_the_state() {
        let mut h = Fake::new();
        assert_eq!(run_with(&mut h, &["-q", "-a", "-h", "eth0"]), 0);
        assert_eq!(
            h.out(),
            "ifplugstatus [options] [INTERFACE]\n\
             \x20  -a --auto            Enable interface automatically (on)\n\
             \x20  -q --quiet           Quiet behaviour (on)\n\
             \x20  -v --verbose         Enable verbosity (off)\n\
             \x20  -h --help            Show this help\n\
             \x20  -V --version         Show version number\n"
        );
        assert!(h.asked.is_empty());
        let mut h = Fake::new();
        run(&mut h, [&b"-vh"[..]]);
        assert!(h.out().contains("automatically (off)"));
        assert!(h.out().contains("verbosity (on)"));
    }

    #[test]
    fn version() {
        let mut h = Fake::new();
        assert_eq!(run_with(&mut h, &["-V"]), 0);
        assert_eq!(h.out(), VERSION);
        assert!(VERSION.starts_with("ifplugstatus 0."));
    }

    #[test]
    fn one_interface_exit_codes() {
        let mut h = Fake::new().veth("up0", true).veth("dn0", false);
        assert_eq!(run_with(&mut h, &["up0"]), 2);
        assert_eq!(run_with(&mut h, &["dn0"]), 3);
        assert_eq!(h.out(), "up0: link beat detected\ndn0: unplugged\n");
        // Ethtool answered: nothing else was asked.
        assert_eq!(h.asked, [Method::Ethtool, Method::Ethtool]);
        let mut h = Fake::new().veth("up0", true);
        assert_eq!(run_with(&mut h, &["-q", "up0"]), 2);
        assert_eq!(run_with(&mut h, &["-qq", "nope"]), 1);
        assert_eq!(h.out(), "");
        assert_eq!(h.err(), "");
    }

    #[test]
    fn no_method_answers() {
        let mut h = Fake::new();
        assert_eq!(run_with(&mut h, &["nope"]), 1);
        assert_eq!(h.out(), "nope: not supported\n");
        assert_eq!(h.err(), "Failure (No such device)\n");
        assert_eq!(
            h.asked,
            [Method::Ethtool, Method::Mii, Method::Wlan, Method::Iff]
        );
        let mut h = Fake {
            root: false,
            ..Fake::new()
        };
        assert_eq!(run_with(&mut h, &["nope"]), 1);
        assert_eq!(h.out(), "nope: not supported (Retry as root?)\n");
        // No socket: nothing asked, 0.28's handle() returns -1 at once.
        let mut h = Fake {
            no_socket: true,
            ..Fake::new()
        };
        assert_eq!(run_with(&mut h, &["eth0"]), 1);
        assert_eq!(h.out(), "");
        assert_eq!(h.err(), "Failure (Unknown error 24)\n");
    }

    #[test]
    fn falls_through_to_the_first_method_that_answers() {
        let mut h = Fake::new()
            .answer("e", Method::Mii, Ok(Reading::MiiBmsr(0x786d)))
            .answer("i", Method::Iff, Ok(Reading::IfFlags(0x1003)));
        assert_eq!(run_with(&mut h, &["e"]), 2);
        assert_eq!(run_with(&mut h, &["i"]), 3);
        assert_eq!(h.out(), "e: link beat detected\ni: unplugged\n");
        // IFF_RUNNING is read as it is, even admin-down (no last status).
        let mut h = Fake::new().answer("i", Method::Iff, Ok(Reading::IfFlags(0x40)));
        assert_eq!(run_with(&mut h, &["i"]), 2);
    }

    #[test]
    fn wireless_needs_an_access_point_and_quality() {
        let ap = Ok(Reading::WlanAp([0x02, 1, 2, 3, 4, 5]));
        let mut h = Fake::new().answer("w", Method::Wlan, Ok(Reading::WlanAp([0; 6])));
        assert_eq!(run_with(&mut h, &["w"]), 3);
        let mut h = Fake::new().answer("w", Method::Wlan, ap);
        h.quality = Some(WlanQuality {
            qual: 40,
            level: 200,
            max_level: 0,
        });
        assert_eq!(run_with(&mut h, &["w"]), 2);
        h.quality = Some(WlanQuality {
            qual: 0,
            level: 0,
            max_level: 100,
        });
        assert_eq!(run_with(&mut h, &["w"]), 3);
        // No quality: wireless fails, IFF_RUNNING decides (here: nothing).
        h.quality = None;
        assert_eq!(run_with(&mut h, &["w"]), 1);
        assert_eq!(
            h.out(),
            "w: link beat detected\nw: unplugged\nw: not supported\n"
        );
    }

    #[test]
    fn quality_rule() {
        let q = |qual, level, max_level| {
            WlanQuality {
                qual,
                level,
                max_level,
            }
            .link()
        };
        assert!(q(1, 0, 0));
        assert!(!q(0, 0, 0));
        assert!(q(0, 1, 100));
        // dBm: a level above the maximum; 156 (-100 dBm) and below is none.
        assert!(!q(0, 156, 0));
        assert!(q(0, 157, 0));
    }

    #[test]
    fn verbose_lists_every_method_and_exits_1() {
        let mut h = Fake::new().veth("v0", true);
        assert_eq!(run_with(&mut h, &["-v", "v0"]), 1);
        assert_eq!(
            h.out(),
            "v0:\n\
             \x20   SIOCETHTOOL: link beat detected\n\
             \x20   SIOCGMIIPHY failed (Operation not supported)\n\
             \x20   Wireless failed.\n\
             \x20   IFF_RUNNING: link beat detected\n\
             \x20   SIOCDEVPRIVATE failed (Operation not supported)\n"
        );
        assert_eq!(h.err(), "");
        let mut h = Fake::new();
        assert_eq!(run_with(&mut h, &["-vv", "nope"]), 1);
        assert_eq!(
            h.out(),
            "nope:\n\
             \x20   SIOCETHTOOL failed (No such device)\n\
             \x20   SIOCGMIIPHY failed (No such device)\n\
             \x20   Wireless failed.\n\
             \x20   IFF_RUNNING failed.\n\
             \x20   SIOCDEVPRIVATE failed (No such device)\n"
        );
        assert_eq!(h.err(), "");
    }

    #[test]
    fn auto_up_before_each_probe() {
        let mut h = Fake::new().veth("v0", false);
        assert_eq!(run_with(&mut h, &["-a", "v0"]), 3);
        assert_eq!(h.upped, [b"v0".to_vec()]);
        let mut h = Fake::new().veth("v0", false);
        run_with(&mut h, &["-av", "v0"]);
        assert_eq!(h.upped.len(), 5);
        let mut h = Fake::new().veth("v0", false);
        run_with(&mut h, &["-aa", "v0"]);
        assert!(h.upped.is_empty());
    }

    const DEV: &str = "Inter-|   Receive                            |  Transmit\n \
face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    \
lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n  \
v0p: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n\
\tv0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0";

    #[test]
    fn every_interface_in_proc_net_dev_order_exits_0() {
        let mut h = Fake::new()
            .answer("lo", Method::Ethtool, Ok(Reading::Ethtool(1)))
            .veth("v0p", false);
        h.dev_list = Some(DEV.as_bytes().to_vec());
        assert_eq!(run_with(&mut h, &[]), 0);
        assert_eq!(
            h.out(),
            "lo: link beat detected\nv0p: unplugged\nv0: not supported\n"
        );
        // Not even "Failure": that is for a named interface.
        assert_eq!(h.err(), "");
        let mut h = Fake::new().veth("v0", true);
        h.dev_list = Some(DEV.as_bytes().to_vec());
        assert_eq!(run_with(&mut h, &["-q"]), 0);
        assert_eq!(h.out(), "");
    }

    #[test]
    fn proc_net_dev_failures() {
        let mut h = Fake::new();
        assert_eq!(run_with(&mut h, &[]), 1);
        assert_eq!(h.err(), "Failed to open /proc/net/dev: Unknown error 2\n");
        let mut h = Fake::new().veth("lo", true);
        h.dev_list = Some(b"h1\nh2\nlo: 1\nno colon here\nv0: 1\n".to_vec());
        assert_eq!(run_with(&mut h, &[]), 1);
        assert_eq!(h.out(), "lo: link beat detected\n");
        assert_eq!(h.err(), "Parse failure in /proc/net/dev.\n");
        // Headers only, or nothing at all: no interface, exit 0.
        let mut h = Fake::new();
        h.dev_list = Some(b"h1\nh2\n".to_vec());
        assert_eq!(run_with(&mut h, &[]), 0);
        h.dev_list = Some(Vec::new());
        assert_eq!(run_with(&mut h, &[]), 0);
        assert_eq!(h.out(), "");
    }
}
