//! Arbitrary command lines: the input split on NUL bytes into arguments
//! (lossy UTF-8, as the shim's argv would be once made `&str`).
//!
//! Asserted, besides "no panic":
//! - `Run(o)`: `o.iface` is 1..=15 bytes, no '/', NUL or ASCII white space,
//!   not "." or ".."; `-t`/`-u`/`-d` are at most NUMBER_MAX; `-P` never
//!   comes with `-t 0`; every text option is a piece of an argument;
//! - `Err(e)`: its text (ufmt, `Display`) renders whole into a growable
//!   writer, is not empty, and rendering into small fixed buffers fails
//!   cleanly or gives a prefix of the same text; the text it names is a
//!   piece of an argument; the exit code is 1;
//! - parsing is a function of the arguments: the same line twice gives the
//!   same answer.
#![no_main]

use ifplugd_core::options::{self, Command, OptionError, IFNAME_MAX, NUMBER_MAX};
use libfuzzer_sys::fuzz_target;
use ufmt::uWrite;

/// A `Vec`-backed ufmt writer.
struct VecWriter(Vec<u8>);

impl uWrite for VecWriter {
    type Error = core::convert::Infallible;
    fn write_str(&mut self, s: &str) -> Result<(), Self::Error> {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn piece_of_an_arg(args: &[String], s: &str) -> bool {
    args.iter().any(|a| a.contains(s))
}

fn render<const N: usize>(e: &OptionError<'_>, full: &str) {
    let mut small = heapless::String::<N>::new();
    match ufmt::uwrite!(small, "{}", e) {
        Ok(()) => assert_eq!(small.as_str(), full),
        Err(_) => assert!(full.starts_with(small.as_str()) && full.len() > N),
    }
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<String> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    };
    let r = options::parse(args.iter().map(String::as_str));
    assert_eq!(
        r,
        options::parse(args.iter().map(String::as_str)),
        "not a function"
    );
    match r {
        Ok(Command::Run(o)) => {
            let name = o.iface;
            assert!(
                !name.is_empty() && name.len() <= IFNAME_MAX,
                "iface {name:?}"
            );
            assert!(
                !name
                    .bytes()
                    .any(|b| b == b'/' || b == 0 || b.is_ascii_whitespace()),
                "iface {name:?}"
            );
            assert!(name != "." && name != "..", "iface {name:?}");
            assert!(
                o.poll_secs <= NUMBER_MAX && o.delay_up <= NUMBER_MAX && o.delay_down <= NUMBER_MAX
            );
            assert!(!(o.poll_only && o.poll_secs == 0), "-P with -t 0");
            let defaults = options::Options::default();
            if name != defaults.iface {
                assert!(piece_of_an_arg(&args, name), "iface {name:?} from nowhere");
            }
            if o.script != defaults.script {
                assert!(piece_of_an_arg(&args, o.script), "script from nowhere");
            }
            if let Some(x) = o.extra_arg {
                assert!(piece_of_an_arg(&args, x), "-x from nowhere");
            }
        }
        Ok(Command::Help) | Ok(Command::Version) => {}
        Err(e) => {
            assert_eq!(e.exit_code(), 1);
            let mut w = VecWriter(Vec::new());
            let Ok(()) = ufmt::uwrite!(w, "{}", e);
            let text = String::from_utf8(w.0).expect("ufmt writes UTF-8");
            assert!(!text.is_empty());
            render::<8>(&e, &text);
            render::<32>(&e, &text);
            render::<128>(&e, &text);
            match e {
                OptionError::UnknownLong(s)
                | OptionError::InvalidNumber(s)
                | OptionError::OutOfRange(s)
                | OptionError::UnknownApiMode(s)
                | OptionError::BadInterface(s) => {
                    assert!(piece_of_an_arg(&args, s), "{e:?} names text from nowhere");
                    assert!(text.contains(s), "{text:?} does not name {s:?}");
                }
                OptionError::Unknown(c) => {
                    assert_eq!(c.chars().count(), 1, "{e:?} names one letter");
                    assert!(piece_of_an_arg(&args, c), "{e:?}");
                    assert!(e.shows_usage());
                }
                OptionError::MissingValue(c) => {
                    assert!(
                        matches!(c, "i" | "r" | "t" | "u" | "d" | "m" | "x"),
                        "{e:?}"
                    );
                    assert!(e.shows_usage());
                }
                OptionError::PollZero => {}
            }
        }
    }
});
