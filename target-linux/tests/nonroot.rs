//! The daemon without root (issue 15, "Root"): as uid 65534 through
//! `setpriv`, with ambient CAP_NET_ADMIN or with `-a` and no capability,
//! its pid file in a `--pid-dir` that user may write. A refused call is
//! said in BusyBox's words, then (compat-options) the call and the
//! capability it needs.
//!
//! What uid 65534 gets from each call the daemon makes, measured in a
//! namespace on a veth (Linux 6.18, 2026-12-01; root gets the same as
//! with CAP_NET_ADMIN):
//!
//! | call | no capability | CAP_NET_ADMIN |
//! |---|---|---|
//! | netlink socket, bind RTMGRP_LINK | ok | ok |
//! | SIOCGIFFLAGS, SIOCGIFINDEX | ok | ok |
//! | SIOCSIFFLAGS (IFF_UP; skipped with -a) | EPERM | ok |
//! | SIOCETHTOOL ETHTOOL_GLINK | ok | ok |
//! | SIOCGMIIPHY, SIOCGMIIREG | EPERM | EOPNOTSUPP (veth has no MII) |
//! | SIOCDEVPRIVATE, +1 | EOPNOTSUPP | EOPNOTSUPP |
//! | SIOCGIWNAME, SIOCGIWAP | ENOTTY | ENOTTY |
//! | pid file in /var/run (root's, 0755) | EACCES | EACCES |
//! | pid file in a directory of its own | ok | ok |
//! | connect to a syslog socket of mode 0666 | ok | ok |
//! | exec of a script of mode 0755 | ok | ok |
//!
//! The same on the netlink socket the daemon sends its ioctls through.
//! So: detection by ETHTOOL_GLINK, IFF_RUNNING or netlink needs nothing;
//! bringing the interface up and MII need CAP_NET_ADMIN.
//!
//! Each test fails, never skips, if it cannot become uid 65534: it checks
//! /proc/PID/status of the running daemon, or the exact lines of one that
//! exited.
#![cfg(feature = "compat-options")]

mod common;
use common::*;
use std::os::unix::fs::{chown, PermissionsExt};
use std::path::{Path, PathBuf};

const NOBODY: u32 = 65534;
/// CAP_NET_ADMIN's bit in /proc/PID/status's Cap* masks.
const CAP_NET_ADMIN: u64 = 1 << 12;

/// A directory in the lab owned by uid 65534 (mode 0755), for its pid file.
fn nobodys_dir(lab: &Lab, name: &str) -> PathBuf {
    let dir = lab.dir.join(name);
    std::fs::create_dir(&dir).expect("mkdir");
    chown(&dir, Some(NOBODY), Some(NOBODY)).expect("chown");
    dir
}

