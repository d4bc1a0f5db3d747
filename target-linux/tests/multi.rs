//! One daemon for several interfaces (issue 12, feature `multi`): `-i`
//! given several times, name patterns, one machine per interface, scripts
//! side by side, the instance's pid file.
//!
//! Patterns here end in `?` over one digit (`mps?` matches `mps1`, not the
//! veth peer `mps1p`), so no test watches a peer by accident. Each test has
//! its own names: the pid file /var/run/ifplugd.INSTANCE.pid is not
//! namespaced.
#![cfg(feature = "multi")]

mod common;
use common::*;
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// Starts `ifplugd -n -s -i V1 -i V2 ... -r SCRIPT -t 1 -u 0 -d 0 ARGS`; the
/// Daemon's name is the instance name (the values joined with ','), which
/// names the pid file.
fn start_multi(lab: &Lab, values: &[&str], args: &[&str]) -> Daemon {
    let mut all: Vec<&str> = vec!["-n", "-s"];
    for v in values {
        all.extend(["-i", v]);
    }
    all.extend(["-r", &lab.script, "-t", "1", "-u", "0", "-d", "0"]);
    all.extend_from_slice(args);
    lab.start_raw(&values.join(","), &all, &[])
}

/// A veth `name` (peer `name`p), its carrier on or off.
fn veth_with(lab: &Lab, name: &str, carrier: bool) {
    lab.veth(name);
    lab.veth_carrier(name, carrier);
}

/// The script calls for one interface ($1 = `iface`).
fn calls_of(lab: &Lab, iface: &str) -> Vec<Call> {
    lab.calls()
        .into_iter()
        .filter(|c| c.args[0] == iface)
        .collect()
}

/// The calls for one interface, each as "ACTION PREVIOUS>CURRENT".
fn brief_of(lab: &Lab, iface: &str) -> Vec<String> {
    calls_of(lab, iface).iter().map(Call::brief).collect()
}

/// Waits until `iface` has had `n` script calls; returns them.
fn wait_calls_of(lab: &Lab, d: &Daemon, iface: &str, n: usize) -> Vec<Call> {
    let mut calls = Vec::new();
    wait_until(
        || format!("{n} script call(s) for {iface}{}", d.context()),
        || {
            calls = calls_of(lab, iface);
            calls.len() >= n
        },
    );
    calls
}

fn assert_brief_of(lab: &Lab, d: &Daemon, iface: &str, expected: &[&str]) {
    let got = brief_of(lab, iface);
    if got != expected {
        panic!(
            "script calls for {iface} differ\nexpected: {expected:?}\nactual: {got:?}{}",
            d.context()
        );
    }
}

/// The actions ("up"/"down") of the calls for `iface`.
fn actions_of(lab: &Lab, iface: &str) -> Vec<String> {
    calls_of(lab, iface)
        .into_iter()
        .map(|c| c.args[1].clone())
        .collect()
}

