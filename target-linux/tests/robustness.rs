//! "Never die, never lie": the daemon under a netlink overrun, interface
//! churn, a hostile environment (no privileges, no writable /var/run, a
//! symlinked or stale pid file, closed standard descriptors, signal
//! storms, extreme option values) and a short soak.
//!
//! Each test has its own namespace and its own interface name (the pid file
//! /var/run/ifplugd.IFACE.pid is not namespaced).

mod common;
use common::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

const OVERRUN: &str = "netlink: messages lost, re-reading interface state";

/// The process's state letter in /proc/PID/stat (R, S, T, Z, ...).
fn proc_state(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let (_, rest) = s.rsplit_once(')')?;
            rest.split_whitespace().next().map(str::to_owned)
        })
        .unwrap_or_default()
}

/// SIGSTOP, and wait until the daemon is really stopped: whatever the
/// kernel announces meanwhile waits in its netlink socket, to be read in
/// one go after SIGCONT.
fn freeze(d: &Daemon) {
    d.signal("STOP");
    wait_until(
        || format!("ifplugd stopped{}", d.context()),
        || proc_state(d.pid) == "T",
    );
}

fn thaw(d: &Daemon) {
    d.signal("CONT");
}

/// Asserts the script calls alternate up/down and each one's action is
/// its IFPLUGD_CURRENT (a script must never hear "up" twice in a row).
fn assert_alternating(d: &Daemon) {
    let calls = d.calls();
    for pair in calls.windows(2) {
        assert_ne!(
            pair[0].args[1],
            pair[1].args[1],
            "two {} calls in a row{}",
            pair[1].args[1],
            d.context()
        );
    }
    for c in &calls {
        if c.current != "error" {
            assert_eq!(c.args[1], c.current, "{c:?}{}", d.context());
        }
    }
}

// ---------------------------------------------------------------------
// 1. Netlink overrun

