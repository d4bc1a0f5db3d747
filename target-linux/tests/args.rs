//! Arguments as BusyBox takes them (issue 14): any bytes in `-r`, `-x` and
//! `-i`, no limits of our own on their length, BusyBox's order of the
//! start-up checks, `-A`, the whole environment for the script, and start-up
//! within BusyBox's descriptor budget.

mod common;
use common::*;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The spec names the interface in the prefix from right after option
/// parsing (L500), so the API mode is refused as `ifplugd(IFACE): `.
#[test]
fn unknown_api_mode_has_the_interface_prefix() {
    let lab = Lab::new("agmode");
    for (mode, line) in [
        ("bogus", "ifplugd(agmode): unknown API mode 'bogus'\n"),
        ("", "ifplugd(agmode): unknown API mode ''\n"),
    ] {
        let out = lab.run_bin(&["-n", "-s", "-i", "agmode", "-m", mode]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert_eq!(text(&out.stderr), line);
        assert!(out.stdout.is_empty());
    }
}

/// `-k` comes before the API mode check in the spec: it succeeds.
#[test]
fn kill_comes_before_the_api_mode_check() {
    let lab = Lab::new("agkill");
    let out = lab.run_bin(&["-k", "-i", "agkill", "-m", "bogus"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

/// ... and so does "daemon already running".
#[test]
fn already_running_comes_before_the_api_mode_check() {
    let lab = Lab::new("agrun");
    lab.veth("agrun");
    let mut d = lab.start("agrun", &[]);
    d.wait_msg("link is down");
    let out = lab.run_bin(&["-n", "-s", "-i", "agrun", "-m", "bogus"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        "ifplugd(agrun): daemon already running\n"
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// A Latin-1 script path and extra argument are passed on byte for byte
/// (ours refused any non-UTF-8 argument).
#[test]
fn script_path_and_extra_argument_in_latin1() {
    let lab = Lab::new("aglat");
    lab.veth("aglat");
    lab.veth_carrier("aglat", true);
    lab.set_hook("printf '%s' \"$3\" | od -An -tx1 | tr -d ' \\n' > \"$d/extra.hex\"\n");
    // "act\xe9.sh" -> the lab's script; the extra argument is "\xff\xe9".
    let link = format!("{}/act\\351.sh", lab.dir.display());
    let sh = format!(
        "ln -s '{script}' \"$(printf '{link}')\" && \
         exec \"$0\" -n -s -i aglat -t 1 -d 0 -r \"$(printf '{link}')\" -x \"$(printf '\\377\\351')\"",
        script = lab.script,
    );
    let mut d = lab.start_via("aglat", &["sh", "-c", &sh, BIN]);
    d.wait_msg("exit code: 0");
    // The action log holds the raw bytes: read it as bytes.
    let log = std::fs::read(lab.dir.join("actions.log")).unwrap_or_default();
    assert!(
        log.windows(15).any(|w| w == b"|3|aglat|up|\xff\xe9|"),
        "{}{}",
        text(&log),
        d.context()
    );
    let hex = std::fs::read_to_string(lab.dir.join("extra.hex")).unwrap_or_default();
    assert_eq!(hex, "ffe9", "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// Paths up to the kernel's PATH_MAX and extra arguments far beyond our old
/// 1023 bytes.
#[test]
fn long_script_path_and_extra_argument() {
    let lab = Lab::new("aglong");
    lab.veth("aglong");
    lab.veth_carrier("aglong", true);
    // Six 250-byte directories: a path of ~1,560 bytes.
    let mut dir = lab.dir.clone();
    for c in ['a', 'b', 'c', 'd', 'e', 'f'] {
        dir.push(c.to_string().repeat(250));
    }
    std::fs::create_dir_all(&dir).expect("create the long path");
    let script = dir.join("act.sh");
    std::os::unix::fs::symlink(&lab.script, &script).expect("link the script");
    let script = script.to_str().expect("UTF-8 path").to_owned();
    assert!(script.len() > 1500);
    let extra = "x".repeat(5000);
    lab.set_hook("printf '%s' \"$3\" | wc -c > \"$d/extra.len\"\n");
    let mut d = lab.start("aglong", &["-r", &script, "-x", &extra]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    let len = std::fs::read_to_string(lab.dir.join("extra.len")).unwrap_or_default();
    assert_eq!(len.trim(), "5000", "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// The script gets the whole environment (ours cut it to 256 entries),
/// with IFPLUGD_PREVIOUS/IFPLUGD_CURRENT replaced, not doubled.
#[test]
fn script_gets_the_whole_environment() {
    let lab = Lab::new("agenv");
    lab.veth("agenv");
    lab.veth_carrier("agenv", true);
    lab.set_hook("env > \"$d/env.txt\"\n");
    let vars: Vec<(String, String)> = (1..=300)
        .map(|i| (format!("V{i}"), format!("value{i}")))
        .chain([
            ("LASTVAR".to_owned(), "present".to_owned()),
            ("IFPLUGD_CURRENT".to_owned(), "stale".to_owned()),
        ])
        .collect();
    let env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let mut d = lab.start_env("agenv", &[], &env);
    d.wait_msg("exit code: 0");
    let seen = std::fs::read_to_string(lab.dir.join("env.txt")).unwrap_or_default();
    let has = |line: &str| seen.lines().any(|l| l == line);
    for i in 1..=300 {
        assert!(
            has(&format!("V{i}=value{i}")),
            "V{i} missing{}",
            d.context()
        );
    }
    assert!(has("LASTVAR=present"), "LASTVAR missing");
    assert!(seen.lines().any(|l| l.starts_with("PATH=")), "PATH missing");
    assert!(has("IFPLUGD_CURRENT=up") && has("IFPLUGD_PREVIOUS=error"));
    assert_eq!(
        seen.lines()
            .filter(|l| l.starts_with("IFPLUGD_CURRENT="))
            .count(),
        1
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// BusyBox 1.36's `-A` is accepted; with `-a` too nothing ups the
/// interface.
#[test]
fn busybox_136_dash_capital_a() {
    let lab = Lab::new("agcapa");
    lab.veth("agcapa");
    let mut d = lab.start("agcapa", &["-A", "-a"]);
    d.wait_msg("link is down");
    assert!(!lab.admin_up("agcapa"), "-a -A upped it{}", d.context());
    assert_eq!(d.count("upping interface"), 0);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    // -A alone still ups it at the probe, as -a is off.
    let mut d = lab.start("agcapa", &["-A"]);
    d.wait_msg("link is down");
    assert!(lab.admin_up("agcapa"), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// Five descriptors suffice (0-2, the signalfd and one socket), as for
/// BusyBox's `-M`; ours needed six ("netlink: EMFILE"). The script is
/// `touch` (a shell cannot run a script in 5 descriptors): it leaves a file
/// named after each action in the daemon's directory.
#[test]
fn starts_with_five_descriptors() {
    let lab = Lab::new("agfd");
    lab.veth("agfd");
    lab.veth_carrier("agfd", true);
    let dir = lab.dir.join("touched");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let dir = dir.to_str().expect("UTF-8").to_owned();
    // Without what the test harness inherited (cargo's jobserver pipe).
    let close = "import os, sys; os.closerange(3, 65536); os.execvp(sys.argv[1], sys.argv[1:])";
    let mut args = lab.default_args("agfd");
    let script = args.iter().position(|a| a == "-r").expect("-r") + 1;
    args[script] = "/usr/bin/touch".to_owned();
    let mut argv = vec!["sh", "-c", "cd \"$0\" && exec \"$@\"", &dir];
    argv.extend(["python3", "-c", close, "prlimit", "--nofile=5", BIN]);
    argv.extend(args.iter().map(String::as_str));
    let mut d = lab.start_via("agfd", &argv);
    d.wait_msg("exit code: 0");
    assert!(
        std::path::Path::new(&dir).join("up").exists(),
        "{}",
        d.context()
    );
    lab.veth_carrier("agfd", false);
    d.wait_msg_n("exit code: 0", 2);
    assert!(
        std::path::Path::new(&dir).join("down").exists(),
        "{}",
        d.context()
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}
