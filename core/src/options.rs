//! The command line, with BusyBox's getopt semantics for the option string
//! `+ansfFi:r:It:u:d:m:pqlx:Mk`: bundled flags (`-ns`), attached values
//! (`-ieth0`), `--`, and a stop at the first non-option.
//!
//! Arguments are C strings of any bytes, as BusyBox takes them: the script
//! path, its extra argument and the interface name are handed on as they
//! came (each value is the tail of an argument, so it keeps its NUL and
//! needs no copy). Only numbers must be digits.
//!
//! Additions, none of which BusyBox's applet of the spec accepts: `-A`
//! (BusyBox 1.36's), `-P` (poll only, no netlink fast path), `-V`/`--version`
//! and `-h`/`--help`.

use crate::detect::ApiMode;
use crate::messages::WriteBytes;
use core::ffi::CStr;

pub use crate::kernel::IFNAME_MAX;

/// Largest value `-t`, `-u` and `-d` accept: BusyBox's `xatoi_positive` range.
pub const NUMBER_MAX: u32 = i32::MAX as u32;

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options<'a> {
    /// `-a`: do not bring the interface up, at a probe or when it appears.
    pub no_auto: bool,
    /// `-A` (BusyBox 1.36): do not bring up an interface that appears.
    pub no_up_new: bool,
    /// `-n`: stay in the foreground.
    pub no_daemon: bool,
    /// `-s`: log to stderr, not syslog.
    pub no_syslog: bool,
    /// `-f`: a detection failure counts as down.
    pub ignore_fail: bool,
    /// `-F`: a detection failure counts as up (wins over `-f`).
    pub ignore_fail_positive: bool,
    /// `-i`: the interfaces, in the order given (never empty). Without the
    /// `multi` feature there is room for one: the last `-i` wins, as in
    /// BusyBox; with it, each `-i` adds one, and a value with pattern
    /// characters is a pattern (see [`crate::pattern`]).
    pub ifaces: Ifaces<'a>,
    /// `-r`: the action script.
    pub script: &'a CStr,
    /// `-I`: a failing script does not stop the daemon.
    pub ignore_retval: bool,
    /// `-t`: seconds between link checks.
    pub poll_secs: u32,
    /// `-u`: seconds a new "up" must last before the script runs.
    pub delay_up: u32,
    /// `-d`: seconds a new "down" must last before the script runs.
    pub delay_down: u32,
    /// `-m`: how the link is detected.
    pub api_mode: ApiMode,
    /// `-m` named no mode: BusyBox refuses it only after `-k` and the pid
    /// file, with the interface in the prefix, so the host does too.
    pub unknown_api_mode: Option<&'a [u8]>,
    /// `-p`: no "up" script at start-up.
    pub no_startup: bool,
    /// `-q`: no "down" script at shutdown.
    pub no_shutdown: bool,
    /// `-l`: run the script at start-up even when the link is down.
    pub initial_down: bool,
    /// `-x`: an extra argument for the script.
    pub extra_arg: Option<&'a CStr>,
    /// `-M`: follow the interface's existence through netlink.
    pub monitor: bool,
    /// `-k`: stop the running daemon.
    pub kill: bool,
    /// `-P`: BusyBox-style polling only, no netlink fast path.
    pub poll_only: bool,
}

/// Most `-i` values one instance takes: one without `multi` (BusyBox's),
/// else enough for a router's ports; patterns cover the rest. The pid
/// file's name is built from them, so their number is bounded.
pub const MAX_IFACE_ARGS: usize = if cfg!(feature = "multi") { 8 } else { 1 };

/// The `-i` values.
pub type Ifaces<'a> = heapless::Vec<&'a CStr, MAX_IFACE_ARGS>;

/// The instance's name: the `-i` values joined by `,`.
pub type InstanceName = heapless::Vec<u8, INSTANCE_MAX>;

/// The longest instance name.
pub const INSTANCE_MAX: usize = MAX_IFACE_ARGS * (IFNAME_MAX + 1);

