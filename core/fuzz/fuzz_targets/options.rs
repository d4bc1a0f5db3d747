//! Arbitrary command lines: the input split on NUL bytes into arguments,
//! C strings of any bytes, as the shim's argv is.
//!
//! Asserted, besides "no panic":
//! - `Run(o)`: `o.iface` is 1..=15 bytes, no '/' or ASCII white space,
//!   not "." or ".."; `-t`/`-u`/`-d` are at most NUMBER_MAX; `-P` never
//!   comes without a poll period; every text option is the tail of an argument;
//! - `Err(e)`: its text renders whole into a large line, is not empty, and
//!   a small line holds a prefix of the same text, full; the text it names
//!   is a piece of an argument; the exit code is 1;
//! - parsing is a function of the arguments: the same line twice gives the
//!   same answer;
//! - long options (`compat-options`): a first argument `--name` that the
//!   parser takes is a long name or the start of exactly one; an unknown
//!   one starts none, an ambiguous one two or more (and none exactly); a
//!   refused or missing value names a real name; all are one line;
//!   the pid file's directory is absolute, at most DIR_MAX bytes, the tail
//!   of an argument unless the default, and `pidfile::path` of it and each
//!   interface fits; `-T` is at most NUMBER_MAX and the poll period is
//!   never 0 with `-P`.
//!
//! Arguments are rewritten first, so that abbreviations, exact names,
//! `=VALUE` and ambiguity are reached without a dictionary: one starting
//! with byte 0x01 becomes "--", the long name its next byte picks, cut to
//! the length its third byte picks, then the rest; one starting with 0x02
//! loses that byte (and is otherwise as it came).
#![no_main]

use ifplugd_core::messages::Line;
use ifplugd_core::options::{self, Command, OptionError, IFNAME_MAX, NUMBER_MAX};
use ifplugd_core::pidfile;
use libfuzzer_sys::fuzz_target;
use std::ffi::{CStr, CString};

fn piece_of_an_arg(args: &[CString], s: &[u8]) -> bool {
    args.iter()
        .any(|a| s.is_empty() || a.as_bytes().windows(s.len()).any(|w| w == s))
}

fn tail_of_an_arg(args: &[CString], s: &CStr) -> bool {
    args.iter().any(|a| a.as_bytes().ends_with(s.to_bytes()))
}

fn tail_of_an_arg_bytes(args: &[CString], s: &[u8]) -> bool {
    args.iter().any(|a| a.as_bytes().ends_with(s))
}

/// A line too small for the text holds its start, cut where it filled up
/// (writing to a Line never fails: it cuts).
fn render<const N: usize>(e: &OptionError<'_>, full: &[u8]) {
    let mut small = Line::<N>::new();
    let Ok(()) = e.write(&mut small);
    if full.len() <= N {
        assert_eq!(small.as_bytes(), full);
    } else {
        assert!(small.is_full() && full.starts_with(small.as_bytes()));
    }
}

/// 0.28's long names and ours, for the rewriting above.
const NAMES: [&str; 31] = [
    "no-auto",
    "no-daemon",
    "no-syslog",
    "no-beep",
    "no-beep-up",
    "no-beep-down",
    "ignore-fail",
    "ignore-fail-positive",
    "ignore-retval",
    "iface",
    "run",
    "poll-time",
    "poll-utime",
    "delay-up",
    "delay-down",
    "api-mode",
    "wait-on-fork",
    "wait-on-kill",
    "no-startup",
    "no-shutdown",
    "help",
    "kill",
    "check-running",
    "version",
    "extra-arg",
    "suspend",
    "resume",
    "info",
    "initial-down",
    "monitor",
    "pid-dir",
];

/// The rewriting described at the top.
fn rewrite(arg: &[u8]) -> Vec<u8> {
    match arg {
        [1, pick, rest @ ..] => {
            let name = NAMES[usize::from(*pick) % NAMES.len()].as_bytes();
            let (len, rest) = match rest {
                [len, rest @ ..] => (usize::from(*len) % (name.len() + 1), rest),
                [] => (name.len(), rest),
            };
            [&b"--"[..], &name[..len], rest].concat()
        }
        [2, rest @ ..] => rest.to_vec(),
        _ => arg.to_vec(),
    }
}

fn names_starting(given: &[u8]) -> usize {
    NAMES
        .iter()
        .filter(|n| n.as_bytes().starts_with(given))
        .count()
}

