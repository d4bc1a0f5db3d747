//! The command line: errors, --version, --help. The binary exits before it
//! touches anything, but it still runs only inside a namespace.

mod common;
use common::*;
use std::process::Output;

fn run(tag: &str, args: &[&str]) -> Output {
    let lab = Lab::new(tag);
    lab.run_bin(args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit status 1, stderr = "ifplugd: ERROR\n" [+ usage], nothing on stdout.
fn refused(out: &Output, error: &str, usage: bool) {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let err = text(&out.stderr);
    let first = format!("ifplugd: {error}\n");
    assert!(
        err.starts_with(&first),
        "stderr {err:?} should start with {first:?}"
    );
    let rest = &err[first.len()..];
    if usage {
        assert!(
            rest.starts_with("Usage: ifplugd"),
            "no usage after the error: {err:?}"
        );
    } else {
        assert!(rest.is_empty(), "unexpected text after the error: {err:?}");
    }
}

#[test]
fn unknown_option_shows_usage() {
    // -y: neither BusyBox's nor 0.28's (-z is 0.28's --info).
    let out = run("opz", &["-n", "-i", "opz", "-y"]);
    refused(&out, "unrecognized option: y", true);
}

#[cfg(not(feature = "compat-options"))]
#[test]
fn unknown_long_option_shows_usage() {
    let out = run("oplong", &["--frobnicate"]);
    refused(&out, "unrecognized option: --frobnicate", true);
}

/// 0.28's glibc getopt_long: one line naming the argument, no usage.
#[cfg(feature = "compat-options")]
#[test]
fn unknown_or_ambiguous_long_option_is_one_line() {
    let out = run("oplong", &["--frobnicate=1"]);
    refused(&out, "unrecognized option '--frobnicate=1'", false);
    let out = run("opambig", &["-n", "--de", "3"]);
    refused(&out, "option '--de' is ambiguous", false);
    let out = run("oprefuse", &["--mon=1"]);
    refused(&out, "option '--monitor' doesn't allow an argument", false);
    let out = run("oplmiss", &["-n", "--iface"]);
    refused(&out, "option '--iface' requires an argument", false);
}

#[test]
fn missing_value_shows_usage() {
    let out = run("opmiss", &["-n", "-i"]);
    refused(&out, "option requires an argument: i", true);
}

#[test]
fn invalid_number() {
    let out = run("opnum", &["-n", "-i", "opnum", "-t", "abc"]);
    refused(&out, "invalid number 'abc'", false);
}

#[test]
fn negative_number() {
    let out = run("opneg", &["-n", "-i", "opneg", "-u", "-1"]);
    refused(&out, "invalid number '-1'", false);
}

#[test]
fn number_overflow() {
    let out = run("opover", &["-n", "-i", "opover", "-d", "2147483648"]);
    refused(
        &out,
        "number 2147483648 is not in 0..2147483647 range",
        false,
    );
}

/// The spec's prefix names the interface by then (it used to be
/// "ifplugd: " here, our reading, not the spec's transcript).
#[test]
fn unknown_api_mode() {
    let out = run("opmode", &["-n", "-i", "opmode", "-m", "zzz"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        "ifplugd(opmode): unknown API mode 'zzz'\n"
    );
}

#[test]
fn interface_name_over_15_bytes() {
    let out = run("opname", &["-n", "-i", "abcdefghijklmnop"]);
    refused(&out, "invalid interface name 'abcdefghijklmnop'", false);
}

#[test]
fn version_long_and_short() {
    let lab = Lab::new("opver");
    let mut flags = vec!["--version", "-V"];
    if cfg!(feature = "compat-options") {
        // 0.28's -v, and getopt_long's abbreviation.
        flags.extend(["-v", "--vers"]);
    }
    for flag in flags {
        let out = lab.run_bin(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert_eq!(
            text(&out.stdout),
            format!("ifplugd-rs {VERSION}\n"),
            "{flag}"
        );
        assert!(out.stderr.is_empty(), "{flag}: {out:?}");
    }
}

#[test]
fn help_long_and_short() {
    let lab = Lab::new("ophelp");
    let mut flags = vec!["--help", "-h"];
    if cfg!(feature = "compat-options") {
        flags.push("--he");
    }
    for flag in flags {
        let out = lab.run_bin(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        let usage = text(&out.stdout);
        assert!(usage.starts_with("Usage: ifplugd"), "{flag}: {usage:?}");
        let mut options = vec!["-n", "-M", "-k", "-P"];
        if cfg!(feature = "compat-options") {
            options.extend(["-i, --iface IFACE", "--pid-dir DIR", "-T, --poll-utime"]);
        } else {
            options.push("-i IFACE");
        }
        for option in options {
            assert!(
                usage.contains(option),
                "{flag}: {option} missing in {usage:?}"
            );
        }
        assert!(out.stderr.is_empty(), "{flag}: {out:?}");
    }
}