impl<'a> Options<'a> {
    /// The instance's name, for its pid file and its lines about the whole
    /// daemon: the `-i` values joined by `,`, in the order given. With one
    /// `-i` it is that interface's name, as BusyBox's.
    pub fn instance_name(&self) -> InstanceName {
        let mut name = InstanceName::new();
        for (i, iface) in self.ifaces.iter().enumerate() {
            if i > 0 {
                let _ = name.push(b',');
            }
            let _ = name.extend_from_slice(iface.to_bytes());
        }
        name
    }

    /// Whether the daemon needs the netlink socket: for the fast path, for
    /// `-M`, and for patterns (the kernel's list of interfaces comes
    /// through it). BusyBox's `-P` alone polls without one.
    pub fn needs_netlink(&self) -> bool {
        !self.poll_only
            || self.monitor
            || (cfg!(feature = "multi")
                && self
                    .ifaces
                    .iter()
                    .any(|i| crate::pattern::is_pattern(i.to_bytes())))
    }

    /// The first interface's name as bytes: the only one unless `multi`.
    pub fn iface_name(&self) -> &'a [u8] {
        self.ifaces.first().map_or(&b"eth0"[..], |i| i.to_bytes())
    }
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            no_auto: false,
            no_up_new: false,
            no_daemon: false,
            no_syslog: false,
            ignore_fail: false,
            ignore_fail_positive: false,
            ifaces: {
                let mut v = Ifaces::new();
                let _ = v.push(c"eth0");
                v
            },
            script: c"/etc/ifplugd/ifplugd.action",
            ignore_retval: false,
            poll_secs: 1,
            delay_up: 0,
            delay_down: 5,
            api_mode: ApiMode::Auto,
            unknown_api_mode: None,
            no_startup: false,
            no_shutdown: false,
            initial_down: false,
            extra_arg: None,
            monitor: false,
            kill: false,
            poll_only: false,
        }
    }
}

/// What the command line asks the program to do.
// Built once per run and matched at once: boxing the options would need an
// allocator.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    Run(Options<'a>),
    Help,
    Version,
}

