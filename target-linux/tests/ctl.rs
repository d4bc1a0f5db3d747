//! Feature `ctl`: the daemon's SIGUSR1 (suspend), SIGUSR2 (resume) and
//! SIGHUP (status lines), and the client's -S, -R, -z and -k -W. Where
//! ifplugd 0.28 has the feature, the same steps run against Debian's 0.28
//! (/usr/sbin/ifplugd, package `ifplugd`) in its own namespace, and each
//! test says which of 0.28's behaviours it pins. 0.28 with -s logs to
//! stderr without a prefix; ours with BusyBox's "ifplugd(IFACE): ", which
//! `msgs()` takes off.
#![cfg(feature = "ctl")]

mod common;
use common::*;
use std::process::{Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Debian's ifplugd 0.28.
const OLD: &str = "/usr/sbin/ifplugd";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bin {
    Ours,
    Old,
}

impl Bin {
    fn path(self) -> &'static str {
        match self {
            Bin::Ours => BIN,
            Bin::Old => OLD,
        }
    }
}

/// `ip netns exec NS BIN ARGS`, to its end (bounded).
fn client(lab: &Lab, bin: Bin, args: &[&str]) -> Output {
    output_within(client_command(lab, bin, args), WAIT)
}

fn client_command(lab: &Lab, bin: Bin, args: &[&str]) -> Command {
    assert!(
        std::path::Path::new(OLD).is_file() || bin == Bin::Ours,
        "{OLD} missing: `apt-get install -y ifplugd` (Debian's 0.28)"
    );
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &lab.ns, bin.path()]).args(args);
    c
}

/// The daemon in the foreground on `iface`, no delays, logging to stderr.
fn daemon(lab: &Lab, bin: Bin, iface: &str, extra: &[&str]) -> Daemon {
    let mut argv: Vec<String> = vec![bin.path().into()];
    argv.extend(lab.default_args(iface));
    argv.extend(extra.iter().map(|s| (*s).to_owned()));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    lab.start_via(iface, &argv)
}

/// Started and past its first check: 0.28's "Initialization complete",
/// ours' "link is ..." (or, with -M, "interface doesn't exist, waiting").
fn started(lab: &Lab, bin: Bin, iface: &str, extra: &[&str]) -> Daemon {
    let d = daemon(lab, bin, iface, extra);
    wait_line(&d, |m| {
        m.starts_with("Initialization complete")
            || m.starts_with("link is ")
            || m == "interface doesn't exist, waiting"
    });
    d
}

/// The SIGHUP/SIGUSR1/SIGUSR2 lines so far.
fn sig_lines(d: &Daemon) -> Vec<String> {
    d.msgs()
        .into_iter()
        .filter(|m| m.starts_with("SIG"))
        .collect()
}

/// Waits until some message satisfies `pred`.
fn wait_line(d: &Daemon, pred: impl Fn(&str) -> bool) {
    wait_until(|| d.context(), || d.msgs().iter().any(|m| pred(m)));
}

/// Waits until there are `n` SIG lines.
fn wait_sig_lines(d: &Daemon, n: usize) {
    wait_until(
        || format!("{n} SIG lines{}", d.context()),
        || sig_lines(d).len() >= n,
    );
}

/// Runs the client with `flag` and asserts it succeeded silently.
fn ask(lab: &Lab, bin: Bin, iface: &str, flag: &str) {
    let out = client(lab, bin, &["-i", iface, flag]);
    assert_eq!(out.status.code(), Some(0), "{bin:?} {flag}: {out:?}");
    assert!(out.stderr.is_empty(), "{bin:?} {flag}: {out:?}");
}

/// Pins 0.28's texts and counter: -z logs "SIGHUP: Running|Suspended,
/// link detected on IFACE: yes|no", each -S "SIGUSR1: Daemon suspended
/// (#N)" with N the new depth, each -R "SIGUSR2: Daemon resumed (#N)" with
/// N the depth it ends, and a -R while running says nothing; every client
/// call exits 0.
fn signal_lines(bin: Bin, iface: &str) {
    let lab = Lab::new(iface);
    lab.veth(iface);
    let d = started(&lab, bin, iface, &[]);
    let mut n = 0;
    for flag in ["-z", "-S", "-S", "-z", "-R", "-R", "-R", "-z"] {
        ask(&lab, bin, iface, flag);
        // The third -R logs nothing: the -z after it shows it was taken.
        if flag == "-R" && n == 6 {
            continue;
        }
        n += 1;
        wait_sig_lines(&d, n);
    }
    lab.veth_carrier(iface, true);
    wait_until(|| d.context(), || d.calls().len() == 1);
    ask(&lab, bin, iface, "-z");
    wait_sig_lines(&d, n + 1);
    let want: Vec<String> = [
        "SIGHUP: Running, link detected on @: no",
        "SIGUSR1: Daemon suspended (#1)",
        "SIGUSR1: Daemon suspended (#2)",
        "SIGHUP: Suspended, link detected on @: no",
        "SIGUSR2: Daemon resumed (#2)",
        "SIGUSR2: Daemon resumed (#1)",
        "SIGHUP: Running, link detected on @: no",
        "SIGHUP: Running, link detected on @: yes",
    ]
    .iter()
    .map(|l| l.replace('@', iface))
    .collect();
    assert_eq!(sig_lines(&d), want, "{bin:?}{}", d.context());
}

