//! `-M` (the interface comes and goes) and the netlink fast path against
//! pure polling (`-P`).

mod common;
use common::*;
use std::thread::sleep;
use std::time::Duration;

#[test]
fn monitor_waits_for_a_missing_interface_to_appear() {
    let lab = Lab::new("momiss");
    let mut d = lab.start("momiss", &["-M"]);
    d.wait_msg("interface doesn't exist, waiting");
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "interface doesn't exist, waiting".into(),
    ]);
    // Created: appears, is brought up; once its peer is up, the link is up.
    lab.veth("momiss");
    d.wait_msg("interface appeared");
    lab.veth_carrier("momiss", true);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up down>up"]);
    d.assert_order(&[
        "interface appeared",
        "upping interface",
        "using SIOCETHTOOL detection mode",
        "link is up",
        &d.executing("up"),
        "exit code: 0",
    ]);
    assert!(lab.admin_up("momiss"), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>error"]);
}

#[test]
fn monitor_reports_a_deleted_interface_as_disappeared() {
    let lab = Lab::new("model");
    lab.veth("model");
    lab.veth_carrier("model", true);
    let mut d = lab.start("model", &["-M"]);
    d.wait_msg("exit code: 0");
    lab.link_del("model");
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up error>up", "down up>down"]);
    // The RTM_DELLINK has long come by now (no need to wait 10 s for it).
    sleep(Duration::from_millis(500));
    // BusyBox: the RTM_DELLINK makes it say so, before the link goes down.
    d.assert_order(&[
        "interface disappeared",
        "link is down",
        &d.executing("down"),
    ]);
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down"]);
}

#[test]
fn monitor_follows_an_interface_deleted_and_created_again() {
    let lab = Lab::new("moagain");
    lab.veth("moagain");
    lab.veth_carrier("moagain", true);
    let mut d = lab.start("moagain", &["-M"]);
    d.wait_msg("exit code: 0");
    lab.link_del("moagain");
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up error>up", "down up>down"]);
    assert!(d.running(), "{}", d.context());
    lab.veth("moagain");
    d.wait_msg("interface appeared");
    lab.veth_carrier("moagain", true);
    d.wait_msg_n("exit code: 0", 3);
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    // The new interface was brought up.
    let msgs = d.msgs();
    let appeared = msgs.iter().position(|m| m == "interface appeared").unwrap();
    assert!(
        msgs[appeared..].iter().any(|m| m == "upping interface"),
        "{}",
        d.context()
    );
    assert!(lab.admin_up("moagain"), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn monitor_survives_its_interface_being_deleted_again_and_again() {
    // Each deletion first sends RTM_NEWLINK (IFF_UP cleared), then unlists
    // the interface, then sends RTM_DELLINK: the daemon must not die
    // whenever it looks in between.
    let lab = Lab::new("mostress");
    let mut d = lab.start("mostress", &["-M"]);
    d.wait_msg("interface doesn't exist, waiting");
    for round in 1..=12 {
        lab.veth("mostress");
        lab.veth_carrier("mostress", true);
        d.wait_msg_n(&d.executing("up"), round);
        d.wait_msg_n("exit code: 0", 2 * round - 1);
        lab.link_del("mostress");
        d.wait_msg_n(&d.executing("down"), round);
        d.wait_msg_n("exit code: 0", 2 * round);
    }
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(d.calls().len(), 24, "{}", d.context());
}

#[test]
fn monitor_with_existing_interface_says_it_exists() {
    let lab = Lab::new("moexist");
    lab.veth("moexist");
    lab.veth_carrier("moexist", true);
    let mut d = lab.start("moexist", &["-M"]);
    d.wait_msg("exit code: 0");
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".into(),
        "using SIOCETHTOOL detection mode".into(),
        "interface exists".into(),
        "link is up".into(),
        d.executing("up"),
        "exit code: 0".into(),
    ]);
    d.assert_calls(&["up error>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn monitor_missing_interface_with_pure_polling() {
    let lab = Lab::new("mopoll");
    let mut d = lab.start("mopoll", &["-M", "-P"]);
    d.wait_msg("interface doesn't exist, waiting");
    lab.veth("mopoll");
    d.wait_msg("interface appeared");
    lab.veth_carrier("mopoll", true);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up down>up"]);
    lab.link_del("mopoll");
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up down>up", "down up>down"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn netlink_event_path_runs_script_with_a_long_poll_time() {
    let lab = Lab::new("moevent");
    lab.veth("moevent");
    let mut d = lab.start("moevent", &["-t", "3600"]);
    d.wait_msg("link is down");
    lab.veth_carrier("moevent", true);
    d.wait_msg("exit code: 0");
    lab.veth_carrier("moevent", false);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up down>up", "down up>down"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn netlink_event_path_honours_delays_with_a_long_poll_time() {
    // The delay is a timer, not a poll.
    let lab = Lab::new("moevdl");
    lab.veth("moevdl");
    let mut d = lab.start("moevdl", &["-t", "3600", "-u", "1"]);
    d.wait_msg("link is down");
    lab.veth_carrier("moevdl", true);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn pure_polling_detects_changes() {
    let lab = Lab::new("mopure");
    lab.veth("mopure");
    let mut d = lab.start("mopure", &["-P", "-t", "1"]);
    d.wait_msg("link is down");
    lab.veth_carrier("mopure", true);
    d.wait_msg("exit code: 0");
    lab.veth_carrier("mopure", false);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up down>up", "down up>down"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn pure_polling_waits_for_the_poll() {
    // -P: no netlink, so with -t 3600 a change goes unseen for now.
    let lab = Lab::new("moslow");
    lab.veth("moslow");
    let mut d = lab.start("moslow", &["-P", "-t", "3600"]);
    d.wait_msg("link is down");
    lab.veth_carrier("moslow", true);
    sleep(Duration::from_millis(1500));
    let mut expected = startup("down");
    d.assert_msgs(&expected);
    d.assert_calls(&[]);
    // Signals still end it at once.
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    expected.push("exiting".into());
    d.assert_msgs(&expected);
}