/// Why a command line was refused. Each names the text at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError<'a> {
    /// An option letter we do not know (getopt: "unrecognized option").
    Unknown(&'a [u8]),
    /// A long option we do not know.
    UnknownLong(&'a [u8]),
    /// An option that takes a value came last.
    MissingValue(&'a [u8]),
    /// Not an unsigned decimal number.
    InvalidNumber(&'a [u8]),
    /// A number above [`NUMBER_MAX`].
    OutOfRange(&'a [u8]),
    /// Empty, longer than IFNAMSIZ-1, or holding `/`, or `.`/`..`.
    BadInterface(&'a [u8]),
    /// `-P -t 0`: polling without a period would spin (BusyBox's does).
    PollZero,
    /// More `-i` values than [`MAX_IFACE_ARGS`].
    TooManyInterfaces,
}

impl OptionError<'_> {
    /// BusyBox exits with 1 for every command-line error.
    pub const fn exit_code(&self) -> u8 {
        1
    }

    /// getopt's own complaints are followed by the usage text in BusyBox.
    pub const fn shows_usage(&self) -> bool {
        matches!(
            self,
            OptionError::Unknown(_) | OptionError::UnknownLong(_) | OptionError::MissingValue(_)
        )
    }

    /// The error's text, naming the argument at fault as it came.
    pub fn write<W: WriteBytes + ?Sized>(&self, f: &mut W) -> Result<(), W::Error> {
        let (before, arg, after) = match *self {
            OptionError::Unknown(c) | OptionError::UnknownLong(c) => {
                ("unrecognized option: ", c, "")
            }
            OptionError::MissingValue(c) => ("option requires an argument: ", c, ""),
            OptionError::InvalidNumber(s) => ("invalid number '", s, "'"),
            OptionError::OutOfRange(s) => ("number ", s, " is not in 0..2147483647 range"),
            OptionError::BadInterface(s) => ("invalid interface name '", s, "'"),
            OptionError::PollZero => ("-t 0 needs the netlink fast path: drop -P", &[][..], ""),
            OptionError::TooManyInterfaces => {
                ("too many -i (at most 8): use a pattern", &[][..], "")
            }
        };
        f.write_str(before)?;
        f.write_bytes(arg)?;
        f.write_str(after)
    }
}

/// Letters that take a value, as in BusyBox's option string.
const fn takes_value(c: u8) -> bool {
    matches!(c, b'i' | b'r' | b't' | b'u' | b'd' | b'm' | b'x')
}

/// Parses the arguments after the program name.
pub fn parse<'a, I>(args: I) -> Result<Command<'a>, OptionError<'a>>
where
    I: IntoIterator<Item = &'a CStr>,
{
    let mut o = Options::default();
    // The first -i replaces the default eth0.
    o.ifaces.clear();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let bytes = arg.to_bytes();
        match bytes {
            b"--" => break,
            b"--help" => return Ok(Command::Help),
            b"--version" => return Ok(Command::Version),
            [b'-', b'-', _, ..] => return Err(OptionError::UnknownLong(bytes)),
            // '+' in the option string: the first non-option ends the
            // options.
            [b'-', _, ..] => {}
            _ => break,
        }
        let mut i = 1;
        while let Some(&c) = bytes.get(i) {
            i += 1;
            if takes_value(c) {
                // The rest of this word, or else the next word, is the value.
                let value = match tail(arg, i) {
                    Some(rest) => rest,
                    None => args
                        .next()
                        .ok_or(OptionError::MissingValue(letter(bytes, i - 1)))?,
                };
                set_value(&mut o, c, value)?;
                break;
            }
            match c {
                b'a' => o.no_auto = true,
                b'A' => o.no_up_new = true,
                b'n' => o.no_daemon = true,
                b's' => o.no_syslog = true,
                b'f' => o.ignore_fail = true,
                b'F' => o.ignore_fail_positive = true,
                b'I' => o.ignore_retval = true,
                b'p' => o.no_startup = true,
                b'q' => o.no_shutdown = true,
                b'l' => o.initial_down = true,
                b'M' => o.monitor = true,
                b'k' => o.kill = true,
                b'P' => o.poll_only = true,
                b'V' => return Ok(Command::Version),
                b'h' => return Ok(Command::Help),
                _ => return Err(OptionError::Unknown(letter(bytes, i - 1))),
            }
        }
    }
    if o.ifaces.is_empty() {
        o.ifaces = Options::default().ifaces;
    }
    for iface in &o.ifaces {
        check_iface(iface.to_bytes())?;
    }
    if o.poll_only && o.poll_secs == 0 {
        return Err(OptionError::PollZero);
    }
    Ok(Command::Run(o))
}

/// `arg` from byte `at` on, if anything is left: a C string still.
fn tail(arg: &CStr, at: usize) -> Option<&CStr> {
    let rest = arg.to_bytes_with_nul().get(at..)?;
    if rest.len() < 2 {
        return None;
    }
    CStr::from_bytes_with_nul(rest).ok()
}

/// The option letter at byte `at`, whole when it is a UTF-8 sequence (its
/// length from its first byte), else that one byte.
fn letter(arg: &[u8], at: usize) -> &[u8] {
    let len = match arg.get(at) {
        Some(0xf0..) => 4,
        Some(0xe0..) => 3,
        Some(0xc0..) => 2,
        _ => 1,
    };
    arg.get(at..at + len)
        .or_else(|| arg.get(at..))
        .unwrap_or(b"?")
}

fn set_value<'a>(o: &mut Options<'a>, c: u8, value: &'a CStr) -> Result<(), OptionError<'a>> {
    let bytes = value.to_bytes();
    match c {
        b'i' => {
            if MAX_IFACE_ARGS == 1 {
                o.ifaces.clear();
            }
            o.ifaces
                .push(value)
                .map_err(|_| OptionError::TooManyInterfaces)?;
        }
        b'r' => o.script = value,
        b't' => o.poll_secs = number(bytes)?,
        b'u' => o.delay_up = number(bytes)?,
        b'd' => o.delay_down = number(bytes)?,
        b'm' => match ApiMode::from_name(bytes) {
            Some(mode) => {
                o.api_mode = mode;
                o.unknown_api_mode = None;
            }
            None => o.unknown_api_mode = Some(bytes),
        },
        b'x' => o.extra_arg = Some(value),
        _ => {}
    }
    Ok(())
}

/// An unsigned decimal in `0..=NUMBER_MAX`, as BusyBox's `xatoi_positive`:
/// no sign, no spaces, no suffix.
pub fn number(text: &[u8]) -> Result<u32, OptionError<'_>> {
    if text.is_empty() {
        return Err(OptionError::InvalidNumber(text));
    }
    let mut n: u32 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return Err(OptionError::InvalidNumber(text));
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(b - b'0')))
            .filter(|&n| n <= NUMBER_MAX)
            .ok_or(OptionError::OutOfRange(text))?;
    }
    Ok(n)
}

