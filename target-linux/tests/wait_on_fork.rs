//! `-w` (ifplugd 0.28's `--wait-on-fork`, feature `wait-on-fork`): without
//! `-n` the parent returns only once the daemon has done its first link
//! check and start-up script, with 0.28's exit status: 2 link, 3 no link,
//! 255 when the daemon died first. Each case runs Debian's 0.28
//! (/usr/sbin/ifplugd, `apt-get install ifplugd`) beside ours in the same
//! namespace, on an interface of its own, and pins the same status.
#![cfg(feature = "wait-on-fork")]

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

/// Debian's 0.28.
fn reference() -> &'static str {
    debian_028()
}

/// Runs `BIN -w -s -i IFACE -r SCRIPT -d 0 ARGS` (no -n) in the namespace
/// to its end; returns the parent's exit status and the calls the script
/// had recorded by then.
fn wait_on_fork(lab: &Lab, bin: &str, iface: &str, args: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &lab.ns, bin, "-w", "-s", "-i", iface])
        .args(["-r", &lab.script, "-d", "0"])
        .args(args);
    let out = output_within(c, Duration::from_secs(20));
    let calls = lab
        .calls()
        .iter()
        .filter(|c| c.args[0] == iface)
        .map(Call::brief)
        .collect();
    (out.status.code(), calls)
}

/// Stops a background daemon by its pid file, and waits for it.
fn stop(iface: &str) {
    if let Some(pid) = read_pid_file(iface) {
        send_signal(pid, "KILL");
        wait_until(|| format!("{iface}'s daemon to go"), || !alive(pid));
    }
    let _ = std::fs::remove_file(pid_file(iface));
}

#[test]
fn link_up_is_2_after_the_up_script() {
    let lab = Lab::new("wfup");
    for iface in ["wfup", "wfup8"] {
        lab.veth(iface);
        lab.veth_carrier(iface, true);
    }
    let ours = wait_on_fork(&lab, BIN, "wfup", &[]);
    stop("wfup");
    let theirs = wait_on_fork(&lab, reference(), "wfup8", &[]);
    stop("wfup8");
    // 0.28: `status == IFSTATUS_UP ? 2`, sent after action(status) ran.
    assert_eq!(theirs.0, Some(2), "0.28: {theirs:?}");
    assert_eq!(ours.0, Some(2), "ours: {ours:?}");
    assert_eq!(
        theirs.1.len(),
        1,
        "0.28 ran the up script first: {theirs:?}"
    );
    assert_eq!(
        ours.1,
        ["up error>up"],
        "the up script ran before the parent returned"
    );
}

#[test]
fn no_link_is_3() {
    let lab = Lab::new("wfdn");
    for iface in ["wfdn", "wfdn8"] {
        lab.veth(iface);
    }
    let ours = wait_on_fork(&lab, BIN, "wfdn", &[]);
    stop("wfdn");
    let theirs = wait_on_fork(&lab, reference(), "wfdn8", &[]);
    stop("wfdn8");
    // 0.28: `IFSTATUS_DOWN ? 3`; no script at start-up without -l.
    assert_eq!(theirs.0, Some(3), "0.28: {theirs:?}");
    assert_eq!(ours.0, Some(3), "ours: {ours:?}");
    assert!(ours.1.is_empty(), "{ours:?}");
}

#[test]
fn a_daemon_that_dies_at_start_up_is_255() {
    let lab = Lab::new("wfno");
    // No such interface, no -M: both daemons give up at the first check.
    let ours = wait_on_fork(&lab, BIN, "wfno", &[]);
    let theirs = wait_on_fork(&lab, reference(), "wfno8", &[]);
    stop("wfno");
    stop("wfno8");
    // 0.28: `goto finish` sends 255 (daemon_retval_send(255)).
    assert_eq!(theirs.0, Some(255), "0.28: {theirs:?}");
    assert_eq!(ours.0, Some(255), "ours: {ours:?}");
}

#[test]
fn without_w_the_parent_returns_0_at_once() {
    let lab = Lab::new("wfnw");
    lab.veth("wfnw");
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &lab.ns, BIN, "-s", "-i", "wfnw"])
        .args(["-r", &lab.script]);
    let out = output_within(c, Duration::from_secs(20));
    stop("wfnw");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
