//! `cargo xtask qemu-test`: the core's unit tests and an end-to-end smoke of
//! the dist binary, each under qemu-user, per target. Big-endian MIPS
//! passing is the proof that byte order is right.
//!
//! The daemon only ever runs inside a throwaway network namespace: outside
//! one it would act on the host's interfaces.

use crate::tools::{self, Cross};
use crate::{dist, dist_dir, run, target_dir, Result, Target};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Under qemu every step is slower; a link change still shows within the
/// daemon's 1 s poll, so this is generous.
const WAIT: Duration = Duration::from_secs(20);

/// What auto mode falls through to under qemu-user: SIOCETHTOOL returns
/// ENOSYS there, MII and the private ioctl fail on veth, wireless ENOTTY.
const EXPECTED_MODE: &str = "using IFF_RUNNING detection mode";

pub fn command(targets: &[Target], smoke_only: bool) -> Result {
    let mut needs = vec![("ip", "iproute2")];
    for t in targets {
        needs.push((qemu_program(t), "qemu-user-static"));
    }
    tools::apt(&needs)?;
    let cross = tools::cross()?;
    let mut failures = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let units = (!smoke_only).then(|| ("unit tests", unit_tests(&cross, t)));
        for (what, result) in units.into_iter().chain([("smoke", smoke(&cross, t, i))]) {
            match result {
                Ok(()) => println!("xtask: qemu-test {} {what}: ok", t.triple),
                Err(e) => {
                    println!("xtask: qemu-test {} {what}: FAILED: {e}", t.triple);
                    failures.push(format!("{} {what}", t.triple));
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("qemu-test failed: {}", failures.join(", ")))
    }
}

fn qemu_program(t: &Target) -> &'static str {
    match t.qemu_arch {
        "mips" => "qemu-mips-static",
        "mipsel" => "qemu-mipsel-static",
        "arm" => "qemu-arm-static",
        "aarch64" => "qemu-aarch64-static",
        _ => "qemu-x86_64-static",
    }
}

/// `cargo test -p ifplugd-core` for the target, run by qemu. The test
/// harness needs std and unwinding: build-std builds both, and the
/// workspace's `panic = "abort"` dev profile is overridden (with it the
/// test build fails on a duplicate panic lang item).
fn unit_tests(cross: &Cross, t: &Target) -> Result {
    let runner = format!(
        "CARGO_TARGET_{}_RUNNER",
        t.triple.to_uppercase().replace('-', "_")
    );
    run(cross
        .zigbuild("test")
        .args([
            "-p",
            "ifplugd-core",
            "--target",
            t.triple,
            "-Z",
            "build-std",
        ])
        .args(["--config", "profile.dev.panic=\"unwind\""])
        // The netlink fuzz tests take many minutes unoptimized under qemu.
        .args(["--config", "profile.dev.opt-level=1"])
        .env(
            "RUSTFLAGS",
            "-Ctarget-feature=+crt-static -Clink-self-contained=no",
        )
        .env(runner, qemu_program(t)))
}