/// A name the kernel could hold and that is safe inside a pid file's path.
fn check_iface(name: &[u8]) -> Result<(), OptionError<'_>> {
    let bad = name.is_empty()
        || name.len() > IFNAME_MAX
        || name == b"."
        || name == b".."
        || name.iter().any(|&b| b == b'/' || b.is_ascii_whitespace());
    if bad {
        Err(OptionError::BadInterface(name))
    } else {
        Ok(())
    }
}

/// The usage text, BusyBox's wording plus our additions.
pub const USAGE: &str = "\
Usage: ifplugd [OPTIONS]

Network interface plug detection daemon

\t-n\t\tRun in foreground
\t-s\t\tDon't log to syslog
\t-i IFACE\tInterface
\t-f/-F\t\tTreat link detection error as link down/link up
\t\t\t(otherwise exit on error)
\t-a\t\tDon't up interface at each link probe
\t-A\t\tDon't up newly appeared interface
\t-M\t\tMonitor creation/destruction of interface
\t\t\t(otherwise it must exist)
\t-r PROG\t\tScript to run
\t-x ARG\t\tExtra argument for script
\t-I\t\tDon't exit on nonzero exit code from script
\t-p\t\tDon't run \"up\" script on startup
\t-q\t\tDon't run \"down\" script on exit
\t-l\t\tAlways run script on startup
\t-t SECS\t\tPoll time in seconds (0: netlink events only)
\t-u SECS\t\tDelay before running script after link up
\t-d SECS\t\tDelay after link down
\t-m MODE\t\tAPI mode (mii, priv, ethtool, wlan, iff, auto)
\t-k\t\tKill running daemon
\t-P\t\tPoll only: no netlink fast path (BusyBox timing)
\t-V, --version\tShow version
\t-h, --help\tShow this help
";

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::boxed::Box;
    use std::ffi::CString;
    use std::vec::Vec;

    /// The arguments as the C start-up code hands them: NUL-terminated.
    fn c_args(args: &[&[u8]]) -> Vec<&'static CStr> {
        args.iter()
            .map(|a| &*Box::leak(CString::new(*a).unwrap().into_boxed_c_str()))
            .collect()
    }

    fn parse_bytes(args: &[&[u8]]) -> Result<Command<'static>, OptionError<'static>> {
        parse(c_args(args))
    }

    fn run(args: &[&str]) -> Options<'static> {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        match parse_bytes(&raw) {
            Ok(Command::Run(o)) => o,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn err(args: &[&str]) -> OptionError<'static> {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        match parse_bytes(&raw) {
            Err(e) => e,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn defaults_match_busybox() {
        let o = run(&[]);
        assert_eq!(o.ifaces[..], [c"eth0"]);
        assert_eq!(o.script, c"/etc/ifplugd/ifplugd.action");
        assert_eq!((o.poll_secs, o.delay_up, o.delay_down), (1, 0, 5));
        assert_eq!(o.api_mode, ApiMode::Auto);
        assert!(!o.no_daemon && !o.monitor && !o.kill && o.extra_arg.is_none());
    }

    #[test]
    fn bundled_flags_and_values() {
        let o = run(&["-nsi", "wan0", "-t5", "-u", "2", "-d0", "-MIpql", "-xextra"]);
        assert!(o.no_daemon && o.no_syslog && o.monitor && o.ignore_retval);
        assert!(o.no_startup && o.no_shutdown && o.initial_down);
        assert_eq!(o.ifaces[..], [c"wan0"]);
        assert_eq!((o.poll_secs, o.delay_up, o.delay_down), (5, 2, 0));
        assert_eq!(o.extra_arg, Some(c"extra"));
        let o = run(&["-ieth1", "-afFk", "-r", "/bin/s", "-P"]);
        assert_eq!(o.ifaces[..], [c"eth1"]);
        assert!(o.no_auto && o.ignore_fail && o.ignore_fail_positive && o.kill && o.poll_only);
        assert_eq!(o.script, c"/bin/s");
    }

    #[test]
    fn value_may_look_like_an_option() {
        assert_eq!(run(&["-x", "-n"]).extra_arg, Some(c"-n"));
        assert!(!run(&["-x", "-n"]).no_daemon);
    }

    #[test]
    fn stops_at_double_dash_and_first_non_option() {
        let o = run(&["-n", "--", "-s"]);
        assert!(o.no_daemon && !o.no_syslog);
        let o = run(&["-n", "word", "-s"]);
        assert!(o.no_daemon && !o.no_syslog);
        // A lone "-" is a non-option too.
        assert!(!run(&["-", "-s"]).no_syslog);
    }

    #[test]
    fn last_value_wins() {
        assert_eq!(run(&["-t", "3", "-t", "7"]).poll_secs, 7);
    }

    #[cfg(not(feature = "multi"))]
    #[test]
    fn last_interface_wins_without_multi() {
        assert_eq!(run(&["-i", "a", "-ib"]).ifaces[..], [c"b"]);
        assert_eq!(run(&["-i", "a", "-ib"]).instance_name(), b"b");
    }

    #[test]
    fn netlink_when_needed() {
        assert!(run(&[]).needs_netlink());
        assert!(!run(&["-P"]).needs_netlink());
        assert!(run(&["-P", "-M"]).needs_netlink());
        assert_eq!(
            run(&["-P", "-i", "lan*"]).needs_netlink(),
            cfg!(feature = "multi")
        );
    }

    #[cfg(feature = "multi")]
    #[test]
    fn each_interface_counts_with_multi() {
        assert_eq!(run(&["-i", "a", "-ilan*"]).ifaces[..], [c"a", c"lan*"]);
        assert_eq!(run(&["-i", "a", "-ilan*"]).instance_name(), b"a,lan*");
        let eight: Vec<&str> = (0..8).flat_map(|_| ["-i", "abcdefghijklmno"]).collect();
        assert_eq!(run(&eight).instance_name().len(), 8 * 16 - 1);
        let nine: Vec<&str> = (0..9).flat_map(|_| ["-i", "x"]).collect();
        assert_eq!(err(&nine), OptionError::TooManyInterfaces);
        assert_eq!(
            err(&["-i", "a", "-i", "b/c"]),
            OptionError::BadInterface(b"b/c")
        );
    }

    #[test]
    fn api_mode_by_first_letter() {
        for (text, mode) in [
            ("auto", ApiMode::Auto),
            ("ethtool", ApiMode::Ethtool),
            ("mii", ApiMode::Mii),
            ("priv", ApiMode::Private),
            ("private", ApiMode::Private),
            ("wlan", ApiMode::Wlan),
            ("iff", ApiMode::Iff),
            ("e", ApiMode::Ethtool),
        ] {
            assert_eq!(run(&["-m", text]).api_mode, mode, "{text}");
        }
        // Refused later, by the host, after -k and the pid file.
        assert_eq!(run(&["-m", "zzz"]).unknown_api_mode, Some(&b"zzz"[..]));
        assert_eq!(run(&["-m", ""]).unknown_api_mode, Some(&b""[..]));
        assert_eq!(run(&["-m", "zzz", "-m", "iff"]).unknown_api_mode, None);
        assert_eq!(
            run(&["-m", "iff", "-m", "zzz"]).unknown_api_mode,
            Some(&b"zzz"[..])
        );
        // Only the first letter counts, whatever follows.
        assert_eq!(
            parse_bytes(&[b"-m", b"e\xff"]),
            Ok(Command::Run(Options {
                api_mode: ApiMode::Ethtool,
                ..Options::default()
            }))
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(number(b"0"), Ok(0));
        assert_eq!(number(b"2147483647"), Ok(NUMBER_MAX));
        assert_eq!(
            number(b"2147483648"),
            Err(OptionError::OutOfRange(b"2147483648"))
        );
        assert_eq!(
            number(b"99999999999999999999"),
            Err(OptionError::OutOfRange(b"99999999999999999999"))
        );
        for bad in ["", "-1", "+1", " 1", "1s", "0x10", "abc", "1\u{e9}"] {
            let bad = bad.as_bytes();
            assert_eq!(number(bad), Err(OptionError::InvalidNumber(bad)));
        }
        assert_eq!(err(&["-t", "abc"]), OptionError::InvalidNumber(b"abc"));
        assert_eq!(err(&["-u-3"]), OptionError::InvalidNumber(b"-3"));
        assert_eq!(
            parse_bytes(&[b"-d", b"1\xff"]),
            Err(OptionError::InvalidNumber(b"1\xff"))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(err(&["-z"]), OptionError::Unknown(b"z"));
        assert_eq!(err(&["-nä"]), OptionError::Unknown("ä".as_bytes()));
        assert_eq!(err(&["-€n"]), OptionError::Unknown("€".as_bytes()));
        assert_eq!(
            err(&["-n\u{1f600}"]),
            OptionError::Unknown("\u{1f600}".as_bytes())
        );
        assert_eq!(parse_bytes(&[b"-\xff"]), Err(OptionError::Unknown(b"\xff")));
        assert_eq!(
            parse_bytes(&[b"-n\xe2"]),
            Err(OptionError::Unknown(b"\xe2"))
        );
        assert_eq!(err(&["-i"]), OptionError::MissingValue(b"i"));
        assert_eq!(err(&["--foo"]), OptionError::UnknownLong(b"--foo"));
        assert!(err(&["-z"]).shows_usage());
        assert!(!err(&["-t", "x"]).shows_usage());
        assert_eq!(err(&["-t", "x"]).exit_code(), 1);
    }

    #[test]
    fn interface_names() {
        assert_eq!(
            run(&["-i", "abcdefghijklmno"]).ifaces[..],
            [c"abcdefghijklmno"]
        );
        for bad in ["abcdefghijklmnop", "", "a/b", ".", "..", "a b"] {
            assert_eq!(err(&["-i", bad]), OptionError::BadInterface(bad.as_bytes()));
        }
        // Linux takes any other bytes, and so do we.
        assert_eq!(run(&["-i", "eth0:1"]).ifaces[..], [c"eth0:1"]);
        let o = parse_bytes(&[b"-i", b"\xe9th0", b"-r", b"/etc/caf\xe9", b"-x\xff"]);
        let Ok(Command::Run(o)) = o else {
            panic!("{o:?}")
        };
        assert_eq!(o.iface_name(), b"\xe9th0");
        assert_eq!(o.script.to_bytes(), b"/etc/caf\xe9");
        assert_eq!(o.extra_arg.map(CStr::to_bytes), Some(&b"\xff"[..]));
    }

    #[test]
    fn poll_zero_needs_netlink() {
        assert_eq!(run(&["-t", "0"]).poll_secs, 0);
        assert_eq!(err(&["-P", "-t0"]), OptionError::PollZero);
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse([c"--help"]), Ok(Command::Help));
        assert_eq!(parse([c"-h"]), Ok(Command::Help));
        assert_eq!(parse([c"-V"]), Ok(Command::Version));
        assert_eq!(parse([c"-n", c"--version"]), Ok(Command::Version));
    }

    #[test]
    fn error_texts() {
        let text = |e: OptionError<'_>| {
            let mut s = crate::messages::Line::<64>::new();
            e.write(&mut s).unwrap();
            s.as_bytes().to_vec()
        };
        assert_eq!(
            text(OptionError::OutOfRange(b"9999999999")),
            b"number 9999999999 is not in 0..2147483647 range"
        );
        assert_eq!(
            text(OptionError::InvalidNumber(b"1\xff")),
            b"invalid number '1\xff'"
        );
        assert_eq!(text(OptionError::Unknown(b"z")), b"unrecognized option: z");
    }
}
