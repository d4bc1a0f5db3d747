//! SIGTERM, SIGINT, SIGQUIT and SIGHUP, and a hung script at shutdown.

mod common;
use common::*;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A daemon on veth `name` whose link is up and whose up script has run.
fn up_daemon(lab: &Lab, name: &str, args: &[&str]) -> Daemon {
    lab.veth(name);
    lab.veth_carrier(name, true);
    let d = lab.start(name, args);
    d.wait_msg("exit code: 0");
    d
}

#[test]
fn sigterm_with_link_up_runs_down_script_and_exits_1() {
    let lab = Lab::new("sgterm");
    let mut d = up_daemon(&lab, "sgterm", &[]);
    assert_eq!(read_pid_file("sgterm"), Some(d.pid));
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
    let mut expected = startup("up");
    expected.extend(d.up_then_stopped());
    d.assert_msgs(&expected);
    assert!(!pid_file("sgterm").exists(), "pid file left behind");
}

#[test]
fn sigterm_with_q_runs_no_script() {
    let lab = Lab::new("sgq");
    let mut d = up_daemon(&lab, "sgq", &["-q"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up"]);
    let mut expected = startup("up");
    expected.extend([d.executing("up"), "exit code: 0".into(), "exiting".into()]);
    d.assert_msgs(&expected);
}

#[test]
fn sigint_acts_as_sigterm() {
    let lab = Lab::new("sgint");
    let mut d = up_daemon(&lab, "sgint", &[]);
    d.signal("INT");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
    assert_eq!(d.msgs().last().map(String::as_str), Some("exiting"));
}

#[test]
fn sigquit_exits_without_script() {
    let lab = Lab::new("sgquit");
    let mut d = up_daemon(&lab, "sgquit", &[]);
    d.signal("QUIT");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up"]);
    let mut expected = startup("up");
    expected.extend([d.executing("up"), "exit code: 0".into(), "exiting".into()]);
    d.assert_msgs(&expected);
    assert!(!pid_file("sgquit").exists(), "pid file left behind");
}

/// BusyBox ignores SIGHUP; with `ctl` it logs 0.28's status line (tests/ctl.rs):
/// in both, the daemon runs on and acts as before.
#[test]
fn sighup_changes_nothing() {
    let lab = Lab::new("sghup");
    let mut d = up_daemon(&lab, "sghup", &[]);
    d.signal("HUP");
    sleep(Duration::from_millis(300));
    assert!(d.running(), "SIGHUP stopped it{}", d.context());
    // Still following the link.
    lab.veth_carrier("sghup", false);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up error>up", "down up>down"]);
    d.signal("HUP");
    lab.veth_carrier("sghup", true);
    d.wait_msg_n("exit code: 0", 3);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn sigterm_with_link_down_runs_no_script() {
    let lab = Lab::new("sgdown");
    lab.veth("sgdown");
    let mut d = lab.start("sgdown", &[]);
    d.wait_msg("link is down");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&[]);
    let mut expected = startup("down");
    expected.push("exiting".into());
    d.assert_msgs(&expected);
}

#[test]
fn sigterm_while_down_delay_pending_runs_down_script() {
    // BusyBox: the link went down but its script is still owed.
    let lab = Lab::new("sgpend");
    let mut d = up_daemon(&lab, "sgpend", &["-d", "30"]);
    lab.veth_carrier("sgpend", false);
    d.wait_msg("link is down");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down down>error"]);
}

#[test]
fn sigterm_stops_a_hung_script_then_shuts_down() {
    let lab = Lab::new("sghang");
    lab.veth("sghang");
    lab.veth_carrier("sghang", true);
    lab.hang_script_once(1000);
    let mut d = lab.start("sghang", &[]);
    d.wait_calls(1);
    d.wait_msg(&d.executing("up"));
    let sent = Instant::now();
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let took = sent.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "took {took:?}{}",
        d.context()
    );
    d.assert_calls(&["up error>up", "down up>error"]);
    let mut expected = startup("up");
    expected.extend([
        d.executing("up"),
        "stopping script".into(),
        d.executing("down"),
        "exit code: 0".into(),
        "exiting".into(),
    ]);
    d.assert_msgs(&expected);
    assert!(!pid_file("sghang").exists(), "pid file left behind");
}

#[test]
fn sigquit_stops_a_hung_script_and_exits_without_script() {
    let lab = Lab::new("sghangq");
    lab.veth("sghangq");
    lab.veth_carrier("sghangq", true);
    lab.hang_script_once(1000);
    let mut d = lab.start("sghangq", &[]);
    d.wait_calls(1);
    d.wait_msg(&d.executing("up"));
    d.signal("QUIT");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up"]);
    let mut expected = startup("up");
    expected.extend([
        d.executing("up"),
        "stopping script".into(),
        "exiting".into(),
    ]);
    d.assert_msgs(&expected);
}

#[test]
fn script_ignoring_sigterm_is_killed_after_grace() {
    // A script that ignores SIGTERM gets SIGKILL after about a second.
    let lab = Lab::new("sgtrap");
    lab.veth("sgtrap");
    lab.veth_carrier("sgtrap", true);
    lab.set_hook("rm -f \"$d/hook\"\ntrap '' TERM\nexec sleep 1000 </dev/null >/dev/null 2>&1\n");
    let mut d = lab.start("sgtrap", &[]);
    d.wait_calls(1);
    d.wait_msg(&d.executing("up"));
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
    d.assert_order(&["stopping script", "exiting"]);
}

#[test]
fn sigterm_while_up_delay_pending_runs_down_script() {
    // BusyBox: the status is "up" (its script not yet run): down at exit.
    let lab = Lab::new("sguppend");
    lab.veth("sguppend");
    let mut d = lab.start("sguppend", &["-u", "30"]);
    d.wait_msg("link is down");
    lab.veth_carrier("sguppend", true);
    d.wait_msg("link is up");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["down up>error"]);
}
