//! The command line, with BusyBox's getopt semantics for the option string
//! `+ansfFi:r:It:u:d:m:pqlx:Mk`: bundled flags (`-ns`), attached values
//! (`-ieth0`), `--`, and a stop at the first non-option.
//!
//! Additions, none of which BusyBox accepts: `-P` (poll only, no netlink fast
//! path), `-V`/`--version` and `-h`/`--help`.

use crate::detect::ApiMode;

/// The kernel's IFNAMSIZ less its terminating NUL.
pub const IFNAME_MAX: usize = 15;

/// Largest value `-t`, `-u` and `-d` accept: BusyBox's `xatoi_positive` range.
pub const NUMBER_MAX: u32 = i32::MAX as u32;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options<'a> {
    /// `-a`: do not bring the interface up.
    pub no_auto: bool,
    /// `-n`: stay in the foreground.
    pub no_daemon: bool,
    /// `-s`: log to stderr, not syslog.
    pub no_syslog: bool,
    /// `-f`: a detection failure counts as down.
    pub ignore_fail: bool,
    /// `-F`: a detection failure counts as up (wins over `-f`).
    pub ignore_fail_positive: bool,
    /// `-i`: the interface.
    pub iface: &'a str,
    /// `-r`: the action script.
    pub script: &'a str,
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
    /// `-p`: no "up" script at start-up.
    pub no_startup: bool,
    /// `-q`: no "down" script at shutdown.
    pub no_shutdown: bool,
    /// `-l`: run the script at start-up even when the link is down.
    pub initial_down: bool,
    /// `-x`: an extra argument for the script.
    pub extra_arg: Option<&'a str>,
    /// `-M`: follow the interface's existence through netlink.
    pub monitor: bool,
    /// `-k`: stop the running daemon.
    pub kill: bool,
    /// `-P`: BusyBox-style polling only, no netlink fast path.
    pub poll_only: bool,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            no_auto: false,
            no_daemon: false,
            no_syslog: false,
            ignore_fail: false,
            ignore_fail_positive: false,
            iface: "eth0",
            script: "/etc/ifplugd/ifplugd.action",
            ignore_retval: false,
            poll_secs: 1,
            delay_up: 0,
            delay_down: 5,
            api_mode: ApiMode::Auto,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    Run(Options<'a>),
    Help,
    Version,
}

