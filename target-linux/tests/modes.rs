//! `-m` detection modes on veth and tap, `-f`/`-F`, and `-a`.

mod common;
use common::*;

/// Starts on a veth whose peer is up, then flips its carrier down and up:
/// the scripts must follow. (Not from "down": right after an interface that
/// never had a carrier is brought up, its operstate is still "unknown" and
/// the kernel reports IFF_RUNNING until linkwatch catches up, so the IFF
/// method sees a short "up", as BusyBox's does.)
fn follows_veth(name: &str, mode: &str) {
    let lab = Lab::new(name);
    lab.veth(name);
    lab.veth_carrier(name, true);
    let mut d = lab.start(name, &["-m", mode]);
    d.wait_msg("exit code: 0");
    lab.veth_carrier(name, false);
    d.wait_msg_n("exit code: 0", 2);
    lab.veth_carrier(name, true);
    d.wait_msg_n("exit code: 0", 3);
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".into(),
        "link is up".into(),
        d.executing("up"),
        "exit code: 0".into(),
        "link is down".into(),
        d.executing("down"),
        "exit code: 0".into(),
        "link is up".into(),
        d.executing("up"),
        "exit code: 0".into(),
        d.executing("down"),
        "exit code: 0".into(),
        "exiting".into(),
    ]);
}

#[test]
fn ethtool_mode_follows_veth() {
    follows_veth("mdeth", "ethtool");
}

#[test]
fn iff_mode_follows_veth() {
    follows_veth("mdiff", "iff");
}

#[test]
fn auto_mode_follows_veth_explicitly() {
    let lab = Lab::new("mdauto");
    lab.veth("mdauto");
    let mut d = lab.start("mdauto", &["-m", "auto"]);
    d.wait_msg("link is down");
    d.assert_msgs(&startup("down"));
    lab.veth_carrier("mdauto", true);
    d.wait_msg("exit code: 0");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>error"]);
    assert_eq!(d.count("using SIOCETHTOOL detection mode"), 1);
}

/// Same on a tap, switching its carrier. Up and running before the daemon
/// starts: a tap's IFF_RUNNING may lag its admin up (see up_and_running).
fn follows_tap(name: &str, mode: &str) {
    let lab = Lab::new(name);
    lab.tap(name);
    lab.up_and_running(name);
    let mut d = lab.start(name, &["-m", mode]);
    d.wait_msg("exit code: 0");
    lab.tap_carrier(name, false);
    d.wait_msg_n("exit code: 0", 2);
    lab.tap_carrier(name, true);
    d.wait_msg_n("exit code: 0", 3);
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
    assert!(
        !d.msgs()
            .iter()
            .any(|m| m.contains("failed") || m.contains("detection mode")),
        "{}",
        d.context()
    );
}

#[test]
fn ethtool_mode_follows_tap() {
    follows_tap("mdteth", "ethtool");
}

#[test]
fn iff_mode_follows_tap() {
    follows_tap("mdtiff", "iff");
}

/// A mode veth does not support: without -f/-F the daemon gives up.
fn unsupported_on_veth(name: &str, mode: &str, failure: &str) {
    let lab = Lab::new(name);
    lab.veth(name);
    lab.veth_carrier(name, true);
    let mut d = lab.start(name, &["-m", mode]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".into(),
        failure.into(),
        "exiting".into(),
    ]);
    d.assert_calls(&[]);
    assert!(!pid_file(name).exists(), "pid file left behind");
}

#[test]
fn mii_mode_fails_on_veth() {
    unsupported_on_veth("mdmii", "mii", "SIOCGMIIPHY failed: Not supported");
}

#[test]
fn priv_mode_fails_on_veth() {
    unsupported_on_veth("mdpriv", "priv", "SIOCDEVPRIVATE failed: Not supported");
}

#[test]
fn wlan_mode_fails_on_veth() {
    unsupported_on_veth("mdwlan", "wlan", "SIOCGIWAP failed: Not a tty");
}