#[test]
fn netlink_overrun_is_survived_and_the_state_read_again() {
    let w = "rbovr";
    let peer = peer_of(w);
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    // -t 0: no periodic check to hide a lost message; only netlink, and
    // the re-read after an overrun, can tell the daemon the final state.
    let mut d = lab.start(w, &["-M", "-t", "0"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);

    // Each script call now takes 2 s. The daemon reads netlink while a
    // script runs, so to be sure the socket overflows it is also stopped
    // (SIGSTOP) for the storm: nobody reads, the kernel drops messages.
    lab.set_hook("sleep 2\n");
    // Rounds of: 500 veth pairs created, the peer flipped, all deleted at
    // once (by group: one synchronisation, not one per pair). An odd
    // number of rounds leaves the peer down, and its last flip sits
    // between thousands of other announcements.
    const ROUNDS: usize = 5;
    const PAIRS: usize = 500;
    let mut cmds = String::new();
    let mut peer_up = true;
    for r in 0..ROUNDS {
        for i in 0..PAIRS {
            cmds.push_str(&format!(
                "link add rbs{r}x{i} group 77 type veth peer name rbs{r}y{i} group 77\n"
            ));
            if i == PAIRS / 10 && r == 0 {
                // Early in the first round: the daemon starts a 2 s script.
                cmds.push_str(&format!("link set {peer} down\n"));
                cmds.push_str(&format!("link set {peer} up\n"));
            }
        }
        peer_up = !peer_up;
        cmds.push_str(&format!(
            "link set {peer} {}\n",
            if peer_up { "up" } else { "down" }
        ));
        cmds.push_str("link del group 77\n");
    }
    let started = Instant::now();
    d.signal("STOP");
    lab.batch(&cmds, Duration::from_secs(60));
    d.signal("CONT");
    let storm = started.elapsed();
    std::fs::remove_file(lab.dir.join("hook")).expect("remove the hook");
    assert!(!peer_up, "the storm must leave the peer down");
    assert!(
        !lab.lower_up(w),
        "the kernel says {w} still has a carrier{}",
        d.context()
    );

    // The last call must say "down" (the real state), within a bound: at
    // most one 2 s script is still running, then the re-read and a quick
    // script.
    wait_until_within(
        Duration::from_secs(30),
        || format!("a last script call \"down\"{}", d.context()),
        || d.calls().last().is_some_and(|c| c.args[1] == "down"),
    );
    // ... and stays the last one.
    sleep(Duration::from_millis(1500));
    let n = d.calls().len();
    assert_eq!(
        d.calls().last().map(|c| c.args[1].clone()).as_deref(),
        Some("down"),
        "{}",
        d.context()
    );
    assert!(d.running(), "ifplugd died in the storm{}", d.context());
    let overruns = d.count(OVERRUN);
    eprintln!(
        "overrun test: {} veth pairs in {storm:?}; {overruns} overrun(s); {n} script calls",
        ROUNDS * PAIRS
    );
    assert!(
        overruns >= 1,
        "no {OVERRUN:?}: the socket never overflowed{}",
        d.context()
    );
    assert!(!d.msgs().iter().any(|m| m == "exiting"), "{}", d.context());
    assert_alternating(&d);

    // It still follows the link.
    lab.veth_carrier(w, true);
    d.wait_calls(n + 1);
    assert_eq!(d.calls()[n].brief(), "up down>up", "{}", d.context());
    wait_until(
        || format!("\"exit code: 0\" after the last up{}", d.context()),
        || d.msgs().last().map(String::as_str) == Some("exit code: 0"),
    );

    // And SIGTERM still works.
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(
        d.calls().last().map(Call::brief).as_deref(),
        Some("down up>error"),
        "{}",
        d.context()
    );
    assert_eq!(d.calls().len(), n + 2, "{}", d.context());
}

// ---------------------------------------------------------------------
// 2. Interface churn with -M

#[test]
fn churn_deleted_and_created_again_in_one_batch_is_down_then_up() {
    let w = "rbrecr";
    let peer = peer_of(w);
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(w, &["-M"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);
    let old_index = lab.ip(&["-o", "link", "show", "dev", w]);
    // The daemon stopped, its interface is replaced by a new one of the
    // same name (a new ifindex), link up again: it reads everything in one
    // go. The old interface's configuration died with it; the script must
    // hear "down", then "up" for the new one.
    freeze(&d);
    lab.batch(
        &format!("link del {w}\nlink add {w} type veth peer name {peer}\nlink set {peer} up\n"),
        WAIT,
    );
    thaw(&d);
    let new_index = lab.ip(&["-o", "link", "show", "dev", w]);
    assert_ne!(
        old_index.split(':').next(),
        new_index.split(':').next(),
        "same ifindex"
    );
    d.wait_msg("interface appeared");
    d.wait_calls(3);
    sleep(Duration::from_millis(500));
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    d.assert_order(&[
        "interface disappeared",
        "interface appeared",
        "upping interface",
    ]);
    assert!(lab.admin_up(w), "{}", d.context());
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn churn_deleted_then_created_again_is_down_then_up() {
    let w = "rbrecr2";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(w, &["-M"]);
    d.wait_msg("exit code: 0");
    lab.link_del(w);
    d.wait_msg("interface disappeared");
    d.wait_calls(2);
    lab.veth(w);
    lab.veth_carrier(w, true);
    d.wait_msg("interface appeared");
    d.wait_calls(3);
    sleep(Duration::from_millis(500));
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn churn_renamed_away_and_back() {
    let w = "rbren";
    let away = "rbrenaway";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(w, &["-M"]);
    d.wait_msg("exit code: 0");
    d.assert_calls(&["up error>up"]);

    // Renamed away (it stays up, with its carrier): gone for us.
    lab.ip(&["link", "set", w, "name", away]);
    d.wait_msg("interface disappeared");
    d.wait_calls(2);
    sleep(Duration::from_millis(500));
    d.assert_calls(&["up error>up", "down up>down"]);
    assert_eq!(d.count("interface appeared"), 0, "{}", d.context());

    // Renamed back: it appears, and the link is up.
    lab.ip(&["link", "set", away, "name", w]);
    d.wait_msg("interface appeared");
    d.wait_calls(3);
    sleep(Duration::from_millis(500));
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    d.assert_order(&[
        "interface disappeared",
        "link is down",
        &d.executing("down"),
        "interface appeared",
        "link is up",
        &d.executing("up"),
    ]);
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn churn_created_after_start() {
    let w = "rblate";
    let lab = Lab::new(w);
    let mut d = lab.start(w, &["-M"]);
    d.wait_msg("interface doesn't exist, waiting");
    sleep(Duration::from_millis(300));
    assert!(d.calls().is_empty(), "{}", d.context());
    lab.veth(w);
    d.wait_msg("interface appeared");
    lab.veth_carrier(w, true);
    d.wait_calls(1);
    sleep(Duration::from_millis(500));
    d.assert_calls(&["up down>up"]);
    d.assert_order(&[
        "interface doesn't exist, waiting",
        "interface appeared",
        "upping interface",
        "link is up",
        &d.executing("up"),
        "exit code: 0",
    ]);
    assert!(lab.admin_up(w), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up down>up", "down up>error"]);
}

// ---------------------------------------------------------------------
// 3. A hostile environment

/// The lab's directory writable by anybody, so an unprivileged script can
/// log its calls there.
fn open_up(lab: &Lab) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lab.dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
}

#[test]
fn not_root_cannot_bring_the_interface_up_and_says_why() {
    let w = "rbnroot";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    open_up(&lab);
    let args = lab.default_args(w);
    let mut argv = vec![
        setpriv(),
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        BIN,
    ];
    argv.extend(args.iter().map(String::as_str));
    let mut d = lab.start_via(w, &argv);
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_msgs(&[
        pid_file_refused("Permission denied"),
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".to_owned(),
        set_flags_refused(),
    ]);
    assert!(!lab.admin_up(w));
    assert!(d.calls().is_empty(), "{}", d.context());
    assert!(!pid_file(w).exists());
}

#[test]
fn not_root_with_the_interface_up_follows_the_link() {
    let w = "rbnrup";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.link_up(w);
    lab.veth_carrier(w, true);
    open_up(&lab);
    let args = lab.default_args(w);
    let mut argv = vec![
        setpriv(),
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        BIN,
    ];
    argv.extend(args.iter().map(String::as_str));
    argv.push("-a");
    let mut d = lab.start_via(w, &argv);
    d.wait_msg("exit code: 0");
    lab.veth_carrier(w, false);
    d.wait_msg_n("exit code: 0", 2);
    lab.veth_carrier(w, true);
    d.wait_msg_n("exit code: 0", 3);
    d.assert_calls(&["up error>up", "down up>down", "up down>up"]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.pid)).unwrap_or_default();
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("65534")),
        "not running as 65534: {status}"
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = vec![
        pid_file_refused("Permission denied"),
        format!("started: ifplugd-rs v{VERSION}"),
        "using SIOCETHTOOL detection mode".to_owned(),
        "link is up".to_owned(),
    ];
    expected.extend([
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
    d.assert_msgs(&expected);
    d.assert_calls(&["up error>up", "down up>down", "up down>up", "down up>error"]);
}

#[test]
fn read_only_var_run_is_said_and_survived() {
    let w = "rbro";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let args = lab.default_args(w);
    // In the namespace, a private mount namespace whose /var/run is an
    // empty read-only tmpfs; then the daemon, as the same process.
    let mut argv = vec![
        "unshare",
        "-m",
        "sh",
        "-c",
        "mount -t tmpfs -o ro none /var/run && exec \"$0\" \"$@\"",
        BIN,
    ];
    argv.extend(args.iter().map(String::as_str));
    let mut d = lab.start_via(w, &argv);
    d.wait_msg("exit code: 0");
    lab.veth_carrier(w, false);
    d.wait_msg_n("exit code: 0", 2);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = vec![pid_file_refused("Read-only file system")];
    expected.extend(startup("up"));
    expected.extend(d.up_down_exit());
    d.assert_msgs(&expected);
    d.assert_calls(&["up error>up", "down up>down"]);
    // Nothing written to the real /var/run.
    assert!(!pid_file(w).exists());
}

/// Removes a path (file or symlink) on drop.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_symlinked_pid_file_is_not_followed() {
    let w = "rbsym";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let target = lab.dir.join("victim");
    std::fs::write(&target, "garbage").expect("write the victim");
    let link = pid_file(w);
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).expect("symlink the pid file");
    let _guard = RemoveOnDrop(link.clone());

    let mut d = lab.start(w, &[]);
    d.wait_msg("exit code: 0");
    let first = d.msgs().first().cloned().unwrap_or_default();
    // ELOOP: glibc and musl word it differently.
    assert!(
        first == "can't write pid file: Too many levels of symbolic links"
            || first == "can't write pid file: Symbolic link loop",
        "first line {first:?}{}",
        d.context()
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "garbage",
        "the symlink was followed"
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "garbage");
    let meta = std::fs::symlink_metadata(&link).expect("the symlink is gone");
    assert!(meta.file_type().is_symlink(), "no longer a symlink");
    assert_eq!(std::fs::read_link(&link).unwrap(), target);
    d.assert_calls(&["up error>up", "down up>error"]);
}

fn starts_over_pid_file(w: &str, content: &str) {
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let path = pid_file(w);
    std::fs::write(&path, content).expect("write the pid file");
    let _guard = RemoveOnDrop(path.clone());
    let mut d = lab.start(w, &[]);
    d.wait_msg("exit code: 0");
    let mut expected = startup("up");
    expected.extend([d.executing("up"), "exit code: 0".into()]);
    d.assert_msgs(&expected);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{}\n", d.pid),
        "the pid file was not overwritten"
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert!(!path.exists(), "its own pid file left behind");
}

#[test]
fn a_stale_pid_file_is_overwritten() {
    let mut dead = Command::new("true").spawn().expect("run true");
    let pid = dead.id();
    dead.wait().expect("reap true");
    assert!(!alive(pid));
    starts_over_pid_file("rbstale", &format!("{pid}\n"));
}

#[test]
fn a_garbage_pid_file_is_overwritten() {
    starts_over_pid_file("rbgarb", "hello\n");
}

#[test]
fn t0_follows_the_link_on_netlink_alone() {
    let w = "rbt0";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(w, &["-t", "0"]);
    d.wait_msg("exit code: 0");
    for round in 1..=3 {
        lab.veth_carrier(w, false);
        d.wait_msg_n("exit code: 0", 2 * round);
        lab.veth_carrier(w, true);
        d.wait_msg_n("exit code: 0", 2 * round + 1);
    }
    // Idle, it does not spin.
    let before = cpu_ticks(d.pid);
    sleep(Duration::from_secs(1));
    let used = cpu_ticks(d.pid) - before;
    assert!(used < 30, "{used} ticks of CPU in 1 s idle{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&[
        "up error>up",
        "down up>down",
        "up down>up",
        "down up>down",
        "up down>up",
        "down up>down",
        "up down>up",
        "down up>error",
    ]);
}

#[test]
fn poll_only_with_t0_is_refused() {
    let w = "rbpt0";
    let lab = Lab::new(w);
    lab.veth(w);
    let out = lab.run_bin(&["-n", "-s", "-i", w, "-r", &lab.script, "-P", "-t", "0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.lines()
            .any(|l| l == "ifplugd: -t 0 needs the netlink fast path: drop -P"),
        "{err}"
    );
    assert!(!lab.admin_up(w), "it touched the interface");
    assert!(lab.calls().is_empty());
}

#[test]
fn a_huge_delay_waits_for_ever_and_sigterm_runs_the_pending_down() {
    let w = "rbhuge";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(w, &["-d", "2147483647", "-u", "2147483647", "-t", "1"]);
    // Up at start-up runs at once (no delay at start, as BusyBox).
    d.wait_msg("exit code: 0");
    lab.veth_carrier(w, false);
    d.wait_msg("link is down");
    let before = cpu_ticks(d.pid);
    sleep(Duration::from_millis(2500));
    let used = cpu_ticks(d.pid) - before;
    assert!(used < 50, "{used} ticks of CPU in 2.5 s{}", d.context());
    assert!(d.running(), "{}", d.context());
    d.assert_calls(&["up error>up"]);
    let mut expected = startup("up");
    expected.extend([
        d.executing("up"),
        "exit code: 0".into(),
        "link is down".into(),
    ]);
    d.assert_msgs(&expected);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down down>error"]);
}

#[test]
fn closed_standard_fds_are_not_handed_to_the_script() {
    let w = "rbfds";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    // The script lists its shell's descriptors from a command substitution
    // (a redirection would move the shell's own 1 and 2 first).
    lab.set_hook("fds=$(ls -l /proc/$$/fd)\nprintf '%s\\n' \"$fds\" > \"$d/fds.$2\"\n");
    let args = lab.default_args(w);
    let mut argv = vec!["sh", "-c", "exec \"$0\" \"$@\" <&- >&- 2>&-", BIN];
    argv.extend(args.iter().map(String::as_str));
    let mut d = lab.start_via(w, &argv);
    d.wait_calls(1);
    wait_until(|| "fds.up".into(), || lab.dir.join("fds.up").exists());
    sleep(Duration::from_millis(200));
    // The daemon's own 0, 1 and 2 are /dev/null.
    let fds = open_fds(d.pid);
    for fd in 0..3 {
        let target = fds.iter().find(|(n, _)| *n == fd).map(|(_, t)| t.as_str());
        assert_eq!(target, Some("/dev/null"), "daemon fd {fd}: {fds:?}");
    }
    eprintln!("daemon fds: {fds:?}");
    lab.veth_carrier(w, false);
    d.wait_calls(2);
    wait_until(|| "fds.down".into(), || lab.dir.join("fds.down").exists());
    sleep(Duration::from_millis(200));
    for action in ["up", "down"] {
        let listing = std::fs::read_to_string(lab.dir.join(format!("fds.{action}"))).unwrap();
        let mut std_fds = 0;
        for line in listing.lines().filter(|l| l.contains(" -> ")) {
            let (left, target) = line.split_once(" -> ").unwrap();
            let fd: u32 = left
                .split_whitespace()
                .last()
                .and_then(|f| f.parse().ok())
                .unwrap_or(999);
            assert!(
                !target.starts_with("socket:") && !target.starts_with("anon_inode:"),
                "the {action} script inherited {line:?}:\n{listing}"
            );
            if fd <= 2 {
                assert_eq!(target, "/dev/null", "{action} script fd {fd}:\n{listing}");
                std_fds += 1;
            }
        }
        assert_eq!(std_fds, 3, "{action} script fds:\n{listing}");
    }
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1);
    d.assert_calls(&["up error>up", "down up>down"]);
    // No stderr at all: nothing could be written there.
    assert!(d.lines().is_empty(), "{:?}", d.lines());
}

#[test]
fn a_sighup_storm_loses_no_change() {
    let w = "rbhup";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let mut d = lab.start(w, &[]);
    d.wait_msg("exit code: 0");
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let storm = {
        let stop = Arc::clone(&stop);
        let sent = Arc::clone(&sent);
        let pid = d.pid;
        thread::spawn(move || {
            // 100 SIGHUPs per shell (its built-in kill), until told to stop.
            let text = format!(
                "i=0; while [ $i -lt 100 ]; do kill -HUP {pid} || exit 1; i=$((i+1)); done"
            );
            while !stop.load(Ordering::SeqCst) {
                let st = Command::new("sh")
                    .args(["-c", &text])
                    .stderr(Stdio::null())
                    .status()
                    .expect("run sh");
                if !st.success() {
                    break;
                }
                sent.fetch_add(100, Ordering::SeqCst);
            }
        })
    };
    const FLAPS: usize = 15;
    let mut expected = vec!["up error>up".to_owned()];
    for i in 0..FLAPS {
        lab.veth_carrier(w, false);
        d.wait_calls(2 + 2 * i);
        lab.veth_carrier(w, true);
        d.wait_calls(3 + 2 * i);
        expected.push("down up>down".into());
        expected.push("up down>up".into());
    }
    // Keep the storm going a little while idle.
    let until = Instant::now() + Duration::from_secs(10);
    while sent.load(Ordering::SeqCst) < 500 && Instant::now() < until {
        sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    storm.join().expect("the storm thread");
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent >= 500, "only {sent} SIGHUPs sent");
    sleep(Duration::from_millis(300));
    assert!(d.running(), "ifplugd died of SIGHUPs{}", d.context());
    let want: Vec<&str> = expected.iter().map(String::as_str).collect();
    d.assert_calls(&want);
    eprintln!("SIGHUP storm: {sent} signals during {FLAPS} flaps");
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(d.count("exiting"), 1);
    assert_eq!(d.calls().len(), want.len() + 1);
}

// ---------------------------------------------------------------------
// 4. Soak

/// The script of the soak: one line per call, no other process.
const SOAK_SCRIPT: &str = "#!/bin/sh\necho \"$2\" >> \"$(dirname \"$0\")/soak.log\"\n";

fn count_lines(path: &std::path::Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn soak_2000_flaps_no_leak_no_lost_call() {
    const FLAPS: usize = 2000;
    let w = "rbsoak";
    let peer = peer_of(w);
    let lab = Lab::new(w);
    lab.veth(w);
    let script = lab.dir.join("soak.sh");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&script, SOAK_SCRIPT).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = lab.dir.join("soak.log");
    let mut d = lab.start(w, &["-r", script.to_str().unwrap(), "-u", "0", "-d", "0"]);
    d.wait_msg("link is down");

    let mut ip = Command::new("ip")
        .args(["-n", &lab.ns, "-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start ip -batch -");
    let mut feed = ip.stdin.take().expect("ip stdin");
    let started = Instant::now();
    let mut flap = |i: usize| {
        let state = if i.is_multiple_of(2) { "up" } else { "down" };
        writeln!(feed, "link set {peer} {state}").expect("feed ip -batch");
        feed.flush().expect("feed ip -batch");
        let deadline = Instant::now() + WAIT;
        while count_lines(&log) < i + 1 {
            if Instant::now() > deadline {
                panic!("flap {i}: no script call{}", d.context());
            }
            sleep(Duration::from_micros(500));
        }
    };
    // Warm up (every code path taken once), then measure.
    const WARM: usize = 20;
    for i in 0..WARM {
        flap(i);
    }
    wait_until(
        || "the warm-up's last exit code".into(),
        || d.count("exit code: 0") == WARM,
    );
    let (rss0, hwm0, fds0) = (
        status_kb(d.pid, "VmRSS"),
        status_kb(d.pid, "VmHWM"),
        open_fds(d.pid),
    );
    for i in WARM..FLAPS {
        flap(i);
    }
    wait_until(
        || format!("{FLAPS} exit codes{}", d.count("exit code: 0")),
        || d.count("exit code: 0") == FLAPS,
    );
    let (rss1, hwm1, fds1) = (
        status_kb(d.pid, "VmRSS"),
        status_kb(d.pid, "VmHWM"),
        open_fds(d.pid),
    );
    let took = started.elapsed();
    drop(feed);
    let _ = ip.wait();
    sleep(Duration::from_millis(300));
    let calls = count_lines(&log);
    eprintln!(
        "soak: {FLAPS} flaps, {calls} calls in {took:?}; VmRSS {rss0} -> {rss1} kB, \
         VmHWM {hwm0} -> {hwm1} kB, fds {} -> {}",
        fds0.len(),
        fds1.len()
    );
    assert_eq!(calls, FLAPS, "{}", d.context());
    let text = std::fs::read_to_string(&log).unwrap();
    for (i, line) in text.lines().enumerate() {
        let want = if i.is_multiple_of(2) { "up" } else { "down" };
        assert_eq!(line, want, "call {i}");
    }
    assert_eq!(fds0, fds1, "descriptors changed");
    assert!(rss1 <= rss0 + 8, "VmRSS grew {rss0} -> {rss1} kB");
    // The peak may rise once by a transient (posix_spawn's child stack in
    // glibc is an mmap of 64 KiB and more, gone once the script is
    // exec'd); a leak would show in VmRSS above.
    assert!(hwm1 <= hwm0 + 256, "VmHWM grew {hwm0} -> {hwm1} kB");
    assert!(d.running(), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
}

/// Started in the background by a shell (as init scripts do), the daemon
/// inherits SIGINT and SIGQUIT ignored. It must still hear them (`-k` sends
/// SIGQUIT), and the script must not inherit them ignored.
#[test]
fn inherited_ignored_signals_are_reset() {
    let w = "rbign";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    lab.set_hook(
        "while read -r k v; do case $k in SigIgn:) printf '%s\\n' \"$v\" > \"$d/ign\";; esac; done < /proc/$$/status\n",
    );
    let args = lab.default_args(w);
    let mut argv = vec!["sh", "-c", "trap '' INT QUIT HUP; exec \"$0\" \"$@\"", BIN];
    argv.extend(args.iter().map(String::as_str));
    let mut d = lab.start_via(w, &argv);
    d.wait_calls(1);
    wait_until(|| "ign".into(), || lab.dir.join("ign").exists());
    let ign = std::fs::read_to_string(lab.dir.join("ign")).unwrap();
    let ignored = u64::from_str_radix(ign.trim(), 16).unwrap();
    // Bits 1..3 are SIGHUP, SIGINT, SIGQUIT.
    assert_eq!(
        ignored & 0b1110,
        0,
        "the script inherited ignored signals: {ign}"
    );
    d.signal("QUIT");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up"]);
}
