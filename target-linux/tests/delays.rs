//! `-u` and `-d`: a change must outlast its delay before the script runs.

mod common;
use common::*;
use std::thread::sleep;
use std::time::Duration;

#[test]
fn up_flap_shorter_than_up_delay_runs_no_script() {
    let lab = Lab::new("dlupf");
    lab.veth("dlupf");
    let mut d = lab.start("dlupf", &["-u", "2"]);
    d.wait_msg("link is down");
    lab.veth_carrier("dlupf", true);
    d.wait_msg("link is up");
    lab.veth_carrier("dlupf", false);
    d.wait_msg_n("link is down", 2);
    // Past the 2 s the up would have needed.
    sleep(Duration::from_millis(2500));
    d.assert_calls(&[]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&[]);
    let mut expected = startup("down");
    expected.extend(["link is up", "link is down", "exiting"].map(String::from));
    d.assert_msgs(&expected);
}

#[test]
fn up_longer_than_up_delay_runs_script_after_the_delay() {
    let lab = Lab::new("dlupl");
    lab.veth("dlupl");
    let mut d = lab.start("dlupl", &["-u", "2"]);
    d.wait_msg("link is down");
    lab.veth_carrier("dlupl", true);
    let up = d.wait_msg("link is up");
    let calls = d.wait_calls(1);
    d.assert_calls(&["up down>up"]);
    // Not before the delay (a wide margin for a loaded machine).
    let waited = calls[0].ms.saturating_sub(d.msg_time(up));
    assert!(
        waited >= 1000,
        "ran {waited} ms after the up{}",
        d.context()
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>error"]);
}

#[test]
fn down_flap_shorter_than_down_delay_runs_no_script() {
    let lab = Lab::new("dldnf");
    lab.veth("dldnf");
    lab.veth_carrier("dldnf", true);
    let mut d = lab.start("dldnf", &["-d", "2"]);
    d.wait_msg("exit code: 0");
    lab.veth_carrier("dldnf", false);
    d.wait_msg("link is down");
    lab.veth_carrier("dldnf", true);
    d.wait_msg_n("link is up", 2);
    sleep(Duration::from_millis(2500));
    d.assert_calls(&["up error>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
}

#[test]
fn down_longer_than_down_delay_runs_script_after_the_delay() {
    let lab = Lab::new("dldnl");
    lab.veth("dldnl");
    lab.veth_carrier("dldnl", true);
    let mut d = lab.start("dldnl", &["-d", "2"]);
    d.wait_msg("exit code: 0");
    lab.veth_carrier("dldnl", false);
    let down = d.wait_msg("link is down");
    let calls = d.wait_calls(2);
    d.assert_calls(&["up error>up", "down up>down"]);
    let waited = calls[1].ms.saturating_sub(d.msg_time(down));
    assert!(
        waited >= 1000,
        "ran {waited} ms after the down{}",
        d.context()
    );
    // With the link down and nothing pending, SIGTERM runs no script.
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down"]);
}

#[test]
fn delays_also_hold_in_pure_polling_mode() {
    let lab = Lab::new("dlpoll");
    lab.veth("dlpoll");
    let mut d = lab.start("dlpoll", &["-P", "-u", "1"]);
    d.wait_msg("link is down");
    lab.veth_carrier("dlpoll", true);
    let up = d.wait_msg("link is up");
    let calls = d.wait_calls(1);
    d.assert_calls(&["up down>up"]);
    let waited = calls[0].ms.saturating_sub(d.msg_time(up));
    assert!(waited >= 500, "ran {waited} ms after the up{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// A poll that timed out is taken to have slept its timeout, so after a
/// SIGSTOP the daemon's idea of the time lags. The down delay must still
/// hold on the real clock when something (here SIGHUP) makes it read the
/// clock before the deadline (issue 14, item 4: ours ran the script at
/// once, BusyBox after the delay).
#[test]
fn down_delay_holds_after_the_daemon_was_stopped() {
    let lab = Lab::new("dlstop");
    lab.veth("dlstop");
    lab.veth_carrier("dlstop", true);
    let mut d = lab.start("dlstop", &["-P", "-d", "3"]);
    d.wait_msg("exit code: 0");
    d.signal("STOP");
    sleep(Duration::from_secs(5));
    d.signal("CONT");
    sleep(Duration::from_millis(300));
    lab.veth_carrier("dlstop", false);
    let down = d.wait_msg("link is down");
    // A clock read well before the deadline.
    sleep(Duration::from_millis(200));
    d.signal("HUP");
    let calls = d.wait_calls(2);
    d.assert_calls(&["up error>up", "down up>down"]);
    let waited = calls[1].ms.saturating_sub(d.msg_time(down));
    assert!(
        waited >= 2500,
        "down script {waited} ms after the down, before the 3 s delay{}",
        d.context()
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}