/// Runs the daemon under qemu in a namespace with a veth pair, flips the
/// peer, and checks what the action script was called with.
fn smoke(cross: &Cross, t: &Target, index: usize) -> Result {
    let bin = dist_dir(t.triple).join("ifplugd");
    if !bin.exists() {
        if crate::dist_root() != target_dir().join("dist") {
            return Err(format!("{} is missing: build it first", bin.display()));
        }
        println!("xtask: {} has no dist binary yet; building it", t.triple);
        dist::build(cross, t)?;
    }
    // Unique per run and target: the pid file (/var/run/ifplugd.IFACE.pid)
    // is not namespaced. Interface names have at most 15 bytes.
    let tag = format!("{}{index}", std::process::id() % 100_000);
    let (iface, peer) = (format!("xq{tag}"), format!("xp{tag}"));
    let work = target_dir().join("qemu-test").join(t.triple);
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let calls = work.join("calls.log");
    let stderr = work.join("stderr.log");
    let script = work.join("action.sh");
    let _ = fs::remove_file(&calls);
    fs::write(
        &script,
        format!("#!/bin/sh\necho \"$*\" >> '{}'\n", calls.display()),
    )
    .map_err(|e| e.to_string())?;
    run(Command::new("chmod").arg("755").arg(&script))?;

    let mut ns = Namespace::new(format!("xtask-qemu-{tag}"))?;
    ns.ip(&["link", "add", &iface, "type", "veth", "peer", "name", &peer])?;
    ns.ip(&["link", "set", &peer, "up"])?;
    let log = fs::File::create(&stderr).map_err(|e| e.to_string())?;
    let mut daemon = Command::new("ip");
    daemon
        .args(["netns", "exec", &ns.name, qemu_program(t)])
        .arg(&bin)
        .args(["-n", "-s", "-i", &iface, "-r"])
        .arg(&script)
        .args(["-u", "0", "-d", "0", "-t", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    println!("xtask: $ {}", crate::show(&daemon));
    // `ip netns exec` execs the command, so this pid is qemu's.
    ns.daemon = Some(
        daemon
            .spawn()
            .map_err(|e| format!("cannot start ip: {e}"))?,
    );

    let up = format!("{iface} up");
    let down = format!("{iface} down");
    let mut expected: Vec<&str> = vec![&up];
    ns.wait_calls(&calls, &expected, &stderr)?;
    for (state, call) in [("down", &down), ("up", &up), ("down", &down)] {
        ns.ip(&["link", "set", &peer, state])?;
        expected.push(call);
        ns.wait_calls(&calls, &expected, &stderr)?;
    }

    let err = fs::read_to_string(&stderr).unwrap_or_default();
    if !err.contains(EXPECTED_MODE) {
        return Err(format!("stderr lacks \"{EXPECTED_MODE}\":\n{err}"));
    }
    let status = ns.terminate()?;
    let err = fs::read_to_string(&stderr).unwrap_or_default();
    // SIGTERM with the link down: BusyBox says "exiting" and dies with 1,
    // without a further script call.
    if !err.trim_end().ends_with("exiting") || status != Some(1) {
        return Err(format!(
            "after SIGTERM: exit status {status:?}, stderr:\n{err}"
        ));
    }
    let got = read_calls(&calls);
    if got != expected {
        return Err(format!("script calls after SIGTERM: {got:?}"));
    }
    daemon_mode(t, &ns, &bin, &script, &iface, &peer, &calls)?;
    println!(
        "xtask: {} smoke: calls {:?}, \"{EXPECTED_MODE}\", exit 1 on SIGTERM",
        t.triple, got
    );
    Ok(())
}

/// Daemon mode, the link down: the parent leaves at once with 0, the
/// forked daemon (a bare clone system call, numbered per architecture)
/// writes the pid file and follows the link up, and `-k` stops it.
fn daemon_mode(
    t: &Target,
    ns: &Namespace,
    bin: &Path,
    script: &Path,
    iface: &str,
    peer: &str,
    calls: &Path,
) -> Result {
    let pid_file = PathBuf::from(format!("/var/run/ifplugd.{iface}.pid"));
    let ifplugd = |args: &[&str]| {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &ns.name, qemu_program(t)])
            .arg(bin)
            .args(["-s", "-i", iface])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let script = script.to_str().ok_or("non-UTF-8 path")?;
    let mut start = ifplugd(&["-r", script, "-u", "0", "-d", "0", "-t", "1"]);
    println!("xtask: $ {}", crate::show(&start));
    let status = start
        .status()
        .map_err(|e| format!("cannot start ip: {e}"))?;
    // Whatever happens next, no daemon outlives the test.
    struct Reaper<'a>(&'a Path);
    impl Drop for Reaper<'_> {
        fn drop(&mut self) {
            if let Ok(pid) = fs::read_to_string(self.0) {
                let _ = Command::new("kill").args(["-KILL", pid.trim()]).status();
                let _ = fs::remove_file(self.0);
            }
        }
    }
    let _reaper = Reaper(&pid_file);
    if !status.success() {
        return Err(format!("daemon mode: the parent exited with {status}"));
    }
    let before = read_calls(calls).len();
    wait_for("the pid file", || pid_file.exists())?;
    ns.ip(&["link", "set", peer, "up"])?;
    let up = format!("{iface} up");
    wait_for("the daemon's up call", || {
        read_calls(calls).get(before) == Some(&up)
    })?;
    run(&mut ifplugd(&["-k"]))?;
    wait_for("-k to stop the daemon", || !pid_file.exists())?;
    println!(
        "xtask: {} daemon mode: forked, pid file, up call, -k",
        t.triple
    );
    Ok(())
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) -> Result {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > WAIT {
            return Err(format!("daemon mode: no sign of {what}"));
        }
        sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn read_calls(calls: &Path) -> Vec<String> {
    fs::read_to_string(calls)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A network namespace that is deleted, with the daemon in it stopped, on
/// every way out.
struct Namespace {
    name: String,
    daemon: Option<Child>,
}

impl Namespace {
    fn new(name: String) -> Result<Namespace> {
        run(Command::new("ip").args(["netns", "add", &name]))?;
        Ok(Namespace { name, daemon: None })
    }

    fn ip(&self, args: &[&str]) -> Result {
        run(Command::new("ip").args(["-n", &self.name]).args(args))
    }

    /// Waits until the script has been called exactly as `expected` says;
    /// fails at once if the daemon has died.
    fn wait_calls(&mut self, calls: &Path, expected: &[&str], stderr: &Path) -> Result {
        let started = Instant::now();
        loop {
            let got = read_calls(calls);
            if got == expected {
                return Ok(());
            }
            let died = match self.daemon.as_mut().map(Child::try_wait) {
                Some(Ok(Some(status))) => Some(status.to_string()),
                _ => None,
            };
            if died.is_some() || got.len() >= expected.len() || started.elapsed() > WAIT {
                return Err(format!(
                    "script calls {got:?}, expected {expected:?}{}; stderr:\n{}",
                    died.map(|s| format!(", daemon ended ({s})"))
                        .unwrap_or_default(),
                    fs::read_to_string(stderr).unwrap_or_default()
                ));
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then the exit status (None: killed by a signal).
    fn terminate(&mut self) -> Result<Option<i32>> {
        let mut child = self.daemon.take().ok_or("no daemon")?;
        crate::netns::terminate(&mut child, WAIT)
            .map(|status| status.code())
            .ok_or_else(|| "the daemon ignored SIGTERM".into())
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // The veth pair goes with the namespace.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}