/// The part of a long option between "--" and the first "=".
fn long_name(arg: &[u8]) -> &[u8] {
    let body = &arg[2..];
    body.split(|&b| b == b'=').next().unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<CString> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0)
            .map(rewrite)
            .map(|a| CString::new(a).expect("split on NUL"))
            .collect()
    };
    let r = options::parse(args.iter().map(CString::as_c_str));
    assert_eq!(
        r,
        options::parse(args.iter().map(CString::as_c_str)),
        "not a function"
    );
    match r {
        Ok(Command::Run(o)) => {
            assert!(!o.ifaces.is_empty(), "no interface");
            for iface in &o.ifaces {
                let name = iface.to_bytes();
                assert!(
                    !name.is_empty() && name.len() <= IFNAME_MAX,
                    "iface {name:?}"
                );
                assert!(
                    !name.iter().any(|&b| b == b'/' || b.is_ascii_whitespace()),
                    "iface {name:?}"
                );
                assert!(name != b"." && name != b"..", "iface {name:?}");
            }
            assert!(
                o.poll_secs <= NUMBER_MAX && o.delay_up <= NUMBER_MAX && o.delay_down <= NUMBER_MAX
            );
            assert!(o.poll_usecs <= NUMBER_MAX);
            assert!(!(o.poll_only && o.poll_millis() == 0), "-P with no period");
            // The period is at least -t's, up to the longest wait.
            let secs = u64::from(o.poll_secs) * 1000;
            let max = ifplugd_core::delay::MAX_WAIT;
            assert!(u64::from(o.poll_millis()) >= secs.min(u64::from(max)));
            assert!(o.poll_millis() <= max);
            let dir = o.pid_dir();
            assert!(dir.to_bytes().starts_with(b"/"), "pid dir {dir:?}");
            assert!(dir.to_bytes().len() <= pidfile::DIR_MAX, "pid dir {dir:?}");
            if dir != pidfile::DEFAULT_DIR {
                assert!(tail_of_an_arg(&args, dir), "pid dir from nowhere");
            }
            for iface in &o.ifaces {
                assert!(
                    pidfile::path(dir.to_bytes(), iface.to_bytes()).is_some(),
                    "no pid file path for {dir:?} {iface:?}"
                );
            }
            // The first argument is read as an option: if it is a long
            // one, it was a name or the start of just one.
            if let Some(first) = args.first().map(|a| a.as_bytes()) {
                if first.starts_with(b"--") && first != b"--" {
                    let given = long_name(first);
                    assert!(
                        NAMES.iter().any(|n| n.as_bytes() == given) || names_starting(given) == 1,
                        "{first:?} taken"
                    );
                }
            }
            let defaults = options::Options::default();
            for &iface in &o.ifaces {
                if iface != c"eth0" {
                    assert!(tail_of_an_arg(&args, iface), "iface {iface:?} from nowhere");
                }
            }
            if o.script != defaults.script {
                assert!(tail_of_an_arg(&args, o.script), "script from nowhere");
            }
            if let Some(x) = o.extra_arg {
                assert!(tail_of_an_arg(&args, x), "-x from nowhere");
            }
            if let Some(m) = o.unknown_api_mode {
                assert!(piece_of_an_arg(&args, m), "-m from nowhere");
            }
        }
        Ok(Command::Help) | Ok(Command::Version) => {}
        Err(e) => {
            assert_eq!(e.exit_code(), 1);
            let mut w = Line::<{ 1 << 17 }>::new();
            let Ok(()) = e.write(&mut w);
            assert!(!w.is_full(), "an error text of 128 KiB");
            let text = w.as_bytes();
            assert!(!text.is_empty());
            render::<8>(&e, text);
            render::<32>(&e, text);
            render::<128>(&e, text);
            let names = |s: &[u8]| text.windows(s.len().max(1)).any(|w| w == s) || s.is_empty();
            match e {
                OptionError::InvalidNumber(s)
                | OptionError::OutOfRange(s)
                | OptionError::BadInterface(s) => {
                    assert!(piece_of_an_arg(&args, s), "{e:?} names text from nowhere");
                    assert!(names(s), "{text:?} does not name {s:?}");
                }
                OptionError::Unknown(c) => {
                    assert!((1..=4).contains(&c.len()), "{e:?} names one letter");
                    assert!(piece_of_an_arg(&args, c), "{e:?}");
                    assert!(e.shows_usage());
                }
                OptionError::MissingValue(c) => {
                    assert!(
                        matches!(c, b"i" | b"r" | b"t" | b"T" | b"u" | b"d" | b"m" | b"x"),
                        "{e:?}"
                    );
                    assert!(e.shows_usage());
                }
                OptionError::PollZero => {}
                // More -i than the build takes (8 with multi, 1 never
                // overflows: the last one wins).
                OptionError::TooManyInterfaces => {
                    let dash_i = args
                        .iter()
                        .filter(|a| a.as_bytes().starts_with(b"-"))
                        .count();
                    assert!(dash_i > options::MAX_IFACE_ARGS, "{e:?}");
                }
                OptionError::UnknownLong(s) | OptionError::AmbiguousLong(s) => {
                    assert!(s.starts_with(b"--") && s.len() > 2, "{e:?}");
                    assert!(
                        args.iter().any(|a| a.as_bytes() == s),
                        "{e:?} is no argument"
                    );
                    assert!(names(s), "{text:?} does not name {s:?}");
                    assert!(!e.shows_usage(), "one line");
                    let given = long_name(s);
                    let n = names_starting(given);
                    if matches!(e, OptionError::UnknownLong(_)) {
                        assert_eq!(n, 0, "{e:?}: some name starts so");
                    } else {
                        assert!(
                            n >= 2 && !NAMES.iter().any(|x| x.as_bytes() == given),
                            "{e:?}"
                        );
                    }
                }
                OptionError::LongMissingValue(n) | OptionError::LongValueRefused(n) => {
                    assert!(NAMES.iter().any(|x| x.as_bytes() == n), "{e:?}");
                    assert!(names(n), "{text:?} does not name {n:?}");
                    assert!(!e.shows_usage(), "one line");
                    assert!(
                        args.iter().any(|a| {
                            let a = a.as_bytes();
                            a.len() > 2 && a.starts_with(b"--") && n.starts_with(long_name(a))
                        }),
                        "{e:?} from nowhere"
                    );
                }
                OptionError::BadPidDir(s) => {
                    assert!(!s.starts_with(b"/") || s.len() > pidfile::DIR_MAX, "{e:?}");
                    assert!(tail_of_an_arg_bytes(&args, s), "{e:?} from nowhere");
                }
            }
        }
    }
});
