//! Parity with BusyBox where a hostile run found us apart (issue 14):
//! IFPLUGD_PREVIOUS after `-M` waited for the interface, and `-M` on an
//! altname or an alias (`eth0:1`), whose link messages carry the primary
//! name.

mod common;
use common::*;
use std::thread::sleep;
use std::time::Duration;

/// Makes `name` appear at once with a carrier: a veth pair made under
/// another name, its peer up, then renamed to `name` (down, as a rename
/// needs). The daemon ups it; the peer being up, the carrier is there at
/// once.
fn appear_with_carrier(lab: &Lab, name: &str) {
    let tmp = format!("{name}t");
    lab.ip(&[
        "link",
        "add",
        &tmp,
        "type",
        "veth",
        "peer",
        "name",
        &peer_of(name),
    ]);
    lab.veth_carrier(name, true);
    lab.ip(&["link", "set", &tmp, "name", name]);
}

#[test]
fn monitor_first_up_after_waiting_has_previous_error() {
    // BusyBox's detect_link() returns early while the interface is
    // missing, so its last status is still the initial -1 when the
    // interface appears: PREVIOUS=error.
    let w = "paup";
    let lab = Lab::new(w);
    let mut d = lab.start(w, &["-M"]);
    d.wait_msg("interface doesn't exist, waiting");
    appear_with_carrier(&lab, w);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    d.assert_order(&[
        "interface doesn't exist, waiting",
        "interface appeared",
        "upping interface",
        "using SIOCETHTOOL detection mode",
        "link is up",
        &d.executing("up"),
        "exit code: 0",
    ]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
}

#[test]
fn monitor_with_l_first_up_after_waiting_has_previous_error() {
    // -l runs the down script at start-up (nothing detected: BusyBox sets
    // no variables for it, we say error>down); the up that follows the
    // appearance is still the first detected change: PREVIOUS=error.
    let w = "paupl";
    let lab = Lab::new(w);
    let mut d = lab.start(w, &["-M", "-l"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["down error>down"]);
    appear_with_carrier(&lab, w);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["down error>down", "up error>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["down error>down", "up error>up", "down up>error"]);
}

#[test]
fn monitor_with_l_appearing_down_then_up_has_previous_down() {
    // The appearance's check detects down (not logged: the status was
    // already down), so the up that follows comes from down.
    let w = "padn";
    let lab = Lab::new(w);
    let mut d = lab.start(w, &["-M", "-l"]);
    d.wait_msg("exit code: 0");
    lab.veth(w);
    d.wait_msg("interface appeared");
    d.wait_msg("using SIOCETHTOOL detection mode");
    lab.veth_carrier(w, true);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["down error>down", "up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// Flaps the carrier of the veth `name` (its peer): down, then up; waits
/// for each script.
fn flap(lab: &Lab, d: &Daemon, name: &str, calls: usize) {
    lab.veth_carrier(name, false);
    d.wait_calls(calls + 1);
    lab.veth_carrier(name, true);
    d.wait_calls(calls + 2);
}

#[test]
fn monitor_follows_an_altname() {
    // SIOCGIFINDEX and the link ioctls resolve an altname (Linux 5.5 on);
    // the link messages name the interface by its primary name.
    let w = "paalt";
    let alt = "paalt-alias";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.ip(&["link", "property", "add", "dev", w, "altname", alt]);
    lab.veth_carrier(w, true);
    let mut d = lab.start(alt, &["-M"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    flap(&lab, &d, w, 1);
    flap(&lab, &d, w, 3);
    d.wait_msg_n("exit code: 0", 5);
    d.assert_calls(&[
        "up error>up",
        "down up>down",
        "up down>up",
        "down up>down",
        "up down>up",
    ]);
    assert_eq!(d.count("interface disappeared"), 0, "{}", d.context());
    // The primary renamed: the altname goes with it, nothing changes.
    lab.ip(&["link", "set", w, "name", "paalt2"]);
    sleep(Duration::from_millis(500));
    assert_eq!(d.count("interface disappeared"), 0, "{}", d.context());
    assert_eq!(d.calls().len(), 5, "{}", d.context());
    // Deleted: the RTM_DELLINK (primary name, our index) is ours.
    lab.link_del("paalt2");
    d.wait_msg("interface disappeared");
    d.wait_calls(6);
    d.assert_order(&[
        "interface disappeared",
        "link is down",
        &d.executing("down"),
    ]);
    sleep(Duration::from_millis(300));
    d.assert_calls(&[
        "up error>up",
        "down up>down",
        "up down>up",
        "down up>down",
        "up down>up",
        "down up>down",
    ]);
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn monitor_follows_an_alias() {
    // `-i X:1`: the ioctls strip the alias part. The interface is up
    // beforehand: SIOCSIFFLAGS on an alias without an address of that
    // label is EADDRNOTAVAIL (for BusyBox as for us).
    let w = "paals";
    let alias = "paals:1";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.link_up(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(alias, &["-M"]);
    d.wait_msg("exit code: 0");
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "using SIOCETHTOOL detection mode".into(),
        "interface exists".into(),
        "link is up".into(),
        d.executing("up"),
        "exit code: 0".into(),
    ]);
    flap(&lab, &d, w, 1);
    d.wait_msg_n("exit code: 0", 3);
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    assert_eq!(d.count("interface disappeared"), 0, "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn monitor_on_an_altname_renamed_away_is_disappeared() {
    // The altname removed and the primary renamed: our name resolves no
    // more, so the message under another name with our index is a rename
    // away.
    let w = "paaway";
    let alt = "paaway-alt";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.ip(&["link", "property", "add", "dev", w, "altname", alt]);
    lab.veth_carrier(w, true);
    let mut d = lab.start(alt, &["-M"]);
    d.wait_msg("exit code: 0");
    lab.ip(&["link", "property", "del", "dev", w, "altname", alt]);
    lab.ip(&["link", "set", w, "name", "paaway2"]);
    d.wait_msg("interface disappeared");
    d.wait_calls(2);
    d.assert_calls(&["up error>up", "down up>down"]);
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}