#[test]
fn signal_lines_as_0_28() {
    signal_lines(Bin::Ours, "ctlsig");
}

#[test]
fn signal_lines_of_0_28() {
    signal_lines(Bin::Old, "ctlsig8");
}

/// Pins 0.28: with -M, SIGHUP adds "SIGHUP: Interface enabled|disabled";
/// a missing interface's link is "no". (0.28's -M dies of the first
/// netlink message a current kernel sends, "NLAPI: Packet too small or
/// truncated!", so only ours goes on to the interface's appearance.)
fn monitor_lines(bin: Bin, iface: &str) {
    let lab = Lab::new(iface);
    let d = started(&lab, bin, iface, &["-M"]);
    ask(&lab, bin, iface, "-z");
    wait_sig_lines(&d, 2);
    let mut want = vec![
        format!("SIGHUP: Running, link detected on {iface}: no"),
        "SIGHUP: Interface disabled".to_owned(),
    ];
    if bin == Bin::Ours {
        lab.veth(iface);
        lab.veth_carrier(iface, true);
        wait_until(|| d.context(), || d.calls().len() == 1);
        ask(&lab, bin, iface, "-z");
        wait_sig_lines(&d, 4);
        want.push(format!("SIGHUP: Running, link detected on {iface}: yes"));
        want.push("SIGHUP: Interface enabled".to_owned());
    }
    assert_eq!(sig_lines(&d), want, "{bin:?}{}", d.context());
}

#[test]
fn monitor_lines_as_0_28() {
    monitor_lines(Bin::Ours, "ctlmon");
}

#[test]
fn monitor_lines_of_0_28() {
    monitor_lines(Bin::Old, "ctlmon8");
}

/// Pins 0.28: while suspended nothing is detected and no script runs (the
/// status line still says the link is down, as before the -S); after -R
/// the link is checked (ours at once, 0.28 at its next tick) and the
/// script runs.
fn suspended_ignores_the_link(bin: Bin, iface: &str) {
    let lab = Lab::new(iface);
    lab.veth(iface);
    let d = started(&lab, bin, iface, &[]);
    ask(&lab, bin, iface, "-S");
    wait_sig_lines(&d, 1);
    let before = d.msgs().len();
    lab.veth_carrier(iface, true);
    // -t 1: two ticks at least.
    sleep(Duration::from_millis(2500));
    assert!(d.calls().is_empty(), "{bin:?} ran a script{}", d.context());
    assert_eq!(
        d.msgs().len(),
        before,
        "{bin:?} said something{}",
        d.context()
    );
    ask(&lab, bin, iface, "-z");
    wait_sig_lines(&d, 2);
    assert_eq!(
        sig_lines(&d)[1],
        format!("SIGHUP: Suspended, link detected on {iface}: no")
    );
    let resumed = Instant::now();
    ask(&lab, bin, iface, "-R");
    let calls = d.wait_calls(1);
    assert_eq!(calls[0].args[1], "up", "{}", d.context());
    // 0.28 detects before it reads signals: at its next -t tick.
    let limit = Duration::from_millis(if bin == Bin::Ours { 1000 } else { 2500 });
    assert!(
        resumed.elapsed() < limit,
        "{bin:?}: up script {:?} after -R{}",
        resumed.elapsed(),
        d.context()
    );
}

#[test]
fn suspended_ignores_the_link_as_0_28() {
    suspended_ignores_the_link(Bin::Ours, "ctlsus");
}

#[test]
fn suspended_ignores_the_link_in_0_28() {
    suspended_ignores_the_link(Bin::Old, "ctlsus8");
}