/// The lab's directory becomes 65534's, so its action script (root's,
/// 0755: it may execute it) may write actions.log there.
fn lab_for_nobody(tag: &str) -> Lab {
    let lab = Lab::new(tag);
    chown(&lab.dir, Some(NOBODY), Some(NOBODY)).expect("chown");
    std::fs::set_permissions(&lab.dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    lab
}

/// Starts the daemon as uid/gid 65534 without supplementary groups, with
/// ambient CAP_NET_ADMIN if `net_admin`, and `--pid-dir DIR`; `extra`
/// after the tests' usual arguments.
fn start_as_nobody(lab: &Lab, w: &str, net_admin: bool, dir: &Path, extra: &[&str]) -> Daemon {
    let mut argv = vec![
        setpriv(),
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    if net_admin {
        argv.extend(["--inh-caps", "+net_admin", "--ambient-caps", "+net_admin"]);
    }
    argv.push(BIN);
    let args = lab.default_args(w);
    argv.extend(args.iter().map(String::as_str));
    argv.extend(["--pid-dir", dir.to_str().expect("UTF-8 path")]);
    argv.extend_from_slice(extra);
    lab.start_via(w, &argv)
}

/// A field of /proc/PID/status.
fn status_field(pid: u32, field: &str) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// The running daemon is uid 65534 and has CAP_NET_ADMIN or not.
fn assert_nobody(d: &Daemon, net_admin: bool) {
    let uid = status_field(d.pid, "Uid");
    assert!(
        uid.split_whitespace().all(|u| u == "65534"),
        "not uid 65534: {uid}{}",
        d.context()
    );
    let eff = u64::from_str_radix(&status_field(d.pid, "CapEff"), 16).expect("CapEff");
    if net_admin {
        assert_eq!(eff, CAP_NET_ADMIN, "CapEff {eff:x}{}", d.context());
    } else {
        assert_eq!(eff, 0, "CapEff {eff:x}{}", d.context());
    }
}

fn pid_in(dir: &Path, w: &str) -> PathBuf {
    dir.join(format!("ifplugd.{w}.pid"))
}

#[test]
fn with_cap_net_admin_it_ups_the_interface_and_runs_the_script() {
    let w = "nrcap";
    let lab = lab_for_nobody(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let dir = nobodys_dir(&lab, "run");
    // The script says what it runs as: the ambient capability is its too.
    lab.set_hook("grep -E '^(Uid|CapEff):' /proc/$$/status > \"$d/ids\"\n");
    let mut d = start_as_nobody(&lab, w, true, &dir, &[]);
    d.wait_msg("exit code: 0");
    assert_nobody(&d, true);
    assert!(lab.admin_up(w), "{}", d.context());
    let ids = std::fs::read_to_string(lab.dir.join("ids")).expect("the script's ids");
    assert_eq!(
        ids.split_whitespace().collect::<Vec<_>>(),
        [
            "Uid:",
            "65534",
            "65534",
            "65534",
            "65534",
            "CapEff:",
            "0000000000001000"
        ],
        "{}",
        d.context()
    );
    let pid = std::fs::read_to_string(pid_in(&dir, w)).expect("the pid file in --pid-dir");
    assert_eq!(pid, format!("{}\n", d.pid));
    lab.veth_carrier(w, false);
    d.wait_msg_n("exit code: 0", 2);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend(d.up_down_exit());
    d.assert_msgs(&expected);
    d.assert_calls(&["up error>up", "down up>down"]);
    assert!(!pid_in(&dir, w).exists(), "pid file left{}", d.context());
}

#[test]
fn with_no_capability_and_minus_a_it_follows_the_link() {
    let w = "nrnocap";
    let lab = lab_for_nobody(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let dir = nobodys_dir(&lab, "run");
    // Admin-down at start: -a leaves it so, and ETHTOOL_GLINK says down.
    let mut d = start_as_nobody(&lab, w, false, &dir, &["-a"]);
    d.wait_msg("link is down");
    assert_nobody(&d, false);
    assert!(!lab.admin_up(w), "{}", d.context());
    // Root brings it up: the carrier comes, the daemon sees it.
    lab.link_up(w);
    d.wait_msg("exit code: 0");
    lab.veth_carrier(w, false);
    d.wait_msg_n("exit code: 0", 2);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "using SIOCETHTOOL detection mode".to_owned(),
        "link is down".to_owned(),
        "link is up".to_owned(),
        d.executing("up"),
        "exit code: 0".to_owned(),
        "link is down".to_owned(),
        d.executing("down"),
        "exit code: 0".to_owned(),
        "exiting".to_owned(),
    ]);
    d.assert_calls(&["up down>up", "down up>down"]);
}

/// BusyBox dies of a refused SIOCSIFFLAGS (xfunc_die: status 1, no
/// "exiting"); the line names the call and the capability.
#[test]
fn without_the_capability_nor_minus_a_it_says_what_is_missing() {
    let w = "nrrefuse";
    let lab = lab_for_nobody(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let dir = nobodys_dir(&lab, "run");
    let mut d = start_as_nobody(&lab, w, false, &dir, &[]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(
        d.lines(),
        [
            format!("ifplugd({w}): started: ifplugd-rs v{VERSION}"),
            format!("ifplugd({w}): upping interface"),
            format!(
                "ifplugd({w}): can't set interface flags: Operation not permitted \
                 (SIOCSIFFLAGS needs CAP_NET_ADMIN)"
            ),
        ],
        "{}",
        d.context()
    );
    assert_eq!(set_flags_refused(), d.msgs()[2]);
    assert!(!lab.admin_up(w));
    assert!(d.calls().is_empty(), "{}", d.context());
}

/// MII is refused without CAP_NET_ADMIN (the kernel checks before the
/// driver: a veth, which has no MII, says EPERM).
#[test]
fn mii_without_the_capability_says_what_is_missing() {
    let w = "nrmii";
    let lab = lab_for_nobody(w);
    lab.veth(w);
    lab.link_up(w);
    lab.veth_carrier(w, true);
    let dir = nobodys_dir(&lab, "run");
    let mut d = start_as_nobody(&lab, w, false, &dir, &["-a", "-m", "mii"]);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    // Without -f a detection error ends the daemon, as BusyBox's.
    d.assert_msgs(&[
        format!("started: ifplugd-rs v{VERSION}"),
        "SIOCGMIIPHY failed: Operation not permitted (needs CAP_NET_ADMIN)".to_owned(),
        "exiting".to_owned(),
    ]);
}

/// A pid directory the user may not write: said once, pointing to
/// --pid-dir; the daemon runs on without a pid file, as BusyBox does.
#[test]
fn an_unwritable_pid_directory_is_said_and_points_to_pid_dir() {
    let w = "nrpidro";
    let lab = lab_for_nobody(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    // Root's, mode 0755.
    let dir = lab.dir.join("roots");
    std::fs::create_dir(&dir).expect("mkdir");
    let mut d = start_as_nobody(&lab, w, true, &dir, &[]);
    d.wait_msg("exit code: 0");
    assert_nobody(&d, true);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(
        d.lines()[0],
        format!(
            "ifplugd({w}): can't write pid file: Permission denied \
             (choose a writable directory with --pid-dir)"
        ),
        "{}",
        d.context()
    );
    let mut expected = vec![pid_file_refused("Permission denied")];
    expected.extend(startup("up"));
    expected.extend(d.up_then_stopped());
    d.assert_msgs(&expected);
    assert!(!pid_in(&dir, w).exists());
}
