//! `ifplugstatus`, ifplugd 0.28's status tool (`ifplugstatus.c`): the same
//! binary called by that name. Its command line, the order of the probes,
//! every text and every exit code are decided here; the host only makes the
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

use crate::detect::{Method, ProbeError, Reading, Status};
use ufmt::uwrite;

/// The system calls. Interface names are as given: the host cuts them to
/// IFNAMSIZ - 1 bytes, as 0.28's `strncpy` does.
pub trait Host {
    fn stdout(&mut self, bytes: &[u8]);
    fn stderr(&mut self, bytes: &[u8]);
    /// The C library's text for `errno`, if the host has one.
    fn strerror(&self, errno: i32) -> Option<&'static str>;
    /// The socket the ioctls go through (0.28 opens one per interface;
    /// opening it once is the same to the user). `Err(errno)`.
    fn socket(&mut self) -> Result<(), i32>;
    /// `-a`: set IFF_UP if it is not set (0.28 calls this before each
    /// probe; it is silent, so failures are ignored).
    fn up(&mut self, iface: &[u8]);
    /// One method's ioctl(s).
    fn probe(&mut self, iface: &[u8], method: Method) -> Result<Reading, ProbeError>;
    /// SIOCGIWSTATS and SIOCGIWRANGE, asked once the interface has an
    /// access point. `None` if either fails.
    fn wlan_quality(&mut self, iface: &[u8]) -> Option<WlanQuality>;
    /// Whether we run as root (the "Retry as root?" hint).
    fn is_root(&self) -> bool;
    /// Opens /proc/net/dev. `Err(errno)`.
    fn open_dev_list(&mut self) -> Result<(), i32>;
    /// The next bytes of /proc/net/dev; 0 at its end (or on an error).
    fn read_dev_list(&mut self, buf: &mut [u8]) -> usize;
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
        let lowest_level = if self.level > self.max_level {
            self.level <= 156
        } else {
            self.level == 0
        };
        !(self.qual == 0 && lowest_level)
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

/// A command line getopt_long refuses: it prints one line, then 0.28 says
/// "Unknown parameter." and exits 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgError<'a> {
    /// `-x`: the letter.
    Invalid(u8),
    /// `--foo`: the whole argument.
    Unrecognized(&'a [u8]),
    /// `--v`: the whole argument, and the first letters it matched.
    Ambiguous(&'a [u8]),
    /// `--quiet=1`: the option's full name.
    NoArgument(&'static str),
}

/// The long options, in 0.28's table order (glibc lists ambiguous
/// matches in it), each with its letter.
const LONG: [(&str, u8); 5] = [
    ("auto", b'a'),
    ("quiet", b'q'),
    ("verbose", b'v'),
    ("help", b'h'),
    ("version", b'V'),
];

/// GNU getopt_long with 0.28's `"avhqV"` and its long options: bundling,
/// unique abbreviations, `--`, and non-options anywhere (the first one is
/// the interface).
pub fn parse<'a, I>(args: I) -> Result<Command<'a>, ArgError<'a>>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut opts = Opts::default();
    let mut help = false;
    let mut iface = None;
    let mut options_end = false;
    for arg in args {
        let letters: &[u8] = if options_end || arg.len() < 2 || arg[0] != b'-' {
            iface = iface.or(Some(arg));
            continue;
        } else if arg == b"--" {
            options_end = true;
            continue;
        } else if let Some(long) = arg.strip_prefix(b"--") {
            &[long_letter(arg, long)?]
        } else {
            &arg[1..]
        };
        for &c in letters {
            match c {
                b'a' => opts.auto_up = !opts.auto_up,
                b'v' => opts.verbose = opts.verbose.saturating_add(1),
                b'q' => opts.verbose = opts.verbose.saturating_sub(1),
                b'h' => help = true,
                b'V' => return Ok(Command::Version),
                _ => return Err(ArgError::Invalid(c)),
            }
        }
    }
    Ok(if help {
        Command::Help(opts)
    } else {
        Command::Check { opts, iface }
    })
}

/// The letter of a long option: an exact name, or the one name `long`
/// begins.
fn long_letter<'a>(arg: &'a [u8], long: &[u8]) -> Result<u8, ArgError<'a>> {
    let (name, has_value) = match long.iter().position(|&b| b == b'=') {
        Some(eq) => (&long[..eq], true),
        None => (long, false),
    };
    let mut found = None;
    let mut count = 0;
    for opt in &LONG {
        if opt.0.as_bytes() == name {
            found = Some(opt);
            count = 1;
            break;
        }
        if opt.0.as_bytes().starts_with(name) {
            found = found.or(Some(opt));
            count += 1;
        }
    }
    let found = found.ok_or(ArgError::Unrecognized(arg))?;
    if count > 1 {
        return Err(ArgError::Ambiguous(arg));
    }
    if has_value {
        return Err(ArgError::NoArgument(found.0));
    }
    Ok(found.1)
}