/// Ours: a change found at resume waits its delay as usual (-u 2), and the
/// check at resume is immediate (not at the next -t tick, here 10 s).
#[test]
fn a_change_found_at_resume_waits_its_delay() {
    let iface = "ctldly";
    let lab = Lab::new(iface);
    lab.veth(iface);
    let d = started(&lab, Bin::Ours, iface, &["-u", "2", "-t", "10"]);
    ask(&lab, Bin::Ours, iface, "-S");
    d.wait_msg("SIGUSR1: Daemon suspended (#1)");
    lab.veth_carrier(iface, true);
    sleep(Duration::from_millis(1000));
    assert!(
        !d.msgs().iter().any(|m| m == "link is up"),
        "{}",
        d.context()
    );
    ask(&lab, Bin::Ours, iface, "-R");
    let up = d.wait_msg("link is up");
    let resumed = d.wait_msg("SIGUSR2: Daemon resumed (#1)");
    assert!(
        d.msg_time(up) - d.msg_time(resumed) < 500,
        "{}",
        d.context()
    );
    let calls = d.wait_calls(1);
    let waited = calls[0].ms.saturating_sub(d.msg_time(up));
    assert!(
        (1800..4000).contains(&waited),
        "up script {waited} ms after the link, not after -u 2{}",
        d.context()
    );
}

/// Ours (0.28 runs its script in the foreground and reads no signal
/// meanwhile): a script running at -S finishes and its end is logged; the
/// change that follows waits for -R.
#[test]
fn a_running_script_finishes_while_suspended() {
    let iface = "ctlrun";
    let lab = Lab::new(iface);
    lab.veth(iface);
    lab.veth_carrier(iface, true);
    lab.set_hook("rm -f \"$d/hook\"\nsleep 1\n");
    let d = daemon(&lab, Bin::Ours, iface, &[]);
    d.wait_msg(&d.executing("up"));
    ask(&lab, Bin::Ours, iface, "-S");
    d.wait_msg("SIGUSR1: Daemon suspended (#1)");
    d.wait_msg("exit code: 0");
    lab.veth_carrier(iface, false);
    sleep(Duration::from_millis(1500));
    d.assert_calls(&["up error>up"]);
    ask(&lab, Bin::Ours, iface, "-R");
    d.wait_calls(2);
    d.assert_calls(&["up error>up", "down up>down"]);
}

