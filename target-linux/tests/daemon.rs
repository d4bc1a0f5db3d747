//! The pid file, `-k`, "daemon already running", and daemon mode (no -n).

mod common;
use common::*;
use std::time::{Duration, Instant};

#[test]
fn pid_file_holds_the_pid_while_running_and_goes_on_exit() {
    let lab = Lab::new("dmpid");
    lab.veth("dmpid");
    let mut d = lab.start("dmpid", &[]);
    d.wait_msg("link is down");
    let text = std::fs::read_to_string(pid_file("dmpid")).expect("pid file while running");
    assert_eq!(text, format!("{}\n", d.pid), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert!(!pid_file("dmpid").exists(), "pid file left behind");
}

#[test]
fn kill_option_sends_sigquit_to_the_running_daemon() {
    let lab = Lab::new("dmkill");
    lab.veth("dmkill");
    lab.veth_carrier("dmkill", true);
    let mut d = lab.start("dmkill", &[]);
    d.wait_msg("exit code: 0");
    let out = lab.run_bin(&["-k", "-i", "dmkill"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    // SIGQUIT: no down script.
    d.assert_calls(&["up error>up"]);
    let mut expected = startup("up");
    expected.extend([d.executing("up"), "exit code: 0".into(), "exiting".into()]);
    d.assert_msgs(&expected);
    assert!(!pid_file("dmkill").exists(), "pid file left behind");
}

#[test]
fn kill_option_without_pid_file_exits_0() {
    let lab = Lab::new("dmknone");
    assert!(!pid_file("dmknone").exists());
    let out = lab.run_bin(&["-k", "-i", "dmknone"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

#[test]
fn second_daemon_on_the_same_interface_is_refused() {
    let lab = Lab::new("dmtwice");
    lab.veth("dmtwice");
    let mut first = lab.start("dmtwice", &[]);
    first.wait_msg("link is down");
    let script = lab.script.clone();
    let out = lab.run_bin(&["-n", "-s", "-i", "dmtwice", "-r", &script]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ifplugd(dmtwice): daemon already running\n"
    );
    // The first one and its pid file are untouched.
    assert!(first.running(), "{}", first.context());
    assert_eq!(read_pid_file("dmtwice"), Some(first.pid));
    first.signal("TERM");
    assert_eq!(first.wait_exit(), 1, "{}", first.context());
}

#[test]
fn stale_pid_file_is_ignored() {
    let lab = Lab::new("dmstale");
    lab.veth("dmstale");
    // A pid that surely names no process now.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    std::fs::write(pid_file("dmstale"), format!("{dead}\n")).unwrap();
    let mut d = lab.start("dmstale", &[]);
    d.wait_msg("link is down");
    assert_eq!(read_pid_file("dmstale"), Some(d.pid), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert!(!pid_file("dmstale").exists(), "pid file left behind");
}

/// Kills a daemon that went to the background if a test fails.
struct Background(String);

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(pid) = read_pid_file(&self.0) {
            if alive(pid) {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            let _ = std::fs::remove_file(pid_file(&self.0));
        }
    }
}

#[test]
fn daemon_mode_returns_at_once_and_runs_in_the_background() {
    let lab = Lab::new("dmbg");
    lab.veth("dmbg");
    let guard = Background("dmbg".into());
    let script = lab.script.clone();
    let started = Instant::now();
    let out = lab.run_bin(&["-s", "-i", "dmbg", "-r", &script, "-t", "1", "-d", "0"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut pid = None;
    wait_until(
        || "the pid file of the background daemon".into(),
        || {
            pid = read_pid_file("dmbg");
            pid.is_some()
        },
    );
    let pid = pid.unwrap();
    assert!(alive(pid), "daemon {pid} not running");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&cmdline).contains("ifplugd"),
        "pid {pid} is not ifplugd"
    );
    // It follows the link.
    lab.veth_carrier("dmbg", true);
    wait_until(
        || format!("an up script call: {:?}", lab.brief()),
        || !lab.brief().is_empty(),
    );
    assert_eq!(lab.brief(), ["up down>up"]);
    lab.veth_carrier("dmbg", false);
    wait_until(
        || format!("a down script call: {:?}", lab.brief()),
        || lab.brief().len() >= 2,
    );
    lab.veth_carrier("dmbg", true);
    wait_until(
        || format!("an up script call: {:?}", lab.brief()),
        || lab.brief().len() >= 3,
    );
    // And stops on SIGTERM, with the down script.
    send_signal(pid, "TERM");
    wait_until(
        || format!("daemon {pid} to exit"),
        || !alive(pid) && !pid_file("dmbg").exists(),
    );
    assert_eq!(
        lab.brief(),
        ["up down>up", "down up>down", "up down>up", "down up>error"]
    );
    drop(guard);
}