impl ArgError<'_> {
    /// glibc's getopt line (`PROG` is argv[0] as given), then 0.28's.
    pub fn write<H: Host + ?Sized>(&self, host: &mut H, prog: &[u8]) {
        host.stderr(prog);
        match *self {
            ArgError::Invalid(c) => {
                host.stderr(b": invalid option -- '");
                host.stderr(&[c]);
                host.stderr(b"'\n");
            }
            ArgError::Unrecognized(arg) => {
                host.stderr(b": unrecognized option '");
                host.stderr(arg);
                host.stderr(b"'\n");
            }
            ArgError::Ambiguous(arg) => {
                host.stderr(b": option '");
                host.stderr(arg);
                host.stderr(b"' is ambiguous; possibilities:");
                let name = arg.get(2..).unwrap_or(b"");
                let name = name.split(|&b| b == b'=').next().unwrap_or(b"");
                for (long, _) in LONG.iter().filter(|(n, _)| n.as_bytes().starts_with(name)) {
                    host.stderr(b" '--");
                    host.stderr(long.as_bytes());
                    host.stderr(b"'");
                }
                host.stderr(b"\n");
            }
            ArgError::NoArgument(name) => {
                host.stderr(b": option '--");
                host.stderr(name.as_bytes());
                host.stderr(b"' doesn't allow an argument\n");
            }
        }
        host.stderr(b"Unknown parameter.\n");
    }
}

/// The whole tool: `prog` is argv[0], `args` the rest. Returns the exit
/// code.
pub fn run<'a, H, I>(host: &mut H, prog: &[u8], args: I) -> u8
where
    H: Host + ?Sized,
    I: IntoIterator<Item = &'a [u8]>,
{
    let (opts, iface) = match parse(args) {
        Ok(Command::Check { opts, iface }) => (opts, iface),
        Ok(Command::Help(opts)) => {
            write_usage(host, prog, opts);
            return 0;
        }
        Ok(Command::Version) => {
            host.stdout(VERSION.as_bytes());
            return 0;
        }
        Err(e) => {
            e.write(host, prog);
            return 1;
        }
    };
    match iface {
        Some(iface) => match handle(host, opts, iface) {
            Found::Up => 2,
            Found::Down => 3,
            Found::Reported => 1,
            Found::NotSupported(errno) => {
                if opts.verbose == 0 {
                    host.stderr(b"Failure (");
                    write_strerror(host, Stream::Err, errno);
                    host.stderr(b")\n");
                }
                1
            }
        },
        None => every_interface(host, opts),
    }
}

/// `-V`. 0.28 prints "ifplugstatus 0.28 (SVN: 124)"; the version is the
/// second word here too.
pub const VERSION: &str = concat!(
    "ifplugstatus ",
    env!("CARGO_PKG_VERSION"),
    " (ifplugd-rs)\n"
);

/// `-h`, 0.28's text. 0.28 cuts the program name after its first '/'
/// (`strchr` where `strrchr` was meant): `/usr/sbin/ifplugstatus -h`
/// says `usr/sbin/ifplugstatus`. Kept, as everything else it prints.
fn write_usage<H: Host + ?Sized>(host: &mut H, prog: &[u8], opts: Opts) {
    let shown = match prog.iter().position(|&b| b == b'/') {
        Some(slash) => &prog[slash + 1..],
        None => prog,
    };
    let on_off = |on: bool| if on { "on" } else { "off" };
    host.stdout(shown);
    host.stdout(
        b" [options] [INTERFACE]\n   -a --auto            Enable interface automatically (",
    );
    host.stdout(on_off(opts.auto_up).as_bytes());
    host.stdout(b")\n   -q --quiet           Quiet behaviour (");
    host.stdout(on_off(opts.verbose < 0).as_bytes());
    host.stdout(b")\n   -v --verbose         Enable verbosity (");
    host.stdout(on_off(opts.verbose > 0).as_bytes());
    host.stdout(
        b")\n   -h --help            Show this help\n   -V --version         Show version number\n",
    );
}

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

fn write_strerror<H: Host + ?Sized>(host: &mut H, to: Stream, errno: i32) {
    let mut num = crate::messages::Line::<24>::new();
    let text = match host.strerror(errno) {
        Some(text) => text.as_bytes(),
        None => {
            let _ = uwrite!(num, "Unknown error {}", errno);
            num.as_bytes()
        }
    };
    match to {
        Stream::Out => host.stdout(text),
        Stream::Err => host.stderr(text),
    }
}