#[test]
fn mii_mode_with_f_counts_as_down() {
    let lab = Lab::new("mdmiif");
    lab.veth("mdmiif");
    lab.veth_carrier("mdmiif", true);
    let mut d = lab.start("mdmiif", &["-m", "mii", "-f"]);
    let failure = "SIOCGMIIPHY failed: Not supported";
    d.wait_msg("link is down");
    // It survives its polls.
    d.wait_msg_n(failure, 3);
    assert!(d.running(), "{}", d.context());
    d.assert_order(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".into(),
        failure.into(),
        "link is down".into(),
        failure.into(),
    ]);
    d.assert_calls(&[]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&[]);
    assert_eq!(d.msgs().last().map(String::as_str), Some("exiting"));
}

#[test]
fn priv_mode_with_capital_f_counts_as_up() {
    let lab = Lab::new("mdprivf");
    lab.veth("mdprivf");
    let mut d = lab.start("mdprivf", &["-m", "priv", "-F"]);
    let failure = "SIOCDEVPRIVATE failed: Not supported";
    d.wait_msg("exit code: 0");
    // Each check logs the failure again (netlink wakes it too).
    d.assert_order(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".into(),
        failure.into(),
        "link is up".into(),
        d.executing("up"),
        "exit code: 0".into(),
    ]);
    d.wait_msg_n(failure, 3);
    assert!(d.running(), "{}", d.context());
    assert_eq!(d.count("link is up"), 1, "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
}

#[test]
fn wlan_mode_with_f_counts_as_down() {
    let lab = Lab::new("mdwlanf");
    lab.veth("mdwlanf");
    lab.veth_carrier("mdwlanf", true);
    let mut d = lab.start("mdwlanf", &["-m", "wlan", "-f"]);
    d.wait_msg("link is down");
    d.wait_msg_n("SIOCGIWAP failed: Not a tty", 2);
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&[]);
}

#[test]
fn no_auto_option_a_leaves_the_interface_down() {
    let lab = Lab::new("mdnoa");
    lab.veth("mdnoa");
    lab.veth_carrier("mdnoa", true);
    let mut d = lab.start("mdnoa", &["-a"]);
    d.wait_msg("link is down");
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "using SIOCETHTOOL detection mode".into(),
        "link is down".into(),
    ]);
    // Past a poll: still admin-down.
    d.wait_msg_n("link is down", 1);
    std::thread::sleep(std::time::Duration::from_millis(1200));
    assert!(!lab.admin_up("mdnoa"), "{}", d.context());
    assert_eq!(d.count("upping interface"), 0, "{}", d.context());
    // Brought up by someone else: the link is followed.
    lab.link_up("mdnoa");
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>error"]);
}

#[test]
fn without_a_the_interface_is_brought_up() {
    let lab = Lab::new("mdup");
    lab.veth("mdup");
    assert!(!lab.admin_up("mdup"));
    let mut d = lab.start("mdup", &[]);
    d.wait_msg("link is down");
    assert!(lab.admin_up("mdup"), "{}", d.context());
    // Taken down behind its back: brought up again at the next check.
    lab.ip(&["link", "set", "mdup", "down"]);
    d.wait_msg_n("upping interface", 2);
    wait_until(
        || format!("mdup admin-up again{}", d.context()),
        || lab.admin_up("mdup"),
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

#[test]
fn iff_mode_keeps_the_last_status_while_admin_down() {
    // BusyBox: IFF_RUNNING means nothing while the interface is down.
    let lab = Lab::new("mdiffa");
    lab.veth("mdiffa");
    lab.veth_carrier("mdiffa", true);
    lab.link_up("mdiffa");
    let mut d = lab.start("mdiffa", &["-m", "iff", "-a"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    lab.ip(&["link", "set", "mdiffa", "down"]);
    // Through netlink's news and a poll or two: no "link is down".
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(d.count("link is down"), 0, "{}", d.context());
    assert!(!lab.admin_up("mdiffa"), "-a brought it up{}", d.context());
    // Once up again, the real status: the peer went down meanwhile.
    lab.veth_carrier("mdiffa", false);
    lab.link_up("mdiffa");
    d.wait_msg("link is down");
    d.wait_msg_n("exit code: 0", 2);
    d.assert_calls(&["up error>up", "down up>down"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}
