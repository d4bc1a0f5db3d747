//! Arbitrary command lines: the input split on NUL bytes into arguments,
//! C strings of any bytes, as the shim's argv is.
//!
//! Asserted, besides "no panic":
//! - `Run(o)`: `o.iface` is 1..=15 bytes, no '/' or ASCII white space,
//!   not "." or ".."; `-t`/`-u`/`-d` are at most NUMBER_MAX; `-P` never
//!   comes with `-t 0`; every text option is the tail of an argument;
//! - `Err(e)`: its text renders whole into a large line, is not empty, and
//!   rendering into small lines fails cleanly with a prefix of the same
//!   text; the text it names is a piece of an argument; the exit code is 1;
//! - parsing is a function of the arguments: the same line twice gives the
//!   same answer.
#![no_main]

use ifplugd_core::messages::Line;
use ifplugd_core::options::{self, Command, OptionError, IFNAME_MAX, NUMBER_MAX};
use libfuzzer_sys::fuzz_target;
use std::ffi::{CStr, CString};

fn piece_of_an_arg(args: &[CString], s: &[u8]) -> bool {
    args.iter()
        .any(|a| s.is_empty() || a.as_bytes().windows(s.len()).any(|w| w == s))
}

fn tail_of_an_arg(args: &[CString], s: &CStr) -> bool {
    args.iter().any(|a| a.as_bytes().ends_with(s.to_bytes()))
}

fn render<const N: usize>(e: &OptionError<'_>, full: &[u8]) {
    let mut small = Line::<N>::new();
    match e.write(&mut small) {
        Ok(()) => assert_eq!(small.as_bytes(), full),
        Err(_) => assert!(full.starts_with(small.as_bytes()) && full.len() > N),
    }
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<CString> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0)
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
            assert!(!(o.poll_only && o.poll_secs == 0), "-P with -t 0");
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
            e.write(&mut w).expect("fits");
            let text = w.as_bytes();
            assert!(!text.is_empty());
            render::<8>(&e, text);
            render::<32>(&e, text);
            render::<128>(&e, text);
            let names = |s: &[u8]| text.windows(s.len().max(1)).any(|w| w == s) || s.is_empty();
            match e {
                OptionError::UnknownLong(s)
                | OptionError::InvalidNumber(s)
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
                        matches!(c, b"i" | b"r" | b"t" | b"u" | b"d" | b"m" | b"x"),
                        "{e:?}"
                    );
                    assert!(e.shows_usage());
                }
                OptionError::PollZero => {}
            }
        }
    }
});