/// What `handle` found for one interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    Up,
    Down,
    /// No method answered (or no socket): the last errno.
    NotSupported(i32),
    /// `-v`: every method's answer printed.
    Reported,
}

/// 0.28's names of the methods in `-v`'s lines, in its order there.
const VERBOSE_ORDER: [(Method, &str); 5] = [
    (Method::Ethtool, "SIOCETHTOOL"),
    (Method::Mii, "SIOCGMIIPHY"),
    (Method::Wlan, "Wireless"),
    (Method::Iff, "IFF_RUNNING"),
    (Method::Private, "SIOCDEVPRIVATE"),
];

/// The methods tried without `-v`, in order (0.28 leaves SIOCDEVPRIVATE out).
const TERSE_ORDER: [Method; 4] = [Method::Ethtool, Method::Mii, Method::Wlan, Method::Iff];

/// One method, as 0.28's `interface_detect_beat_*`: `Err(errno)` when it
/// does not answer (errno 0 for a wireless quality that cannot be read).
fn detect<H: Host + ?Sized>(
    host: &mut H,
    opts: Opts,
    iface: &[u8],
    m: Method,
) -> Result<Status, i32> {
    if opts.auto_up {
        host.up(iface);
    }
    let reading = host.probe(iface, m).map_err(|e| e.errno)?;
    let status = reading.status(Status::Error);
    if let (Reading::WlanAp(_), Status::Up) = (reading, status) {
        // Associated: the link is there if the quality says so.
        let quality = host.wlan_quality(iface).ok_or(0)?;
        return Ok(if quality.link() {
            Status::Up
        } else {
            Status::Down
        });
    }
    Ok(status)
}

fn handle<H: Host + ?Sized>(host: &mut H, opts: Opts, iface: &[u8]) -> Found {
    if let Err(errno) = host.socket() {
        return Found::NotSupported(errno);
    }
    if opts.verbose > 0 {
        host.stdout(iface);
        host.stdout(b":\n");
        for (m, name) in VERBOSE_ORDER {
            let result = detect(host, opts, iface, m);
            host.stdout(b"    ");
            host.stdout(name.as_bytes());
            match result {
                Ok(s) => {
                    host.stdout(b": ");
                    host.stdout(beat_text(s).as_bytes());
                    host.stdout(b"\n");
                }
                // 0.28 gives no reason for these two.
                Err(_) if matches!(m, Method::Wlan | Method::Iff) => {
                    host.stdout(b" failed.\n");
                }
                Err(errno) => {
                    host.stdout(b" failed (");
                    write_strerror(host, Stream::Out, errno);
                    host.stdout(b")\n");
                }
            }
        }
        return Found::Reported;
    }
    let mut found = Found::NotSupported(0);
    for m in TERSE_ORDER {
        match detect(host, opts, iface, m) {
            Ok(Status::Up) => found = Found::Up,
            Ok(_) => found = Found::Down,
            Err(errno) => {
                found = Found::NotSupported(errno);
                continue;
            }
        }
        break;
    }
    if opts.verbose == 0 {
        host.stdout(iface);
        host.stdout(match found {
            Found::Up => b": link beat detected\n",
            Found::Down => b": unplugged\n",
            _ if host.is_root() => b": not supported\n",
            _ => b": not supported (Retry as root?)\n",
        });
    }
    found
}

fn beat_text(s: Status) -> &'static str {
    if s == Status::Up {
        "link beat detected"
    } else {
        "unplugged"
    }
}