/// Ours with several interfaces: one status line per interface, each
/// under its own name; suspend and resume under the instance's.
#[test]
fn one_status_line_per_interface() {
    let lab = Lab::new("ctlm1");
    lab.veth("ctlm1");
    lab.veth("ctlm2");
    lab.veth_carrier("ctlm2", true);
    let args = [
        "-n",
        "-s",
        "-i",
        "ctlm1",
        "-i",
        "ctlm2",
        "-r",
        &lab.script,
        "-u",
        "0",
    ];
    let d = lab.start_raw("ctlm1,ctlm2", &args, &[]);
    wait_until(|| d.context(), || d.calls().len() == 1);
    let out = client(&lab, Bin::Ours, &["-i", "ctlm1", "-i", "ctlm2", "-S"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = client(&lab, Bin::Ours, &["-i", "ctlm1", "-i", "ctlm2", "-z"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    wait_until(
        || d.context(),
        || d.lines().iter().filter(|l| l.contains("SIG")).count() == 3,
    );
    let lines: Vec<String> = d
        .lines()
        .into_iter()
        .filter(|l| l.contains("SIG"))
        .collect();
    assert_eq!(
        lines,
        [
            "ifplugd(ctlm1,ctlm2): SIGUSR1: Daemon suspended (#1)",
            "ifplugd(ctlm1): SIGHUP: Suspended, link detected on ctlm1: no",
            "ifplugd(ctlm2): SIGHUP: Suspended, link detected on ctlm2: yes",
        ],
        "{}",
        d.context()
    );
}

/// What the client printed on stderr, without our prefix.
fn client_error(out: &Output, iface: &str) -> String {
    let text = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    let prefix = format!("ifplugd({iface}): ");
    text.strip_prefix(&prefix)
        .map(str::to_owned)
        .unwrap_or(text)
}

/// Pins 0.28's client without a daemon: -S, -R, -z and -k -W exit 6 with
/// "Failed to kill daemon. (No such file or directory)"; with a pid file
/// naming a dead process, 6 and "(No such process)". Where they differ:
/// -k alone exits 0 silently in ours (BusyBox's), 6 in 0.28.
#[test]
fn client_exit_codes_as_0_28() {
    let lab = Lab::new("ctlcli");
    for bin in [Bin::Ours, Bin::Old] {
        let iface = if bin == Bin::Ours {
            "ctlcli"
        } else {
            "ctlcli8"
        };
        let _ = std::fs::remove_file(pid_file(iface));
        for args in [&["-S"][..], &["-R"], &["-z"], &["-k", "-W"]] {
            let mut all = vec!["-i", iface];
            all.extend_from_slice(args);
            let out = client(&lab, bin, &all);
            assert_eq!(out.status.code(), Some(6), "{bin:?} {args:?}: {out:?}");
            assert!(
                client_error(&out, iface)
                    .ends_with("Failed to kill daemon. (No such file or directory)"),
                "{bin:?} {args:?}: {out:?}"
            );
        }
        let out = client(&lab, bin, &["-i", iface, "-k"]);
        let want = if bin == Bin::Ours { 0 } else { 6 };
        assert_eq!(out.status.code(), Some(want), "{bin:?} -k: {out:?}");
        // A pid that no longer runs.
        let mut gone = Command::new("true").spawn().expect("run true");
        let pid = gone.id();
        gone.wait().expect("wait for true");
        std::fs::write(pid_file(iface), format!("{pid}\n")).expect("write pid file");
        let out = client(&lab, bin, &["-i", iface, "-S"]);
        let _ = std::fs::remove_file(pid_file(iface));
        assert_eq!(out.status.code(), Some(6), "{bin:?} stale: {out:?}");
        assert!(
            client_error(&out, iface).ends_with("Failed to kill daemon. (No such process)"),
            "{bin:?} stale: {out:?}"
        );
    }
}

/// Runs `-k -W` against `d` while reaping it (a zombie still answers
/// kill(pid, 0), and the daemon here is our child); returns the client's
/// output and how long it took.
fn kill_wait(lab: &Lab, bin: Bin, d: &mut Daemon) -> (Output, Duration) {
    let start = Instant::now();
    let mut cmd = client_command(lab, bin, &["-i", &d.iface.clone(), "-k", "-W"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("start the client");
    let waiter = std::thread::spawn(move || child.wait_with_output().expect("client output"));
    while !waiter.is_finished() {
        d.running();
        assert!(start.elapsed() < WAIT, "-k -W still running{}", d.context());
        sleep(Duration::from_millis(10));
    }
    (waiter.join().expect("client thread"), start.elapsed())
}

/// Pins 0.28's -k -W: it returns 0 once the daemon is gone. Ours sends
/// BusyBox's SIGQUIT (0.28 SIGINT), so no down script runs.
#[test]
fn kill_wait_returns_once_the_daemon_is_gone() {
    for bin in [Bin::Ours, Bin::Old] {
        let iface = if bin == Bin::Ours { "ctlkw" } else { "ctlkw8" };
        let lab = Lab::new(iface);
        lab.veth(iface);
        lab.veth_carrier(iface, true);
        let mut d = started(&lab, bin, iface, &[]);
        wait_until(|| d.context(), || d.calls().len() == 1);
        let (out, _) = kill_wait(&lab, bin, &mut d);
        assert_eq!(out.status.code(), Some(0), "{bin:?}: {out:?}");
        assert!(out.stderr.is_empty(), "{bin:?}: {out:?}");
        assert!(!d.running(), "{bin:?} still running{}", d.context());
        let want = if bin == Bin::Ours { 1 } else { 2 };
        assert_eq!(d.calls().len(), want, "{bin:?}{}", d.context());
    }
}

/// Pins 0.28's -k -W limit: a daemon that does not exit (stopped here)
/// makes it give up after 5 s with exit 6 and "Failed to kill daemon.
/// (Timer expired)". Ours and 0.28 side by side.
#[test]
fn kill_wait_gives_up_after_5_s_as_0_28() {
    let run = |bin: Bin, iface: &'static str| {
        std::thread::spawn(move || {
            let lab = Lab::new(iface);
            lab.veth(iface);
            let mut d = started(&lab, bin, iface, &[]);
            d.signal("STOP");
            let (out, took) = kill_wait(&lab, bin, &mut d);
            d.signal("CONT");
            assert_eq!(out.status.code(), Some(6), "{bin:?}: {out:?}");
            assert!(
                client_error(&out, iface).ends_with("Failed to kill daemon. (Timer expired)"),
                "{bin:?}: {out:?}"
            );
            assert!(
                (Duration::from_millis(4900)..Duration::from_millis(7000)).contains(&took),
                "{bin:?} waited {took:?}"
            );
            // The signal was sent: it ends once continued.
            let _ = d.wait_exit();
        })
    };
    let ours = run(Bin::Ours, "ctlkt");
    let old = run(Bin::Old, "ctlkt8");
    ours.join().expect("ours");
    old.join().expect("0.28");
}
