//! `cargo xtask bench`: how fast the daemon reacts and what it costs idle,
//! in the default (netlink) mode and in BusyBox-style polling (`-P`); and,
//! for one process on several interfaces (issue 12), how fast it reacts
//! while another interface's script runs and what 16 interfaces cost.
//!
//! Each run is a throwaway namespace with a veth pair or a tap held open.
//! The link is changed through one long-lived `ip -batch -` (so no process
//! start-up sits between the time stamp and the change), and the action
//! script is a tiny compiled program that stamps the time it started.
//! Latency = script start - time the change was written to `ip`.

use crate::netns::{is_root, which, Namespace, TempDir};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MUSL: &str = "x86_64-unknown-linux-musl";

/// The action script: appends "<unix ns> <args>" to $IFPLUGD_BENCH_LOG.
const STAMP_RS: &str = r#"
use std::io::Write;
fn main() {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let line = format!("{} {}\n", t.as_nanos(), args.join(" "));
    let path = std::env::var("IFPLUGD_BENCH_LOG").unwrap();
    let mut f = std::fs::OpenOptions::new().append(true).create(true).open(path).unwrap();
    f.write_all(line.as_bytes()).unwrap();
    // The multi-interface row: this interface's script is the slow one.
    if std::env::var("IFPLUGD_BENCH_SLOW").is_ok_and(|s| args.first() == Some(&s)) {
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
}
"#;

pub struct Config {
    pub changes: usize,
    pub idle_secs: u64,
}

impl Config {
    pub fn parse(args: &[String]) -> Result<Config, String> {
        let mut c = Config {
            changes: 400,
            idle_secs: 60,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| -> Result<u64, String> {
                it.next()
                    .and_then(|v| v.parse().ok())
                    .ok_or(format!("{name} needs a number"))
            };
            match a.as_str() {
                "--changes" => c.changes = value("--changes")? as usize,
                "--idle-secs" => c.idle_secs = value("--idle-secs")?,
                other => return Err(format!("bench: unknown argument {other}")),
            }
        }
        Ok(c)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Device {
    Veth,
    Tap,
}

pub fn run(root: &Path, cfg: &Config) -> Result<(), String> {
    if !is_root() {
        return Err("the benchmark needs root: it creates network namespaces".into());
    }
    which("ip").ok_or("the benchmark needs `ip` (Debian package iproute2)")?;
    crate::netns::ensure_apt("strace", "strace")?;
    crate::netns::ensure_apt("python3", "python3")?;

    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let bin = build_daemon(root)?;
    let stamp = build_stamp(&out_dir)?;

    let mut report = String::new();
    let _ = writeln!(
        report,
        "# ifplugd-rs benchmark\n\nBinary: `{}` (static musl, release). Command: `cargo xtask bench --changes {} --idle-secs {}`.\n",
        bin.strip_prefix(root).unwrap_or(&bin).display(),
        cfg.changes,
        cfg.idle_secs
    );
    let _ = writeln!(
        report,
        "## Reaction: carrier change to action script start\n"
    );
    let _ = writeln!(
        report,
        "| device | mode | daemon command | change | n | median ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|"
    );
    for device in [Device::Veth, Device::Tap] {
        for poll_only in [false, true] {
            let rows = latency_run(&bin, &stamp, device, poll_only, cfg.changes)?;
            for row in rows {
                println!("{row}");
                let _ = writeln!(report, "{row}");
            }
        }
    }
    let rows = latency_beside_slow_run(&bin, &stamp, cfg.changes)?;
    for row in rows {
        println!("{row}");
        let _ = writeln!(report, "{row}");
    }
    let _ = writeln!(
        report,
        "\n## Idle cost over {} s (veth, link up, no changes)\n",
        cfg.idle_secs
    );
    let _ = writeln!(
        report,
        "| mode | daemon command | wake-ups/min | system calls/min | VmHWM KiB | CPU ms |\n|---|---|---|---|---|---|"
    );
    for poll_only in [false, true] {
        let row = idle_run(&bin, &stamp, poll_only, cfg.idle_secs)?;
        println!("{row}");
        let _ = writeln!(report, "{row}");
    }
    let _ = writeln!(
        report,
        "\nWake-ups: the daemon's voluntary context switches (/proc/PID/status) over the window, untraced. System calls: `strace -c -f -p PID` over a second window as long. VmHWM and CPU time (utime+stime) from /proc at the end of the idle window."
    );
    let _ = writeln!(
        report,
        "\n## Memory: one process for many interfaces (veth pairs, link up)\n"
    );
    let _ = writeln!(
        report,
        "| daemon command | interfaces | VmHWM KiB |\n|---|---|---|"
    );
    let (one_cmd, one) = memory_run(&bin, &stamp, 1)?;
    let (many_cmd, many) = memory_run(&bin, &stamp, MANY)?;
    for row in [
        format!("| `{one_cmd}` | 1 | {one} |"),
        format!("| `{many_cmd}` | {MANY} | {many} |"),
        format!(
            "| {MANY} separate daemons (`-i NAME` each; {MANY} × the first row) | {MANY} | {} |",
            one * MANY as u64
        ),
    ] {
        println!("{row}");
        let _ = writeln!(report, "{row}");
    }
    let ratio = many as f64 / one.max(1) as f64;
    let verdict = if ratio <= 1.5 { "within" } else { "OVER" };
    let line = format!(
        "\n{MANY} interfaces in one process: {ratio:.2} × one interface ({verdict} issue 12's 1.5 ×). Each run: the start-up \"up\" of every interface, then every carrier down and up again at once (all scripts side by side), then VmHWM from /proc after 1 s."
    );
    println!("{line}");
    let _ = writeln!(report, "{line}");
    let path = out_dir.join("report.md");
    std::fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\n{report}\nwritten to {}", path.display());
    Ok(())
}

fn build_daemon(root: &Path) -> Result<PathBuf, String> {
    println!("building the static musl release binary ...");
    let _ = Command::new("rustup")
        .args(["target", "add", MUSL])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let ok = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "ifplugd",
            "--target",
            MUSL,
        ])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo: {e}"))?
        .success();
    if !ok {
        return Err(format!(
            "cargo build --release -p ifplugd --target {MUSL} failed"
        ));
    }
    Ok(root.join("target").join(MUSL).join("release/ifplugd"))
}

fn build_stamp(out_dir: &Path) -> Result<PathBuf, String> {
    let src = out_dir.join("stamp.rs");
    let bin = out_dir.join("stamp");
    std::fs::write(&src, STAMP_RS).map_err(|e| format!("{}: {e}", src.display()))?;
    let ok = Command::new("rustc")
        .args(["--edition", "2021", "-O", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .map_err(|e| format!("rustc: {e}"))?
        .success();
    if ok {
        Ok(bin)
    } else {
        Err("rustc could not build the benchmark's stamp program".into())
    }
}

/// How the daemon of a rig is started.
struct Launch<'a> {
    /// Its arguments before `-r STAMP`.
    args: &'a [String],
    /// Added to its environment.
    env: &'a [(&'a str, &'a str)],
    /// The start-up calls that say it is running.
    calls: usize,
    /// The interface (and its veth peer, or the tap's holder) that
    /// `set_carrier` changes.
    iface: String,
    peer: Option<String>,
    holder: Option<Child>,
}

/// Interfaces of the memory row's big instance.
const MANY: usize = 16;

/// The namespace, the device and the daemon of one run.
struct Rig {
    // Field order is drop order: the daemon and holders go before the
    // namespace.
    daemon: Child,
    ip: Child,
    ip_in: ChildStdin,
    holder: Option<Child>,
    log: PathBuf,
    iface: String,
    peer: Option<String>,
    command: String,
    _dir: TempDir,
    _ns: Namespace,
}

impl Drop for Rig {
    fn drop(&mut self) {
        for child in [
            Some(&mut self.daemon),
            Some(&mut self.ip),
            self.holder.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Rig {
    fn start(bin: &Path, stamp: &Path, device: Device, poll_only: bool) -> Result<Rig, String> {
        let tag = match device {
            Device::Veth => "bench-veth",
            Device::Tap => "bench-tap",
        };
        let ns = Namespace::create(tag)?;
        let dir = TempDir::create(tag)?;
        // Interface names are unique per run: the pid file is not namespaced.
        let iface = format!("bn{}{}", std::process::id() % 100_000, tag.len() % 10);
        let (peer, holder) = match device {
            Device::Veth => {
                let peer = format!("{iface}p");
                ns.ip(&["link", "add", &iface, "type", "veth", "peer", "name", &peer])?;
                ns.ip(&["link", "set", &peer, "up"])?;
                (Some(peer), None)
            }
            Device::Tap => {
                ns.ip(&["tuntap", "add", "mode", "tap", "name", &iface])?;
                let holder = hold_tap(&ns, &iface)?;
                ns.ip(&["link", "set", &iface, "up"])?;
                ns.ip(&["link", "set", &iface, "carrier", "on"])?;
                (None, Some(holder))
            }
        };
        let mut args = vec!["-n", "-s", "-i", &iface, "-u", "0", "-d", "0", "-t", "1"];
        if poll_only {
            args.push("-P");
        }
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let launch = Launch {
            args: &args,
            env: &[],
            calls: 1,
            iface: iface.clone(),
            peer,
            holder,
        };
        Rig::launch(bin, stamp, ns, dir, launch)
    }

    /// A daemon on veth pairs `names` (peers `NAME`p, all up) in one
    /// namespace: `-n -s` then `values` as `-i` values, `-u 0 -d 0 -t 1`.
    /// It is running once every interface had its start-up "up" call.
    fn start_veths(
        bin: &Path,
        stamp: &Path,
        tag: &str,
        names: &[String],
        values: &[String],
        env: &[(&str, &str)],
    ) -> Result<Rig, String> {
        let ns = Namespace::create(tag)?;
        let dir = TempDir::create(tag)?;
        for name in names {
            let peer = format!("{name}p");
            ns.ip(&["link", "add", name, "type", "veth", "peer", "name", &peer])?;
            ns.ip(&["link", "set", &peer, "up"])?;
        }
        let mut args: Vec<String> = vec!["-n".into(), "-s".into()];
        for v in values {
            args.extend(["-i".into(), v.clone()]);
        }
        args.extend(["-u", "0", "-d", "0", "-t", "1"].map(String::from));
        let first = names.first().ok_or("no interface")?;
        let launch = Launch {
            args: &args,
            env,
            calls: names.len(),
            iface: first.clone(),
            peer: Some(format!("{first}p")),
            holder: None,
        };
        Rig::launch(bin, stamp, ns, dir, launch)
    }

    /// Starts the daemon (`ARGS -r STAMP`) in `ns` and the long-lived
    /// `ip -batch -`; returns once the script was called `launch.calls`
    /// times.
    fn launch(
        bin: &Path,
        stamp: &Path,
        ns: Namespace,
        dir: TempDir,
        launch: Launch,
    ) -> Result<Rig, String> {
        let log = dir.0.join("calls.log");
        let shown: Vec<String> = launch
            .args
            .iter()
            .map(|a| {
                if a.contains(['*', '?', '[']) {
                    format!("'{a}'")
                } else {
                    a.clone()
                }
            })
            .collect();
        let command = format!("ifplugd {} -r STAMP", shown.join(" "));
        let daemon = Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(bin)
            .args(launch.args)
            .arg("-r")
            .arg(stamp)
            .env("IFPLUGD_BENCH_LOG", &log)
            .envs(launch.env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("ip netns exec: {e}"))?;
        let mut ip = Command::new("ip")
            .args(["-n", &ns.name, "-batch", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("ip -batch: {e}"))?;
        let ip_in = ip.stdin.take().ok_or("ip -batch has no stdin")?;
        let rig = Rig {
            daemon,
            ip,
            ip_in,
            holder: launch.holder,
            log,
            iface: launch.iface,
            peer: launch.peer,
            command,
            _dir: dir,
            _ns: ns,
        };
        // The start-up "up" calls say the daemon is running.
        rig.wait_calls(launch.calls, Duration::from_secs(10))?;
        Ok(rig)
    }

    /// Sets a veth peer up or down; returns when the command was written.
    fn set_peer(&mut self, peer: &str, on: bool) -> Result<SystemTime, String> {
        self.write_ip(&format!(
            "link set {peer} {}\n",
            if on { "up" } else { "down" }
        ))
    }

    fn write_ip(&mut self, line: &str) -> Result<SystemTime, String> {
        let t = SystemTime::now();
        self.ip_in
            .write_all(line.as_bytes())
            .and_then(|()| self.ip_in.flush())
            .map_err(|e| format!("ip -batch: {e}"))?;
        Ok(t)
    }

    /// The calls of one interface's script.
    fn calls_of(&self, iface: &str) -> Vec<(u128, String)> {
        let mut calls = self.calls();
        calls.retain(|(_, what)| what.split(' ').next() == Some(iface));
        calls
    }

    fn wait_calls_of(
        &self,
        iface: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<(u128, String)>, String> {
        let end = Instant::now() + timeout;
        loop {
            let calls = self.calls_of(iface);
            if calls.len() >= n {
                return Ok(calls);
            }
            if Instant::now() > end {
                return Err(format!(
                    "{iface}'s script was called {} times, expected {n}: {calls:?}",
                    calls.len()
                ));
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    /// Turns the carrier on or off; returns when the command was written.
    fn set_carrier(&mut self, on: bool) -> Result<SystemTime, String> {
        match self.peer.clone() {
            Some(peer) => self.set_peer(&peer, on),
            None => self.write_ip(&format!(
                "link set {} carrier {}\n",
                self.iface,
                if on { "on" } else { "off" }
            )),
        }
    }

    fn calls(&self) -> Vec<(u128, String)> {
        let Ok(text) = std::fs::read_to_string(&self.log) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|l| {
                let (t, rest) = l.split_once(' ')?;
                Some((t.parse().ok()?, rest.to_string()))
            })
            .collect()
    }

    fn wait_calls(&self, n: usize, timeout: Duration) -> Result<Vec<(u128, String)>, String> {
        let end = Instant::now() + timeout;
        loop {
            let calls = self.calls();
            if calls.len() >= n {
                return Ok(calls);
            }
            if Instant::now() > end {
                return Err(format!(
                    "the action script was called {} times, expected {n}: {:?}",
                    calls.len(),
                    calls
                ));
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    fn pid(&self) -> u32 {
        // `ip netns exec` execs the daemon: same pid.
        self.daemon.id()
    }
}

/// Opens the tap inside the namespace and holds it (a tap nobody holds has
/// no carrier).
fn hold_tap(ns: &Namespace, iface: &str) -> Result<Child, String> {
    let code = format!(
        "import fcntl,struct,sys,time\n\
         f=open('/dev/net/tun','rb+',buffering=0)\n\
         fcntl.ioctl(f,0x400454ca,struct.pack('16sH','{iface}'.encode(),0x1002))\n\
         print('ok',flush=True)\n\
         time.sleep(1e6)\n"
    );
    let mut child = Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3", "-c", &code])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("tap holder: {e}"))?;
    let mut line = String::new();
    let out = child.stdout.take().ok_or("tap holder has no stdout")?;
    BufReader::new(out)
        .read_line(&mut line)
        .map_err(|e| format!("tap holder: {e}"))?;
    if line.trim() != "ok" {
        return Err(format!("could not hold tap {iface} open"));
    }
    Ok(child)
}

fn latency_run(
    bin: &Path,
    stamp: &Path,
    device: Device,
    poll_only: bool,
    changes: usize,
) -> Result<Vec<String>, String> {
    let mut rig = Rig::start(bin, stamp, device, poll_only)?;
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let mut rng = Lcg(0x9e37_79b9 ^ u64::from(std::process::id()));
    let mut up = true;
    for i in 0..changes {
        up = !up;
        let t0 = rig.set_carrier(up)?;
        let calls = rig.wait_calls(i + 2, Duration::from_secs(10))?;
        let (t1, what) = &calls[i + 1];
        let want = if up { "up" } else { "down" };
        if what.split(' ').nth(1).is_none_or(|w| w != want) {
            return Err(format!("expected a '{want}' call, got '{what}'"));
        }
        let t0 = t0
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_nanos();
        let ms = t1.saturating_sub(t0) as f64 / 1e6;
        if up { &mut on } else { &mut off }.push(ms);
        // A random pause over a whole poll period: a script often runs
        // just after a poll, so a short pause would put the next change
        // right after one and measure the worst case, not the typical one
        // (this matters whenever a poll finds the change: always with -P,
        // and for a tap's late carrier-off announcement without it).
        std::thread::sleep(Duration::from_millis(5 + rng.next() % 1000));
    }
    let dev = match device {
        Device::Veth => "veth (peer down/up)",
        Device::Tap => "tap (carrier off/on)",
    };
    let mode = if poll_only {
        "polling (-P)"
    } else {
        "default (netlink)"
    };
    Ok([("on", on), ("off", off)]
        .into_iter()
        .map(|(what, v)| {
            let (median, p99, max) = stats(v.clone());
            format!(
                "| {dev} | {mode} | `{}` | carrier {what} | {} | {median:.1} | {p99:.1} | {max:.1} |",
                rig.command,
                v.len()
            )
        })
        .collect())
}

/// Change -> script latency on one interface of a pattern instance while
/// the other interface's script sleeps 3 s: every change is made while
/// such a script runs (within 2.8 s of its start), with the same random
/// pauses as `latency_run`.
fn latency_beside_slow_run(
    bin: &Path,
    stamp: &Path,
    changes: usize,
) -> Result<Vec<String>, String> {
    let prefix = format!("bl{}", std::process::id() % 100_000);
    let (fast, slow) = (format!("{prefix}1"), format!("{prefix}2"));
    let names = [fast.clone(), slow.clone()];
    let values = [format!("{prefix}?")];
    let env = [("IFPLUGD_BENCH_SLOW", slow.as_str())];
    let mut rig = Rig::start_veths(bin, stamp, "bench-slow", &names, &values, &env)?;
    let (fast_peer, slow_peer) = (format!("{fast}p"), format!("{slow}p"));
    let ns = |t: SystemTime| -> Result<u128, String> {
        Ok(t.duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_nanos())
    };
    const SLEEP_NS: u128 = 3_000_000_000;
    const WINDOW_NS: u128 = 2_800_000_000;
    let limit = Duration::from_secs(10);
    // The slow script of the start-up "up" is the first window.
    let mut slow_start = rig.wait_calls_of(&slow, 1, limit)?[0].0;
    let (mut slow_calls, mut slow_up) = (1, true);
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let mut rng = Lcg(0x7f4a_7c15 ^ u64::from(std::process::id()));
    let mut up = true;
    while on.len() + off.len() < changes {
        if ns(SystemTime::now())? >= slow_start + WINDOW_NS {
            // Let the slow script end, then start another one.
            let end = slow_start + SLEEP_NS + 50_000_000;
            let now = ns(SystemTime::now())?;
            std::thread::sleep(Duration::from_nanos(
                end.saturating_sub(now).try_into().unwrap_or(0),
            ));
            slow_up = !slow_up;
            rig.set_peer(&slow_peer, slow_up)?;
            slow_calls += 1;
            slow_start = rig.wait_calls_of(&slow, slow_calls, limit)?[slow_calls - 1].0;
            continue;
        }
        // Check that the slow script runs now (a child "STAMP SLOW ACTION").
        let pid = rig.pid();
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .map_err(|e| format!("/proc/{pid}/task/{pid}/children: {e}"))?;
        let slow_runs = children.split_whitespace().any(|child| {
            std::fs::read(format!("/proc/{child}/cmdline"))
                .is_ok_and(|c| c.split(|&b| b == 0).nth(1) == Some(slow.as_bytes()))
        });
        if !slow_runs {
            return Err(format!(
                "{slow}'s script is not running; the daemon's children: {children:?}"
            ));
        }
        up = !up;
        let n = on.len() + off.len() + 2;
        let t0 = ns(rig.set_peer(&fast_peer, up)?)?;
        let calls = rig.wait_calls_of(&fast, n, limit)?;
        let (t1, what) = &calls[n - 1];
        let want = if up { "up" } else { "down" };
        if what.split(' ').nth(1).is_none_or(|w| w != want) {
            return Err(format!("expected a '{want}' call, got '{what}'"));
        }
        let ms = t1.saturating_sub(t0) as f64 / 1e6;
        if up { &mut on } else { &mut off }.push(ms);
        std::thread::sleep(Duration::from_millis(5 + rng.next() % 1000));
    }
    Ok([("on", on), ("off", off)]
        .into_iter()
        .map(|(what, v)| {
            let (median, p99, max) = stats(v.clone());
            format!(
                "| veth (peer down/up), another interface's script sleeping 3 s | default (netlink) | `{}` | carrier {what} | {} | {median:.1} | {p99:.1} | {max:.1} |",
                rig.command,
                v.len()
            )
        })
        .collect())
}

/// VmHWM of a daemon on `n` veth pairs: `-i NAME` for one, a pattern for
/// more. Every interface has its start-up "up", then all go down at once
/// and come up again at once (their scripts side by side).
fn memory_run(bin: &Path, stamp: &Path, n: usize) -> Result<(String, u64), String> {
    let prefix = format!("bm{}", std::process::id() % 100_000);
    let (names, values): (Vec<String>, Vec<String>) = if n == 1 {
        (vec![format!("{prefix}s")], vec![format!("{prefix}s")])
    } else {
        (
            (0..n).map(|i| format!("{prefix}m{i:02}")).collect(),
            vec![format!("{prefix}m??")],
        )
    };
    let tag = format!("bench-mem{n}");
    let mut rig = Rig::start_veths(bin, stamp, &tag, &names, &values, &[])?;
    let mut calls = n;
    for on in [false, true] {
        let lines: String = names
            .iter()
            .map(|w| format!("link set {w}p {}\n", if on { "up" } else { "down" }))
            .collect();
        rig.write_ip(&lines)?;
        calls += n;
        rig.wait_calls(calls, Duration::from_secs(10))?;
    }
    std::thread::sleep(Duration::from_secs(1));
    let hwm = status_field(rig.pid(), "VmHWM")?;
    Ok((rig.command.clone(), hwm))
}

fn idle_run(bin: &Path, stamp: &Path, poll_only: bool, secs: u64) -> Result<String, String> {
    let rig = Rig::start(bin, stamp, Device::Veth, poll_only)?;
    let pid = rig.pid();
    std::thread::sleep(Duration::from_secs(2));
    // Wake-ups first, untraced: strace's stops would count as switches.
    let switches0 = status_field(pid, "voluntary_ctxt_switches")?;
    std::thread::sleep(Duration::from_secs(secs));
    let switches1 = status_field(pid, "voluntary_ctxt_switches")?;
    // Then the system calls, over a window as long.
    let trace = rig._dir.0.join("strace.txt");
    Command::new("timeout")
        .args(["-s", "INT", &secs.to_string(), "strace", "-c", "-f", "-o"])
        .arg(&trace)
        .args(["-p", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("strace: {e}"))?;
    let hwm = status_field(pid, "VmHWM")?;
    let cpu_ms = cpu_time_ms(pid)?;
    let calls = strace_total(&trace)?;
    let per_min = |n: u64| n as f64 * 60.0 / secs as f64;
    let mode = if poll_only {
        "polling (-P)"
    } else {
        "default (netlink)"
    };
    Ok(format!(
        "| {mode} | `{}` | {:.0} | {:.0} | {hwm} | {cpu_ms} |",
        rig.command,
        per_min(switches1.saturating_sub(switches0)),
        per_min(calls),
    ))
}

fn status_field(pid: u32, name: &str) -> Result<u64, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    text.lines()
        .find_map(|l| {
            let rest = l.strip_prefix(name)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .ok_or(format!("no {name} in /proc/{pid}/status"))
}

fn cpu_time_ms(pid: u32) -> Result<u64, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // Fields after the ")" of comm: utime is the 14th field overall.
    let after = text.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0);
    // USER_HZ is 100 on Linux.
    Ok(ticks * 10)
}

/// The "total" line of `strace -c`.
fn strace_total(path: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find(|l| l.trim_end().ends_with("total"))
        .and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        .ok_or(format!("no total in {}:\n{text}", path.display()))
}

/// Median, 99th percentile and maximum.
fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), v[v.len() - 1])
}

/// A small generator for the pauses; no crate needed.
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