/// Why a command line was refused. Each names the text at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError<'a> {
    /// An option letter we do not know (getopt: "unrecognized option").
    Unknown(&'a str),
    /// A long option we do not know.
    UnknownLong(&'a str),
    /// An option that takes a value came last.
    MissingValue(&'a str),
    /// Not an unsigned decimal number.
    InvalidNumber(&'a str),
    /// A number above [`NUMBER_MAX`].
    OutOfRange(&'a str),
    /// `-m` with a value whose first letter names no mode.
    UnknownApiMode(&'a str),
    /// Empty, longer than IFNAMSIZ-1, or holding `/`, or `.`/`..`.
    BadInterface(&'a str),
    /// `-P -t 0`: polling without a period would spin (BusyBox's does).
    PollZero,
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
}

impl ufmt::uDisplay for OptionError<'_> {
    fn fmt<W: ufmt::uWrite + ?Sized>(
        &self,
        f: &mut ufmt::Formatter<'_, W>,
    ) -> Result<(), W::Error> {
        match *self {
            OptionError::Unknown(c) => ufmt::uwrite!(f, "unrecognized option: {}", c),
            OptionError::UnknownLong(s) => ufmt::uwrite!(f, "unrecognized option: {}", s),
            OptionError::MissingValue(c) => {
                ufmt::uwrite!(f, "option requires an argument: {}", c)
            }
            OptionError::InvalidNumber(s) => ufmt::uwrite!(f, "invalid number '{}'", s),
            OptionError::OutOfRange(s) => {
                ufmt::uwrite!(f, "number {} is not in 0..{} range", s, NUMBER_MAX)
            }
            OptionError::UnknownApiMode(s) => ufmt::uwrite!(f, "unknown API mode '{}'", s),
            OptionError::BadInterface(s) => ufmt::uwrite!(f, "invalid interface name '{}'", s),
            OptionError::PollZero => f.write_str("-t 0 needs the netlink fast path: drop -P"),
        }
    }
}

/// Letters that take a value, as in BusyBox's option string.
const fn takes_value(c: u8) -> bool {
    matches!(c, b'i' | b'r' | b't' | b'u' | b'd' | b'm' | b'x')
}

/// Parses the arguments after the program name.
pub fn parse<'a, I>(args: I) -> Result<Command<'a>, OptionError<'a>>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut o = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let bytes = arg.as_bytes();
        if arg == "--" {
            break;
        }
        match arg {
            "--help" => return Ok(Command::Help),
            "--version" => return Ok(Command::Version),
            _ => {}
        }
        if bytes.len() > 2 && bytes[0] == b'-' && bytes[1] == b'-' {
            return Err(OptionError::UnknownLong(arg));
        }
        // '+' in the option string: the first non-option ends the options.
        if bytes.len() < 2 || bytes[0] != b'-' {
            break;
        }
        let mut i = 1;
        while i < bytes.len() {
            let c = bytes[i];
            i += 1;
            if takes_value(c) {
                // The rest of this word, or else the next word, is the value.
                let value = if i < bytes.len() {
                    arg.get(i..).unwrap_or("")
                } else {
                    args.next()
                        .ok_or(OptionError::MissingValue(letter(arg, i - 1)))?
                };
                set_value(&mut o, c, value)?;
                break;
            }
            match c {
                b'a' => o.no_auto = true,
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
                _ => return Err(OptionError::Unknown(letter(arg, i - 1))),
            }
        }
    }
    check_iface(o.iface)?;
    if o.poll_only && o.poll_secs == 0 {
        return Err(OptionError::PollZero);
    }
    Ok(Command::Run(o))
}

/// The option letter at byte `at`, whole even when it is not ASCII (its
/// length from its first byte: `arg` is UTF-8 and `at` starts a letter).
fn letter(arg: &str, at: usize) -> &str {
    let len = match arg.as_bytes().get(at) {
        Some(0xf0..) => 4,
        Some(0xe0..) => 3,
        Some(0xc0..) => 2,
        _ => 1,
    };
    arg.get(at..at + len).unwrap_or("?")
}

fn set_value<'a>(o: &mut Options<'a>, c: u8, value: &'a str) -> Result<(), OptionError<'a>> {
    match c {
        b'i' => o.iface = value,
        b'r' => o.script = value,
        b't' => o.poll_secs = number(value)?,
        b'u' => o.delay_up = number(value)?,
        b'd' => o.delay_down = number(value)?,
        b'm' => o.api_mode = ApiMode::from_name(value).ok_or(OptionError::UnknownApiMode(value))?,
        b'x' => o.extra_arg = Some(value),
        _ => {}
    }
    Ok(())
}

/// An unsigned decimal in `0..=NUMBER_MAX`, as BusyBox's `xatoi_positive`:
/// no sign, no spaces, no suffix.
pub fn number(text: &str) -> Result<u32, OptionError<'_>> {
    if text.is_empty() {
        return Err(OptionError::InvalidNumber(text));
    }
    let mut n: u32 = 0;
    for &b in text.as_bytes() {
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
fn check_iface(name: &str) -> Result<(), OptionError<'_>> {
    let bad = name.is_empty()
        || name.len() > IFNAME_MAX
        || name == "."
        || name == ".."
        || name
            .bytes()
            .any(|b| b == b'/' || b == 0 || b.is_ascii_whitespace());
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

/// Whether an argument is UTF-8: exactly what `core::str::from_utf8`
/// accepts (the tests check every 1- to 3-byte input and a spread of
/// 4-byte ones), in a plain loop a fraction of its size. The host turns an
/// accepted argument into `&str` unchecked.
pub fn is_utf8(raw: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&lead) = raw.get(i) {
        // Length, and the smallest code point that needs that length.
        let (len, min) = match lead {
            0x00..=0x7f => {
                i += 1;
                continue;
            }
            0xc0..=0xdf => (2, 0x80),
            0xe0..=0xef => (3, 0x800),
            0xf0..=0xf7 => (4, 0x1_0000),
            _ => return false,
        };
        let Some(tail) = raw.get(i + 1..i + len) else {
            return false;
        };
        let mut code = u32::from(lead) & (0x7f >> len);
        for &b in tail {
            if b & 0xc0 != 0x80 {
                return false;
            }
            code = code << 6 | u32::from(b & 0x3f);
        }
        // Overlong forms, surrogates, and beyond Unicode are not UTF-8.
        if code < min || (0xd800..=0xdfff).contains(&code) || code > 0x10_ffff {
            return false;
        }
        i += len;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_utf8_agrees_with_from_utf8() {
        let agree =
            |raw: &[u8]| assert_eq!(is_utf8(raw), core::str::from_utf8(raw).is_ok(), "{raw:x?}");
        for raw in [
            &b""[..],
            b"eth0",
            "\u{e9}th0".as_bytes(),
            "\u{1f600}".as_bytes(),
            b"\xff",
            b"eth\x80",
            b"\xc3",         // cut short
            b"\xed\xa0\x80", // a surrogate
            b"\xc0\xaf",     // overlong
            b"ok\xf4\x90\x80\x80",
        ] {
            agree(raw);
        }
        // Every input of 1, 2 and 3 bytes.
        let mut buf = [0u8; 4];
        for a in 0..=255u8 {
            buf[0] = a;
            agree(&buf[..1]);
            for b in 0..=255u8 {
                buf[1] = b;
                agree(&buf[..2]);
                for c in 0..=255u8 {
                    buf[2] = c;
                    agree(&buf[..3]);
                }
            }
        }
        // 4 bytes: every lead and second byte, the edges for the others;
        // and a valid letter before and after.
        let edges = [0x00, 0x3f, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0, 0xf4, 0xff];
        for a in 0x80..=255u8 {
            for b in 0..=255u8 {
                for c in edges {
                    for d in edges {
                        buf = [a, b, c, d];
                        agree(&buf);
                        let mut long = [b'x', a, b, c, d, b'y'];
                        agree(&long);
                        long[0] = 0xc3;
                        long[5] = 0xa9;
                        agree(&long[..5]);
                    }
                }
            }
        }
    }

    fn run(args: &[&'static str]) -> Options<'static> {
        match parse(args.iter().copied()) {
            Ok(Command::Run(o)) => o,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn err(args: &[&'static str]) -> OptionError<'static> {
        match parse(args.iter().copied()) {
            Err(e) => e,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn defaults_match_busybox() {
        let o = run(&[]);
        assert_eq!(o.iface, "eth0");
        assert_eq!(o.script, "/etc/ifplugd/ifplugd.action");
        assert_eq!((o.poll_secs, o.delay_up, o.delay_down), (1, 0, 5));
        assert_eq!(o.api_mode, ApiMode::Auto);
        assert!(!o.no_daemon && !o.monitor && !o.kill && o.extra_arg.is_none());
    }

    #[test]
    fn bundled_flags_and_values() {
        let o = run(&["-nsi", "wan0", "-t5", "-u", "2", "-d0", "-MIpql", "-xextra"]);
        assert!(o.no_daemon && o.no_syslog && o.monitor && o.ignore_retval);
        assert!(o.no_startup && o.no_shutdown && o.initial_down);
        assert_eq!(o.iface, "wan0");
        assert_eq!((o.poll_secs, o.delay_up, o.delay_down), (5, 2, 0));
        assert_eq!(o.extra_arg, Some("extra"));
        let o = run(&["-ieth1", "-afFk", "-r", "/bin/s", "-P"]);
        assert_eq!(o.iface, "eth1");
        assert!(o.no_auto && o.ignore_fail && o.ignore_fail_positive && o.kill && o.poll_only);
        assert_eq!(o.script, "/bin/s");
    }

    #[test]
    fn value_may_look_like_an_option() {
        assert_eq!(run(&["-x", "-n"]).extra_arg, Some("-n"));
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
        assert_eq!(err(&["-m", "zzz"]), OptionError::UnknownApiMode("zzz"));
        assert_eq!(err(&["-m", ""]), OptionError::UnknownApiMode(""));
    }

    #[test]
    fn numbers() {
        assert_eq!(number("0"), Ok(0));
        assert_eq!(number("2147483647"), Ok(NUMBER_MAX));
        assert_eq!(
            number("2147483648"),
            Err(OptionError::OutOfRange("2147483648"))
        );
        assert_eq!(
            number("99999999999999999999"),
            Err(OptionError::OutOfRange("99999999999999999999"))
        );
        for bad in ["", "-1", "+1", " 1", "1s", "0x10", "abc"] {
            assert_eq!(number(bad), Err(OptionError::InvalidNumber(bad)));
        }
        assert_eq!(err(&["-t", "abc"]), OptionError::InvalidNumber("abc"));
        assert_eq!(err(&["-u-3"]), OptionError::InvalidNumber("-3"));
    }

    #[test]
    fn errors() {
        assert_eq!(err(&["-z"]), OptionError::Unknown("z"));
        assert_eq!(err(&["-nä"]), OptionError::Unknown("ä"));
        assert_eq!(err(&["-€n"]), OptionError::Unknown("€"));
        assert_eq!(err(&["-n\u{1f600}"]), OptionError::Unknown("\u{1f600}"));
        assert_eq!(err(&["-i"]), OptionError::MissingValue("i"));
        assert_eq!(err(&["--foo"]), OptionError::UnknownLong("--foo"));
        assert!(err(&["-z"]).shows_usage());
        assert!(!err(&["-t", "x"]).shows_usage());
        assert_eq!(err(&["-t", "x"]).exit_code(), 1);
    }

    #[test]
    fn interface_names() {
        assert_eq!(run(&["-i", "abcdefghijklmno"]).iface, "abcdefghijklmno");
        for bad in ["abcdefghijklmnop", "", "a/b", ".", "..", "a b"] {
            assert_eq!(err(&["-i", bad]), OptionError::BadInterface(bad));
        }
    }

    #[test]
    fn poll_zero_needs_netlink() {
        assert_eq!(run(&["-t", "0"]).poll_secs, 0);
        assert_eq!(err(&["-P", "-t0"]), OptionError::PollZero);
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse(["--help"]), Ok(Command::Help));
        assert_eq!(parse(["-h"]), Ok(Command::Help));
        assert_eq!(parse(["-V"]), Ok(Command::Version));
        assert_eq!(parse(["-n", "--version"]), Ok(Command::Version));
    }

    #[test]
    fn error_texts() {
        let mut s = heapless::String::<64>::new();
        ufmt::uwrite!(s, "{}", OptionError::OutOfRange("9999999999")).unwrap();
        assert_eq!(s, "number 9999999999 is not in 0..2147483647 range");
        s.clear();
        ufmt::uwrite!(s, "{}", OptionError::UnknownApiMode("x")).unwrap();
        assert_eq!(s, "unknown API mode 'x'");
    }
}
