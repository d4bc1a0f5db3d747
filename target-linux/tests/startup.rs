//! Start-up: the link up or down, `-p`, `-l`, a missing interface.

mod common;
use common::*;

#[test]
fn link_up_at_start_runs_up_script() {
    let lab = Lab::new("stup");
    lab.veth("stup");
    lab.veth_carrier("stup", true);
    assert!(!lab.admin_up("stup"));
    let mut d = lab.start("stup", &[]);
    d.wait_msg("exit code: 0");
    let mut expected = startup("up");
    expected.push(d.executing("up"));
    expected.push("exit code: 0".into());
    d.assert_msgs(&expected);
    let calls = d.calls();
    assert_eq!(calls.len(), 1, "{}", d.context());
    assert_eq!(calls[0].argc, 2, "{}", d.context());
    assert_eq!(calls[0].args, ["stup", "up", "", ""].map(String::from));
    assert_eq!((&*calls[0].previous, &*calls[0].current), ("error", "up"));
    // Without -a, the daemon brought the interface up.
    assert!(lab.admin_up("stup"), "{}", d.context());
    assert!(d.running());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn link_down_at_start_runs_no_script_then_follows() {
    let lab = Lab::new("stdown");
    lab.veth("stdown");
    let mut d = lab.start("stdown", &[]);
    d.wait_msg("link is down");
    d.assert_msgs(&startup("down"));
    assert!(lab.admin_up("stdown"), "{}", d.context());
    lab.veth_carrier("stdown", true);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up down>up"]);
    lab.veth_carrier("stdown", false);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up down>up", "down up>down"]);
    // SIGTERM with the link down: no script.
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>down"]);
    let mut expected = startup("down");
    expected.push("link is up".into());
    expected.extend(d.up_down_exit());
    d.assert_msgs(&expected);
}

#[test]
fn no_startup_option_p_skips_the_up_script() {
    let lab = Lab::new("stp");
    lab.veth("stp");
    lab.veth_carrier("stp", true);
    let mut d = lab.start("stp", &["-p"]);
    d.wait_msg("link is up");
    // The start-up is over once the next poll has passed quietly.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    d.assert_msgs(&startup("up"));
    d.assert_calls(&[]);
    lab.veth_carrier("stp", false);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["down up>down"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["down up>down"]);
}

#[test]
fn initial_down_option_l_runs_down_script_at_start() {
    let lab = Lab::new("stl");
    lab.veth("stl");
    let mut d = lab.start("stl", &["-l"]);
    d.wait_msg("exit code: 0");
    let mut expected = startup("down");
    expected.push(d.executing("down"));
    expected.push("exit code: 0".into());
    d.assert_msgs(&expected);
    d.assert_calls(&["down error>down"]);
    lab.veth_carrier("stl", true);
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["down error>down", "up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["down error>down", "up down>up", "down up>error"]);
}

#[test]
fn initial_down_option_l_with_link_up_runs_up_script() {
    let lab = Lab::new("stlu");
    lab.veth("stlu");
    lab.veth_carrier("stlu", true);
    let mut d = lab.start("stlu", &["-l"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn missing_interface_without_monitor_exits() {
    let lab = Lab::new("stmiss");
    let mut d = lab.start("stmiss", &[]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "can't get interface flags: No such device".into(),
        "exiting".into(),
    ]);
    d.assert_calls(&[]);
    assert!(!pid_file("stmiss").exists());
}

#[test]
fn tap_carrier_is_followed() {
    let lab = Lab::new("sttap");
    lab.tap("sttap");
    lab.tap_carrier("sttap", false);
    let mut d = lab.start("sttap", &[]);
    d.wait_msg("link is down");
    d.assert_msgs(&startup("down"));
    lab.tap_carrier("sttap", true);
    d.wait_msg("exit code: 0");
    lab.tap_carrier("sttap", false);
    d.wait_msg_n("exit code: 0", 2);
    lab.tap_carrier("sttap", true);
    d.wait_msg_n("exit code: 0", 3);
    d.assert_calls(&["up down>up", "down up>down", "up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn without_s_lines_still_go_to_stderr() {
    let lab = Lab::new("stnos");
    lab.veth("stnos");
    lab.veth_carrier("stnos", true);
    let script = lab.script.clone();
    let args = ["-n", "-i", "stnos", "-r", &script, "-t", "1", "-d", "0"];
    let mut d = lab.start_raw("stnos", &args, &[]);
    d.wait_msg("exit code: 0");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend(d.up_then_stopped());
    d.assert_msgs(&expected);
}
