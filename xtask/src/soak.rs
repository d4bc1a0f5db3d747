//! `cargo xtask soak [--flaps N]`: the release daemon follows N link flaps
//! (default 100000) on a veth pair in a throwaway network namespace, with
//! `-u 0 -d 0`, each flap waiting for its script call before the next. It
//! fails unless every flap got exactly one call, in order, and the daemon's
//! descriptors and resident memory did not grow.
//!
//! The peer is flipped through one long-lived `ip -n NS -batch -` fed on its
//! stdin (an `ip` per flap would be the bottleneck). Only std: the figures
//! come from /proc/PID/status and /proc/PID/fd. Interrupted with Ctrl-C it
//! leaves the namespace `ifplugd-soak-PID` behind (`ip netns del` it).

use crate::netns::{self, chmod_x, is_root, which, Namespace, TempDir};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const IFACE: &str = "soak0";
const PEER: &str = "soak0p";
/// Flaps before the first measurement: every code path taken once.
const WARM_UP: usize = 20;
/// How long one flap may take to reach the script.
const FLAP_LIMIT: Duration = Duration::from_secs(10);
/// Resident memory may differ by this much (kB) between the two readings.
const RSS_SLACK_KB: u64 = 8;

/// One line per call: the action. `$0`'s directory is the log's.
const SCRIPT: &str = "#!/bin/sh\necho \"$2\" >> \"${0%/*}/calls.log\"\n";

pub fn run(root: &Path, flaps: usize) -> Result<(), String> {
    if !is_root() {
        return Err(
            "the soak needs root: it creates a network namespace (try: sudo cargo xtask soak)"
                .into(),
        );
    }
    which("ip").ok_or("the soak needs `ip` (Debian package iproute2)")?;
    if flaps < 2 {
        return Err("--flaps must be at least 2".into());
    }

    println!("building the release ifplugd ...");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--release", "-p", "ifplugd"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p ifplugd failed".into());
    }
    let bin = target_dir(root).join("release/ifplugd");
    if !bin.is_file() {
        return Err(format!("{} is missing after the build", bin.display()));
    }

    let ns = Namespace::create("soak")?;
    let dir = TempDir::create("soak")?;
    let script = dir.0.join("soak.action");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    chmod_x(&script)?;
    let calls_log = dir.0.join("calls.log");
    ns.ip(&["link", "add", IFACE, "type", "veth", "peer", "name", PEER])?;

    let script_arg = script.to_string_lossy().into_owned();
    let args = [
        "-n",
        "-s",
        "-i",
        IFACE,
        "-r",
        &script_arg,
        "-t",
        "1",
        "-u",
        "0",
        "-d",
        "0",
    ];
    println!(
        "namespace {}: ifplugd {} ; {flaps} flaps of {PEER}",
        ns.name,
        args.join(" ")
    );
    let mut daemon = Daemon::start(&ns, &bin, &args)?;
    let result = soak(&ns, &mut daemon, &calls_log, flaps);
    let code = daemon.terminate();
    let figures = result.map_err(|e| format!("{e}\n{}", daemon.tail()))?;
    figures.print();
    if code != Some(1) {
        return Err(format!(
            "ifplugd exited with {code:?} after SIGTERM, not 1\n{}",
            daemon.tail()
        ));
    }
    figures.check()
}

/// Cargo's target directory, as Cargo itself resolves it.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// What the soak measured.
struct Figures {
    flaps: usize,
    calls: usize,
    out_of_order: Option<(usize, String)>,
    exit_codes: usize,
    rss: (u64, u64),
    hwm: (u64, u64),
    fds: (Vec<String>, Vec<String>),
    took: Duration,
}

impl Figures {
    fn print(&self) {
        let secs = self.took.as_secs_f64();
        println!("soak figures:");
        println!(
            "  flaps          {} in {secs:.1} s ({:.0} per second)",
            self.flaps,
            self.flaps as f64 / secs.max(0.001)
        );
        println!(
            "  script calls   {} (\"exit code: 0\" logged {} times)",
            self.calls, self.exit_codes
        );
        println!(
            "  VmRSS          {} kB -> {} kB (after {WARM_UP} flaps -> at the end)",
            self.rss.0, self.rss.1
        );
        println!("  VmHWM          {} kB -> {} kB", self.hwm.0, self.hwm.1);
        println!(
            "  open fds       {} -> {}",
            self.fds.0.len(),
            self.fds.1.len()
        );
    }