/// No interface named: each one in /proc/net/dev (after its two header
/// lines, the name is what precedes the ':'), and exit 0.
fn every_interface<H: Host + ?Sized>(host: &mut H, opts: Opts) -> u8 {
    if let Err(errno) = host.open_dev_list() {
        host.stderr(b"Failed to open /proc/net/dev: ");
        write_strerror(host, Stream::Err, errno);
        host.stderr(b"\n");
        return 1;
    }
    // 0.28 reads with fgets(ln, 256): longer lines are not interfaces.
    let mut line = heapless::Vec::<u8, 256>::new();
    let mut lines = 0u32;
    let mut buf = [0u8; 512];
    let mut at_end = false;
    while !at_end {
        let n = host.read_dev_list(&mut buf).min(buf.len());
        at_end = n == 0;
        // At the end, a last line without its newline counts too.
        let bytes = if at_end {
            &b"\n"[..usize::from(!line.is_empty())]
        } else {
            &buf[..n]
        };
        for &b in bytes {
            if b != b'\n' {
                let _ = line.push(b);
                continue;
            }
            lines += 1;
            if lines > 2 {
                let start = line
                    .iter()
                    .position(|&c| c != b' ' && c != b'\t')
                    .unwrap_or(line.len());
                let Some(colon) = line.iter().position(|&c| c == b':') else {
                    host.stderr(b"Parse failure in /proc/net/dev.\n");
                    return 1;
                };
                handle(host, opts, line.get(start..colon).unwrap_or(b""));
            }
            line.clear();
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Step;

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
    const ENODEV: i32 = 19;

    impl Host for Fake {
        fn stdout(&mut self, b: &[u8]) {
            self.out.extend_from_slice(b);
        }
        fn stderr(&mut self, b: &[u8]) {
            self.err.extend_from_slice(b);
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
        fn up(&mut self, iface: &[u8]) {
            self.upped.push(iface.to_vec());
        }
        fn probe(&mut self, iface: &[u8], m: Method) -> Result<Reading, ProbeError> {
            self.asked.push(m);
            let known = self.answers.keys().any(|(i, _)| i == iface);
            let default = if known { EOPNOTSUPP } else { ENODEV };
            let r = self.answers.get(&(iface.to_vec(), key(m))).copied();
            r.unwrap_or(Err(default)).map_err(|errno| ProbeError {
                step: Step::IfFlags,
                errno,
            })
        }
        fn wlan_quality(&mut self, _: &[u8]) -> Option<WlanQuality> {
            self.quality
        }
        fn is_root(&self) -> bool {
            self.root
        }
        fn open_dev_list(&mut self) -> Result<(), i32> {
            self.dev_list.as_ref().map(|_| ()).ok_or(2)
        }
        fn read_dev_list(&mut self, buf: &mut [u8]) -> usize {
            // Three bytes at a time: lines cross reads.
            let list = self.dev_list.as_deref().unwrap_or(&[]);
            let rest = &list[self.read_at.min(list.len())..];
            let n = rest.len().min(3).min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.read_at += n;
            n
        }
    }

    fn run_with(host: &mut Fake, args: &[&str]) -> u8 {
        run(
            host,
            b"/usr/sbin/ifplugstatus",
            args.iter().map(|a| a.as_bytes()),
        )
    }

    fn parsed(args: &[&'static str]) -> Result<Command<'static>, ArgError<'static>> {
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
        assert_eq!(parsed(&["-x", "-V"]), Err(ArgError::Invalid(b'x')));
        assert_eq!(parsed(&["-ai"]), Err(ArgError::Invalid(b'i')));
        assert_eq!(
            parsed(&["--foo=1"]),
            Err(ArgError::Unrecognized(b"--foo=1"))
        );
        assert_eq!(parsed(&["--v"]), Err(ArgError::Ambiguous(b"--v")));
        assert_eq!(parsed(&["--ver"]), Err(ArgError::Ambiguous(b"--ver")));
        assert_eq!(parsed(&["--q=1"]), Err(ArgError::NoArgument("quiet")));
        assert_eq!(parsed(&["---"]), Err(ArgError::Unrecognized(b"---")));
    }

    #[test]
    fn errors_in_glibc_and_0_28_words() {
        let cases = [
            ("-x", "/usr/sbin/ifplugstatus: invalid option -- 'x'\n"),
            ("--foo", "/usr/sbin/ifplugstatus: unrecognized option '--foo'\n"),
            (
                "--v",
                "/usr/sbin/ifplugstatus: option '--v' is ambiguous; possibilities: '--verbose' '--version'\n",
            ),
            (
                "--ver=2",
                "/usr/sbin/ifplugstatus: option '--ver=2' is ambiguous; possibilities: '--verbose' '--version'\n",
            ),
            (
                "--auto=1",
                "/usr/sbin/ifplugstatus: option '--auto' doesn't allow an argument\n",
            ),
        ];
        for (arg, line) in cases {
            let mut h = Fake::new();
            assert_eq!(run_with(&mut h, &[arg, "eth0"]), 1, "{arg}");
            assert_eq!(h.err(), std::format!("{line}Unknown parameter.\n"));
            assert_eq!(h.out(), "");
            assert!(h.asked.is_empty());
        }
    }

    #[test]
    fn help_shows_the_state_and_cuts_at_the_first_slash() {
        let mut h = Fake::new();
        assert_eq!(run_with(&mut h, &["-q", "-a", "-h", "eth0"]), 0);
        assert_eq!(
            h.out(),
            "usr/sbin/ifplugstatus [options] [INTERFACE]\n\
             \x20  -a --auto            Enable interface automatically (on)\n\
             \x20  -q --quiet           Quiet behaviour (on)\n\
             \x20  -v --verbose         Enable verbosity (off)\n\
             \x20  -h --help            Show this help\n\
             \x20  -V --version         Show version number\n"
        );
        assert!(h.asked.is_empty());
        let mut h = Fake::new();
        run(&mut h, b"ifplugstatus", [&b"-vh"[..]]);
        assert!(h.out().starts_with("ifplugstatus [options]"));
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
