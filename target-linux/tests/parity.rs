//! Parity with BusyBox where a hostile run found us apart (issue 14):
//! IFPLUGD_PREVIOUS after `-M` waited for the interface.

mod common;
use common::*;

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
