//! The action script: its arguments and environment, failures, `-I`, `-x`.

mod common;
use common::*;

/// A veth `name` with its link up.
fn up_link(lab: &Lab, name: &str) {
    lab.veth(name);
    lab.veth_carrier(name, true);
}

#[test]
fn missing_script_exits_with_255() {
    let lab = Lab::new("scmiss");
    up_link(&lab, "scmiss");
    let script = "/nonexistent/ifplugd.action";
    let mut d = lab.start("scmiss", &["-r", script]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend([
        format!("executing '{script} scmiss up'"),
        format!("can't execute '{script}': No such file or directory"),
        "exit code: 255".into(),
        "exiting".into(),
    ]);
    d.assert_msgs(&expected);
    assert!(!pid_file("scmiss").exists(), "pid file left behind");
}

#[test]
fn script_that_is_not_executable_exits_with_255() {
    let lab = Lab::new("scperm");
    up_link(&lab, "scperm");
    let script = lab.dir.join("plain.sh");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    let script = script.to_str().unwrap();
    let mut d = lab.start("scperm", &["-r", script]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_order(&[
        format!("executing '{script} scperm up'"),
        format!("can't execute '{script}': Permission denied"),
        "exit code: 255".into(),
        "exiting".into(),
    ]);
}

#[test]
fn script_exiting_1_stops_the_daemon() {
    let lab = Lab::new("scfail");
    up_link(&lab, "scfail");
    lab.set_hook("exit 1\n");
    let mut d = lab.start("scfail", &[]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend([d.executing("up"), "exit code: 1".into(), "exiting".into()]);
    d.assert_msgs(&expected);
    // Exiting over a failed script runs no down script.
    d.assert_calls(&["up error>up"]);
    assert!(!pid_file("scfail").exists(), "pid file left behind");
}

#[test]
fn script_exiting_1_with_ignore_retval_keeps_running() {
    let lab = Lab::new("scign");
    up_link(&lab, "scign");
    lab.set_hook("exit 1\n");
    let mut d = lab.start("scign", &["-I"]);
    d.wait_msg("exit code: 1");
    lab.veth_carrier("scign", false);
    d.wait_msg_n("exit code: 1", 2);
    assert!(d.running(), "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down"]);
    lab.veth_carrier("scign", true);
    d.wait_msg_n("exit code: 1", 3);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
    assert_eq!(d.count("exit code: 1"), 4, "{}", d.context());
}

#[test]
fn script_killed_by_a_signal_stops_the_daemon() {
    let lab = Lab::new("sckill");
    up_link(&lab, "sckill");
    lab.set_hook("kill -KILL $$\n");
    let mut d = lab.start("sckill", &[]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend([
        d.executing("up"),
        "script killed by signal 9".into(),
        "exit code: 137".into(),
        "exiting".into(),
    ]);
    d.assert_msgs(&expected);
}

#[test]
fn extra_argument_reaches_the_script_as_fourth_argument() {
    let lab = Lab::new("scextra");
    up_link(&lab, "scextra");
    let mut d = lab.start("scextra", &["-x", "extra arg"]);
    d.wait_msg("exit code: 0");
    // The logged line names only three words, as BusyBox's.
    d.assert_order(&[d.executing("up")]);
    lab.veth_carrier("scextra", false);
    d.wait_msg_n("exit code: 0", 2);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let calls = d.calls();
    assert_eq!(calls.len(), 2, "{}", d.context());
    for (call, action) in calls.iter().zip(["up", "down"]) {
        assert_eq!(call.argc, 3, "{}", d.context());
        assert_eq!(
            call.args,
            ["scextra", action, "extra arg", ""].map(String::from)
        );
    }
}

#[test]
fn script_gets_the_daemon_environment_with_ours_replaced() {
    let lab = Lab::new("scenv");
    up_link(&lab, "scenv");
    lab.set_hook("printf '%s\\n' \"$IFPLUGD_TEST_VAR\" \"$(env | grep -c '^IFPLUGD_PREVIOUS=')\" > \"$d/env\"\n");
    let env = [
        ("IFPLUGD_TEST_VAR", "kept"),
        ("IFPLUGD_PREVIOUS", "bogus"),
        ("IFPLUGD_CURRENT", "bogus"),
    ];
    let mut d = lab.start_env("scenv", &[], &env);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    let seen = std::fs::read_to_string(lab.dir.join("env")).unwrap();
    assert_eq!(seen, "kept\n1\n", "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
}

#[test]
fn failing_down_script_at_shutdown_still_exits_1() {
    let lab = Lab::new("scsd");
    up_link(&lab, "scsd");
    let mut d = lab.start("scsd", &[]);
    d.wait_msg("exit code: 0");
    lab.set_hook("exit 3\n");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend([
        d.executing("up"),
        "exit code: 0".into(),
        d.executing("down"),
        "exit code: 3".into(),
        "exiting".into(),
    ]);
    d.assert_msgs(&expected);
}

#[test]
fn script_gets_no_daemon_descriptor_and_no_blocked_signal() {
    let lab = Lab::new("scfds");
    up_link(&lab, "scfds");
    lab.set_hook(
        "ls -l /proc/$$/fd/ > \"$d/fds\" 2>&1\n\
         while read -r k v; do case $k in Sig[BI]*) printf '%s\\t%s\\n' \"$k\" \"$v\";; esac; done < /proc/$$/status > \"$d/sigs\"\n",
    );
    let mut d = lab.start("scfds", &[]);
    d.wait_msg("exit code: 0");
    let fds = std::fs::read_to_string(lab.dir.join("fds")).unwrap();
    for leak in ["socket:", "signalfd", "pidfd", "anon_inode"] {
        assert!(!fds.contains(leak), "the script inherited {leak}:\n{fds}");
    }
    let sigs = std::fs::read_to_string(lab.dir.join("sigs")).unwrap();
    assert!(
        sigs.contains("SigBlk:\t0000000000000000"),
        "the script runs with signals blocked:\n{sigs}"
    );
    // glibc's posix_spawn leaves its two internal signals (32 and 33,
    // which glibc's start-up handles again anyway) ignored: allowed.
    let ignored = sigs
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:\t"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .expect("SigIgn");
    assert_eq!(
        ignored & !0x1_8000_0000,
        0,
        "the script runs with signals ignored:\n{sigs}"
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// Where the tests' own tools (`ip`, `sh`) are, after a test's directories.
const SYSTEM_PATH: &str = ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `-r NAME` without a '/': searched on the daemon's PATH as execvp does,
/// past a directory that does not exist and a file that is not executable.
#[test]
fn script_named_without_a_slash_is_searched_on_path() {
    let lab = Lab::new("scpath");
    up_link(&lab, "scpath");
    let (denied, missing, found) = (lab.dir.join("a"), lab.dir.join("b"), lab.dir.join("c"));
    std::fs::create_dir_all(&denied).unwrap();
    std::fs::create_dir_all(&found).unwrap();
    std::fs::write(denied.join("ifplugd-test-act"), "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::copy(&lab.script, found.join("ifplugd-test-act")).unwrap();
    // The system's directories last: `ip` is found on this PATH too.
    let path = [&denied, &missing, &found]
        .map(|p| p.to_str().unwrap().to_owned())
        .join(":")
        + SYSTEM_PATH;
    let mut d = lab.start_env("scpath", &["-r", "ifplugd-test-act"], &[("PATH", &path)]);
    d.wait_msg("exit code: 0");
    d.assert_order(&["executing 'ifplugd-test-act scpath up'"]);
    d.assert_calls(&["up error>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// Not found on PATH: ENOENT; found only without execute permission:
/// EACCES, as execvp reports them.
#[test]
fn script_not_found_on_path_says_why() {
    let lab = Lab::new("scnopath");
    up_link(&lab, "scnopath");
    let denied = lab.dir.join("a");
    std::fs::create_dir_all(&denied).unwrap();
    std::fs::write(denied.join("ifplugd-test-act"), "#!/bin/sh\nexit 0\n").unwrap();
    for (path, why) in [
        (lab.dir.join("none"), "No such file or directory"),
        (denied, "Permission denied"),
    ] {
        let path = format!("{}{SYSTEM_PATH}", path.to_str().unwrap());
        let mut d = lab.start_env("scnopath", &["-r", "ifplugd-test-act"], &[("PATH", &path)]);
        assert_eq!(d.wait_exit(), 1, "{}", d.context());
        d.assert_order(&[
            "executing 'ifplugd-test-act scnopath up'".to_owned(),
            format!("can't execute 'ifplugd-test-act': {why}"),
            "exit code: 255".to_owned(),
        ]);
    }
}