    fn check(&self) -> Result<(), String> {
        let mut wrong = Vec::new();
        if self.calls != self.flaps {
            wrong.push(format!(
                "{} script calls for {} flaps",
                self.calls, self.flaps
            ));
        }
        if self.exit_codes != self.flaps {
            wrong.push(format!(
                "{} \"exit code: 0\" lines for {} flaps",
                self.exit_codes, self.flaps
            ));
        }
        if let Some((i, line)) = &self.out_of_order {
            wrong.push(format!("call {i} was {line:?}: out of order"));
        }
        if self.fds.0 != self.fds.1 {
            wrong.push(format!(
                "descriptors changed: {:?} -> {:?}",
                self.fds.0, self.fds.1
            ));
        }
        if self.rss.1 > self.rss.0 + RSS_SLACK_KB {
            wrong.push(format!(
                "VmRSS grew from {} kB to {} kB",
                self.rss.0, self.rss.1
            ));
        }
        if wrong.is_empty() {
            println!("soak passed");
            Ok(())
        } else {
            Err(format!("soak failed: {}", wrong.join("; ")))
        }
    }
}

fn soak(
    ns: &Namespace,
    daemon: &mut Daemon,
    calls_log: &Path,
    flaps: usize,
) -> Result<Figures, String> {
    daemon.wait_started(Duration::from_secs(10))?;
    let mut flipper = Flipper::start(ns)?;
    let pid = daemon.pid();
    let started = Instant::now();
    // The log's size after each call is known: "up\n" or "down\n".
    let mut size = 0u64;
    let mut first = None;
    let mut report_at = Instant::now() + Duration::from_secs(10);
    for i in 0..flaps {
        let up = i.is_multiple_of(2);
        flipper.set(up)?;
        size += if up { 3 } else { 5 };
        let deadline = Instant::now() + FLAP_LIMIT;
        loop {
            let now_size = std::fs::metadata(calls_log).map(|m| m.len()).unwrap_or(0);
            if now_size >= size {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "flap {i} ({}): no script call within {FLAP_LIMIT:?}",
                    if up { "up" } else { "down" }
                ));
            }
            if !daemon.running() {
                return Err(format!("ifplugd died at flap {i}"));
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if i + 1 == WARM_UP {
            daemon.wait_count(WARM_UP, Duration::from_secs(10))?;
            first = Some((
                status_kb(pid, "VmRSS")?,
                status_kb(pid, "VmHWM")?,
                open_fds(pid)?,
            ));
        }
        if Instant::now() > report_at {
            report_at += Duration::from_secs(10);
            println!(
                "  {} flaps, VmRSS {} kB, {} fds (a running script's pidfd is one)",
                i + 1,
                status_kb(pid, "VmRSS")?,
                open_fds(pid)?.len()
            );
        }
    }
    let took = started.elapsed();
    daemon.wait_count(flaps, Duration::from_secs(10))?;
    let last = (
        status_kb(pid, "VmRSS")?,
        status_kb(pid, "VmHWM")?,
        open_fds(pid)?,
    );
    flipper.finish();
    // A late, unexpected call would show here.
    std::thread::sleep(Duration::from_millis(500));
    let text =
        std::fs::read_to_string(calls_log).map_err(|e| format!("{}: {e}", calls_log.display()))?;
    let out_of_order = text.lines().enumerate().find_map(|(i, line)| {
        let want = if i.is_multiple_of(2) { "up" } else { "down" };
        (line != want).then(|| (i, line.to_owned()))
    });
    let first = match first {
        Some(f) => f,
        None => (last.0, last.1, last.2.clone()),
    };
    Ok(Figures {
        flaps,
        calls: text.lines().count(),
        out_of_order,
        exit_codes: daemon.count(),
        rss: (first.0, last.0),
        hwm: (first.1, last.1),
        fds: (first.2, last.2),
        took,
    })
}