/// The messages of one interface: its lines without "ifplugd(IFACE): ".
fn lines_of(d: &Daemon, iface: &str) -> Vec<String> {
    let prefix = format!("ifplugd({iface}): ");
    d.lines()
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

/// Waits until `iface` has said `msg` `n` times.
fn wait_line_n(d: &Daemon, iface: &str, msg: &str, n: usize) {
    wait_until(
        || format!("message #{n} {msg:?} of {iface}{}", d.context()),
        || lines_of(d, iface).iter().filter(|m| *m == msg).count() >= n,
    );
}

/// "executing 'SCRIPT IFACE ACTION'".
fn executing(lab: &Lab, iface: &str, action: &str) -> String {
    format!("executing '{} {iface} {action}'", lab.script)
}

/// Waits until the daemon brought `iface` up (it watches it).
fn wait_admin_up(lab: &Lab, d: &Daemon, iface: &str) {
    wait_until(
        || format!("{iface} brought up{}", d.context()),
        || lab.admin_up(iface),
    );
}

/// Lets a poll period (-t 1) and any late script pass, so that a call
/// that should not come had its chance.
fn settle() {
    sleep(Duration::from_millis(1500));
}

/// SIGTERM, exit 1, the instance's "exiting" last, and its pid file gone.
fn term_and_exit(d: &mut Daemon) {
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let last = format!("ifplugd({}): exiting", d.iface);
    assert_eq!(
        d.lines().last().map(String::as_str),
        Some(last.as_str()),
        "{}",
        d.context()
    );
    assert!(!pid_file(&d.iface).exists(), "pid file left behind");
}

#[test]
fn three_interfaces_by_pattern_get_their_up_script_at_start() {
    let lab = Lab::new("mps");
    for w in ["mps1", "mps2", "mps3"] {
        veth_with(&lab, w, true);
    }
    // A fourth that matches but has no link, and one that does not match.
    veth_with(&lab, "mps4", false);
    veth_with(&lab, "mpsno", true);
    let mut d = lab.start("mps?", &[]);
    for w in ["mps1", "mps2", "mps3"] {
        wait_calls_of(&lab, &d, w, 1);
        wait_line_n(&d, w, "exit code: 0", 1);
    }
    settle();
    assert_eq!(
        d.lines().first().cloned(),
        Some(format!("ifplugd(mps?): started: ifplugd-rs v{VERSION}")),
        "{}",
        d.context()
    );
    for w in ["mps1", "mps2", "mps3"] {
        assert_brief_of(&lab, &d, w, &["up error>up"]);
        let call = &calls_of(&lab, w)[0];
        assert_eq!(call.argc, 2, "{}", d.context());
        assert_eq!(call.args, [w, "up", "", ""].map(String::from));
        let lines = lines_of(&d, w);
        assert!(
            lines.contains(&"link is up".to_owned()) && lines.contains(&executing(&lab, w, "up")),
            "{w}: {lines:?}{}",
            d.context()
        );
        assert!(lab.admin_up(w), "{w} not brought up{}", d.context());
    }
    // The matching interface without a link: watched (brought up), quiet.
    assert!(lab.admin_up("mps4"), "mps4 not brought up{}", d.context());
    assert_brief_of(&lab, &d, "mps4", &[]);
    // Neither the unmatched interface nor the peers are watched.
    assert!(!lab.admin_up("mpsno"), "mpsno brought up{}", d.context());
    assert!(lines_of(&d, "mpsno").is_empty(), "{}", d.context());
    assert_eq!(lab.calls().len(), 3, "{}", d.context());
    assert_eq!(read_pid_file("mps?"), Some(d.pid), "{}", d.context());
    // Every line names an interface or the instance.
    for l in d.lines() {
        assert!(
            ["mps?", "mps1", "mps2", "mps3", "mps4"]
                .iter()
                .any(|w| l.starts_with(&format!("ifplugd({w}): "))),
            "line without a known prefix: {l:?}{}",
            d.context()
        );
    }
    term_and_exit(&mut d);
    for w in ["mps1", "mps2", "mps3"] {
        assert_brief_of(&lab, &d, w, &["up error>up", "down up>error"]);
    }
    assert_brief_of(&lab, &d, "mps4", &[]);
}

#[test]
fn a_slow_script_on_one_interface_blocks_no_other() {
    let lab = Lab::new("mpw");
    for w in ["mpw1", "mpw2", "mpw3"] {
        veth_with(&lab, w, false);
    }
    // mpw1's first call takes 3 s, and says when it ended.
    lab.set_hook(
        "if [ \"$1\" = mpw1 ] && [ ! -e \"$d/slow-done\" ]; then\n\
         \tsleep 3\n\
         \tdate +%s%3N > \"$d/slow-done.tmp\" && mv \"$d/slow-done.tmp\" \"$d/slow-done\"\n\
         fi\n",
    );
    let mut d = lab.start("mpw?", &[]);
    for w in ["mpw1", "mpw2", "mpw3"] {
        wait_admin_up(&lab, &d, w);
        wait_line_n(&d, w, "link is down", 1);
    }
    lab.veth_carrier("mpw1", true);
    let slow = wait_calls_of(&lab, &d, "mpw1", 1)[0].clone();
    assert_eq!(slow.brief(), "up down>up", "{}", d.context());

    // The others flap while mpw1's script sleeps: each call starts at once.
    let mut latencies = Vec::new();
    let mut seen = Vec::new();
    for (n, (w, on)) in [
        ("mpw2", true),
        ("mpw3", true),
        ("mpw2", false),
        ("mpw3", false),
    ]
    .into_iter()
    .enumerate()
    {
        let t0 = now_ms();
        lab.veth_carrier(w, on);
        let k = n / 2 + 1;
        let call = wait_calls_of(&lab, &d, w, k)[k - 1].clone();
        assert_eq!(
            call.args[1],
            if on { "up" } else { "down" },
            "{}",
            d.context()
        );
        latencies.push((w, on, call.ms.saturating_sub(t0)));
        seen.push(call);
    }
    // A change on mpw1 itself while its script runs: decided when it ends.
    lab.veth_carrier("mpw1", false);

    let done_file = lab.dir.join("slow-done");
    let mut slow_end = 0u128;
    wait_until(
        || format!("the slow script to end{}", d.context()),
        || {
            slow_end = std::fs::read_to_string(&done_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(0);
            slow_end > 0
        },
    );
    eprintln!("change -> script beside a 3 s script: {latencies:?}");
    for (w, on, ms) in &latencies {
        assert!(
            *ms < 1500,
            "{w} carrier {on}: its script started {ms} ms after the change \
             while mpw1's script slept: {latencies:?}{}",
            d.context()
        );
    }
    for call in &seen {
        assert!(
            call.ms < slow_end,
            "{call:?} started only after mpw1's slow script ended at {slow_end}{}",
            d.context()
        );
    }
    let calls = wait_calls_of(&lab, &d, "mpw1", 2);
    assert_eq!(calls[1].brief(), "down up>down", "{}", d.context());
    assert!(
        calls[1].ms >= slow_end,
        "mpw1's down started at {} before its up script ended at {slow_end}{}",
        calls[1].ms,
        d.context()
    );
    settle();
    assert_brief_of(&lab, &d, "mpw1", &["up down>up", "down up>down"]);
    for w in ["mpw2", "mpw3"] {
        assert_brief_of(&lab, &d, w, &["up down>up", "down up>down"]);
    }
    // All down: SIGTERM runs nothing.
    term_and_exit(&mut d);
    assert_eq!(lab.calls().len(), 6, "{}", d.context());
}

#[test]
fn an_interface_that_appears_is_followed_until_deleted() {
    let lab = Lab::new("mpn");
    veth_with(&lab, "mpn1", true);
    let mut d = lab.start("mpn?", &[]);
    wait_calls_of(&lab, &d, "mpn1", 1);

    // Appears without a link: watched (brought up), no call.
    lab.veth("mpn2");
    wait_admin_up(&lab, &d, "mpn2");
    lab.veth_carrier("mpn2", true);
    wait_calls_of(&lab, &d, "mpn2", 1);
    assert_eq!(actions_of(&lab, "mpn2"), ["up"], "{}", d.context());
    assert_eq!(calls_of(&lab, "mpn2")[0].current, "up", "{}", d.context());
    lab.veth_carrier("mpn2", false);
    wait_calls_of(&lab, &d, "mpn2", 2);
    lab.veth_carrier("mpn2", true);
    wait_calls_of(&lab, &d, "mpn2", 3);
    // Deleted while up: its down script.
    lab.link_del("mpn2");
    let calls = wait_calls_of(&lab, &d, "mpn2", 4);
    let tail: Vec<String> = calls[1..].iter().map(Call::brief).collect();
    assert_eq!(
        tail,
        ["down up>down", "up down>up", "down up>down"],
        "{}",
        d.context()
    );

    // One that appears and goes without ever having a link: no call.
    lab.veth("mpn3");
    wait_admin_up(&lab, &d, "mpn3");
    lab.link_del("mpn3");

    // Created again under the same name: followed again.
    veth_with(&lab, "mpn2", true);
    wait_calls_of(&lab, &d, "mpn2", 5);
    settle();
    assert_eq!(
        actions_of(&lab, "mpn2"),
        ["up", "down", "up", "down", "up"],
        "{}",
        d.context()
    );
    assert_brief_of(&lab, &d, "mpn3", &[]);
    assert_brief_of(&lab, &d, "mpn1", &["up error>up"]);
    assert!(d.running(), "{}", d.context());
    term_and_exit(&mut d);
    assert_brief_of(&lab, &d, "mpn1", &["up error>up", "down up>error"]);
    assert_eq!(
        calls_of(&lab, "mpn2").last().map(Call::brief).as_deref(),
        Some("down up>error"),
        "{}",
        d.context()
    );
    assert_eq!(calls_of(&lab, "mpn2").len(), 6, "{}", d.context());
}

#[test]
fn a_rename_into_the_pattern_appears_and_out_of_it_disappears() {
    let lab = Lab::new("mpr");
    veth_with(&lab, "mpr1", true);
    // Not matching yet: up, with its link, but nobody's.
    veth_with(&lab, "mpxin", true);
    lab.link_up("mpxin");
    let mut d = lab.start("mpr?", &[]);
    wait_calls_of(&lab, &d, "mpr1", 1);
    settle();
    assert!(calls_of(&lab, "mpxin").is_empty(), "{}", d.context());

    // Into the pattern: it appears, link up.
    lab.ip(&["link", "set", "mpxin", "name", "mpr2"]);
    let calls = wait_calls_of(&lab, &d, "mpr2", 1);
    assert_eq!(calls[0].args[1], "up", "{}", d.context());
    assert_eq!(calls[0].current, "up", "{}", d.context());

    // Out of it: it disappears, with its down script.
    lab.ip(&["link", "set", "mpr2", "name", "mpxout"]);
    let calls = wait_calls_of(&lab, &d, "mpr2", 2);
    assert_eq!(calls[1].brief(), "down up>down", "{}", d.context());
    // Not watched any more: its link changes run nothing (its peer kept
    // the name it was made with).
    lab.ip(&["link", "set", "mpxinp", "down"]);
    lab.ip(&["link", "set", "mpxinp", "up"]);

    // Back in, under another matching name.
    lab.ip(&["link", "set", "mpxout", "name", "mpr3"]);
    let calls = wait_calls_of(&lab, &d, "mpr3", 1);
    assert_eq!(calls[0].args[1], "up", "{}", d.context());
    settle();
    assert_eq!(calls_of(&lab, "mpr2").len(), 2, "{}", d.context());
    assert_eq!(calls_of(&lab, "mpr3").len(), 1, "{}", d.context());
    assert!(calls_of(&lab, "mpxin").is_empty(), "{}", d.context());
    assert!(calls_of(&lab, "mpxout").is_empty(), "{}", d.context());
    assert_brief_of(&lab, &d, "mpr1", &["up error>up"]);
    term_and_exit(&mut d);
    assert_brief_of(&lab, &d, "mpr1", &["up error>up", "down up>error"]);
    assert_eq!(
        calls_of(&lab, "mpr3").last().map(Call::brief).as_deref(),
        Some("down up>error"),
        "{}",
        d.context()
    );
    assert_eq!(calls_of(&lab, "mpr2").len(), 2, "{}", d.context());
}

#[test]
fn sigterm_runs_the_down_script_of_exactly_the_interfaces_that_are_up() {
    let lab = Lab::new("mpt");
    veth_with(&lab, "mpt1", true); // up throughout
    veth_with(&lab, "mpt2", false); // down throughout
    veth_with(&lab, "mpt3", true); // up throughout
    veth_with(&lab, "mpt4", true); // up, then down
    veth_with(&lab, "mpt5", false); // down, then up
    let mut d = lab.start("mpt?", &[]);
    for w in ["mpt1", "mpt3", "mpt4"] {
        wait_calls_of(&lab, &d, w, 1);
    }
    wait_line_n(&d, "mpt2", "link is down", 1);
    wait_line_n(&d, "mpt5", "link is down", 1);
    lab.veth_carrier("mpt4", false);
    wait_calls_of(&lab, &d, "mpt4", 2);
    lab.veth_carrier("mpt5", true);
    wait_calls_of(&lab, &d, "mpt5", 1);
    // Every script so far has ended.
    for w in ["mpt1", "mpt3", "mpt4", "mpt5"] {
        wait_line_n(&d, w, "exit code: 0", calls_of(&lab, w).len());
    }
    let before = lab.calls().len();
    assert_eq!(before, 5, "{}", d.context());
    // The shutdown's down scripts take 2 s each: side by side, they all
    // start at once.
    lab.set_hook("if [ \"$IFPLUGD_CURRENT\" = error ]; then sleep 2; fi\n");
    term_and_exit(&mut d);
    assert_brief_of(&lab, &d, "mpt1", &["up error>up", "down up>error"]);
    assert_brief_of(&lab, &d, "mpt2", &[]);
    assert_brief_of(&lab, &d, "mpt3", &["up error>up", "down up>error"]);
    assert_brief_of(&lab, &d, "mpt4", &["up error>up", "down up>down"]);
    assert_brief_of(&lab, &d, "mpt5", &["up down>up", "down up>error"]);
    let downs: Vec<u128> = lab.calls()[before..].iter().map(|c| c.ms).collect();
    assert_eq!(downs.len(), 3, "{}", d.context());
    let spread = downs.iter().max().unwrap() - downs.iter().min().unwrap();
    assert!(
        spread < 1500,
        "the shutdown's down scripts ran one after another ({spread} ms apart){}",
        d.context()
    );
    for w in ["mpt1", "mpt3", "mpt5"] {
        wait_line_n(&d, w, "exit code: 0", 2);
    }
}

#[test]
fn kill_and_already_running_find_a_pattern_instance() {
    let lab = Lab::new("mpk");
    veth_with(&lab, "mpk1", true);
    veth_with(&lab, "mpkwan", true);
    let values = ["mpk?", "mpkwan"];
    let instance = "mpk?,mpkwan";
    let mut d = start_multi(&lab, &values, &[]);
    wait_calls_of(&lab, &d, "mpk1", 1);
    wait_calls_of(&lab, &d, "mpkwan", 1);
    wait_line_n(&d, "mpk1", "exit code: 0", 1);
    wait_line_n(&d, "mpkwan", "exit code: 0", 1);
    let path = std::path::PathBuf::from("/var/run/ifplugd.mpk?,mpkwan.pid");
    assert_eq!(pid_file(instance), path);
    let text = std::fs::read_to_string(&path).expect("the instance's pid file");
    assert_eq!(text, format!("{}\n", d.pid), "{}", d.context());

    // A second instance with the same values is refused.
    let script = lab.script.clone();
    let out = lab.run_bin(&["-n", "-s", "-i", "mpk?", "-i", "mpkwan", "-r", &script]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ifplugd(mpk?,mpkwan): daemon already running\n"
    );
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(d.running(), "{}", d.context());
    assert_eq!(read_pid_file(instance), Some(d.pid));

    // -k with other values names another pid file: nothing to stop.
    let out = lab.run_bin(&["-k", "-i", "mpk?"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    sleep(Duration::from_millis(300));
    assert!(d.running(), "-k -i mpk? stopped it{}", d.context());

    // -k with the same values: SIGQUIT, no script, exit.
    let out = lab.run_bin(&["-k", "-i", "mpk?", "-i", "mpkwan"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_brief_of(&lab, &d, "mpk1", &["up error>up"]);
    assert_brief_of(&lab, &d, "mpkwan", &["up error>up"]);
    assert_eq!(
        d.lines().last().map(String::as_str),
        Some("ifplugd(mpk?,mpkwan): exiting"),
        "{}",
        d.context()
    );
    assert!(!path.exists(), "pid file left behind");
}

/// A small generator for the flaps; no crate needed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn two_hundred_flaps_across_eight_interfaces_each_run_in_order() {
    const N: usize = 8;
    const FLAPS: usize = 200;
    let lab = Lab::new("mpf");
    let names: Vec<String> = (0..N).map(|i| format!("mpf{i}")).collect();
    for w in &names {
        veth_with(&lab, w, true);
    }
    let mut d = lab.start("mpf?", &["-u", "0", "-d", "0"]);
    for w in &names {
        wait_calls_of(&lab, &d, w, 1);
    }
    // Link state per interface, and the calls each should have had.
    let mut up = [true; N];
    let mut expected = [1usize; N];
    let mut rng = Lcg(0x5eed ^ u64::from(std::process::id()));
    let mut done = 0;
    let mut last_progress = Instant::now();
    while done < FLAPS {
        // An interface may change again once its last change has been
        // acted on (its script started): so every change outlives its
        // (zero) delay and is decided, and no two changes pile up behind
        // one running script.
        let calls = lab.calls();
        let mut ready: Vec<usize> = (0..N)
            .filter(|&i| calls.iter().filter(|c| c.args[0] == names[i]).count() == expected[i])
            .collect();
        if ready.is_empty() {
            if last_progress.elapsed() > WAIT {
                panic!(
                    "no interface acted on its change within {WAIT:?} \
                     (expected calls {expected:?}){}",
                    d.context()
                );
            }
            sleep(Duration::from_millis(5));
            continue;
        }
        last_progress = Instant::now();
        // Up to three ready interfaces change in one batch, together.
        let k = (1 + rng.next() as usize % 3)
            .min(ready.len())
            .min(FLAPS - done);
        let mut batch = String::new();
        for _ in 0..k {
            let i = ready.swap_remove(rng.next() as usize % ready.len());
            up[i] = !up[i];
            expected[i] += 1;
            batch.push_str(&format!(
                "link set {} {}\n",
                peer_of(&names[i]),
                if up[i] { "up" } else { "down" }
            ));
        }
        lab.batch(&batch, WAIT);
        done += k;
    }
    wait_until(
        || format!("the calls {expected:?}{}", d.context()),
        || (0..N).all(|i| calls_of(&lab, &names[i]).len() >= expected[i]),
    );
    settle();
    assert_eq!(expected.iter().sum::<usize>(), N + FLAPS);
    for (i, w) in names.iter().enumerate() {
        let calls = calls_of(&lab, w);
        assert_eq!(
            calls.len(),
            expected[i],
            "{w}: {} calls, {} changes{}",
            calls.len(),
            expected[i],
            d.context()
        );
        assert_eq!(calls[0].brief(), "up error>up", "{w}{}", d.context());
        for pair in calls.windows(2) {
            assert_ne!(
                pair[0].args[1],
                pair[1].args[1],
                "{w}: two {} calls in a row{}",
                pair[1].args[1],
                d.context()
            );
            assert_eq!(pair[1].previous, pair[0].current, "{w}{}", d.context());
        }
        for c in &calls {
            assert_eq!(c.args[1], c.current, "{w}: {c:?}{}", d.context());
        }
        let last = &calls[calls.len() - 1].args[1];
        assert_eq!(
            last,
            if up[i] { "up" } else { "down" },
            "{w}: the last call is not the final state{}",
            d.context()
        );
        assert_eq!(lab.lower_up(w), up[i], "{w}{}", d.context());
    }
    assert!(d.running(), "{}", d.context());
    let before: Vec<usize> = names.iter().map(|w| calls_of(&lab, w).len()).collect();
    term_and_exit(&mut d);
    for (i, w) in names.iter().enumerate() {
        let calls = calls_of(&lab, w);
        let want = before[i] + usize::from(up[i]);
        assert_eq!(calls.len(), want, "{w}{}", d.context());
        if up[i] {
            assert_eq!(
                calls[want - 1].brief(),
                "down up>error",
                "{w}{}",
                d.context()
            );
        }
    }
}

#[test]
fn a_single_plain_interface_keeps_its_pid_file_and_prefix() {
    let lab = Lab::new("mpone");
    veth_with(&lab, "mpone", true);
    let mut d = lab.start("mpone", &[]);
    d.wait_msg("exit code: 0");
    let text = std::fs::read_to_string("/var/run/ifplugd.mpone.pid").expect("pid file");
    assert_eq!(text, format!("{}\n", d.pid), "{}", d.context());
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut expected = startup("up");
    expected.extend(d.up_then_stopped());
    let lines: Vec<String> = expected
        .iter()
        .map(|m| format!("ifplugd(mpone): {m}"))
        .collect();
    assert_eq!(d.lines(), lines, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
    assert!(!pid_file("mpone").exists(), "pid file left behind");
}

#[test]
fn eight_named_interfaces_are_one_instance() {
    let lab = Lab::new("mpe");
    let names: Vec<String> = (1..=8).map(|i| format!("mpe{i}")).collect();
    for w in &names {
        veth_with(&lab, w, true);
    }
    let values: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut d = start_multi(&lab, &values, &[]);
    for w in &names {
        wait_calls_of(&lab, &d, w, 1);
    }
    let instance = values.join(",");
    assert_eq!(
        pid_file(&instance),
        std::path::PathBuf::from("/var/run/ifplugd.mpe1,mpe2,mpe3,mpe4,mpe5,mpe6,mpe7,mpe8.pid")
    );
    assert_eq!(read_pid_file(&instance), Some(d.pid), "{}", d.context());
    settle();
    assert_eq!(lab.calls().len(), 8, "{}", d.context());
    term_and_exit(&mut d);
    for w in &names {
        assert_brief_of(&lab, &d, w, &["up error>up", "down up>error"]);
    }
}

#[test]
fn nine_interfaces_are_too_many() {
    let lab = Lab::new("mpnine");
    let mut args = vec!["-n", "-s"];
    let names: Vec<String> = (1..=9).map(|i| format!("mpm{i}")).collect();
    for w in &names {
        args.extend(["-i", w]);
    }
    let out = lab.run_bin(&args);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ifplugd: too many -i (at most 8): use a pattern\n"
    );
    let instance = names.join(",");
    assert!(!pid_file(&instance).exists());
}