/// `ip -n NS -batch -`: one line per flip of the peer.
struct Flipper {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Flipper {
    fn start(ns: &Namespace) -> Result<Flipper, String> {
        let mut child = Command::new("ip")
            .args(["-n", &ns.name, "-batch", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("ip -batch -: {e}"))?;
        let stdin = child.stdin.take();
        Ok(Flipper { child, stdin })
    }

    fn set(&mut self, up: bool) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("ip -batch - is closed")?;
        let line = format!("link set {PEER} {}\n", if up { "up" } else { "down" });
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("ip -batch - stopped reading: {e}"))
    }

    fn finish(&mut self) {
        self.stdin = None;
        let _ = self.child.wait();
    }
}

impl Drop for Flipper {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Default)]
struct Log {
    /// How many "exit code: 0" lines so far.
    exit_codes: usize,
    /// Whether start-up's "link is down" came.
    started: bool,
    /// The last lines, for a failure message.
    tail: std::collections::VecDeque<String>,
}

/// The daemon under `ip netns exec`, which execs it: the pid is its own.
struct Daemon {
    child: Child,
    log: Arc<Mutex<Log>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Daemon {
    fn start(ns: &Namespace, bin: &Path, args: &[&str]) -> Result<Daemon, String> {
        let mut child = ns.spawn(bin, args)?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let log = Arc::new(Mutex::new(Log::default()));
        let sink = Arc::clone(&log);
        let prefix = format!("ifplugd({IFACE}): ");
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut g = sink.lock().unwrap_or_else(|e| e.into_inner());
                let msg = line.strip_prefix(&prefix).unwrap_or(&line);
                match msg {
                    "exit code: 0" => g.exit_codes += 1,
                    "link is down" => g.started = true,
                    _ => {}
                }
                g.tail.push_back(line);
                if g.tail.len() > 20 {
                    g.tail.pop_front();
                }
            }
        });
        Ok(Daemon {
            child,
            log,
            reader: Some(reader),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn count(&self) -> usize {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .exit_codes
    }

    /// Waits for start-up's "link is down" (the peer is down).
    fn wait_started(&mut self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            if self.log.lock().unwrap_or_else(|e| e.into_inner()).started {
                return Ok(());
            }
            if !self.running() {
                return Err("ifplugd exited during start-up".into());
            }
            if Instant::now() > deadline {
                return Err(format!("no \"link is down\" from ifplugd within {limit:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `n` "exit code: 0" lines have come.
    fn wait_count(&mut self, n: usize, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        while self.count() < n {
            if Instant::now() > deadline {
                return Err(format!(
                    "{} \"exit code: 0\" lines, {n} expected, after {limit:?}",
                    self.count()
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    fn tail(&self) -> String {
        let g = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let lines: Vec<&str> = g.tail.iter().map(String::as_str).collect();
        format!("--- the last lines of ifplugd ---\n{}", lines.join("\n"))
    }

    /// SIGTERM, then its exit status (SIGKILL after 10 s).
    fn terminate(&mut self) -> Option<i32> {
        let code =
            netns::terminate(&mut self.child, Duration::from_secs(10)).and_then(|s| s.code());
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        code
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A kB figure from /proc/PID/status.
fn status_kb(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or(format!("no {field} in {path}"))
}

/// "FD -> TARGET" for each open descriptor, sorted.
fn open_fds(pid: u32) -> Result<Vec<String>, String> {
    let path = format!("/proc/{pid}/fd");
    let mut fds: Vec<(u32, String)> = std::fs::read_dir(&path)
        .map_err(|e| format!("{path}: {e}"))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let fd = e.file_name().to_str()?.parse().ok()?;
            let target = std::fs::read_link(e.path()).ok()?;
            Some((fd, target.to_string_lossy().into_owned()))
        })
        .collect();
    fds.sort();
    Ok(fds
        .into_iter()
        .map(|(fd, t)| format!("{fd} -> {t}"))
        .collect())
}
