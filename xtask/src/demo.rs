//! `cargo xtask demo`: the daemon's main job on a throwaway interface.
//!
//! A network namespace with a veth pair: the daemon watches one end, the
//! demo flips the other end's admin state (the watched end's carrier
//! follows it). Everything is removed at the end, on failure and on Ctrl-C.

use crate::netns::{self, chmod_x, is_root, which, Namespace, TempDir};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const IFACE: &str = "demo0";
const PEER: &str = "demo0peer";

const SCRIPT: &str = r#"#!/bin/sh
# The demo's action script: say what ifplugd asked for. A real one would
# start or stop a DHCP client (see target-linux/ifplugd.action.example).
echo "  script   | $0 $1 $2   (IFPLUGD_PREVIOUS=$IFPLUGD_PREVIOUS IFPLUGD_CURRENT=$IFPLUGD_CURRENT)"
"#;

pub fn run(root: &Path) -> Result<(), String> {
    if !is_root() {
        return Err(
            "the demo needs root: it creates a network namespace (try: sudo cargo xtask demo)"
                .into(),
        );
    }
    which("ip").ok_or("the demo needs `ip` (Debian package iproute2)")?;

    println!("building ifplugd ...");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "ifplugd"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build -p ifplugd failed".into());
    }
    let bin = root.join("target/debug/ifplugd");

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
    }

    let ns = Namespace::create("demo")?;
    let dir = TempDir::create("demo")?;
    let script = dir.0.join("ifplugd.action");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    chmod_x(&script)?;

    ns.ip(&["link", "add", IFACE, "type", "veth", "peer", "name", PEER])?;
    ns.ip(&["link", "set", PEER, "up"])?;
    println!(
        "namespace {} with veth {IFACE} <-> {PEER}; the peer is up",
        ns.name
    );

    let args = [
        "-n",
        "-s",
        "-i",
        IFACE,
        "-r",
        &script.to_string_lossy(),
        "-u",
        "1",
        "-d",
        "2",
        "-t",
        "1",
    ];
    println!("running: ifplugd {}\n", args.join(" "));
    let mut daemon = Daemon::start(&ns, &bin, &args)?;

    let steps: [(&str, f64, Option<&str>); 6] = [
        (
            "the link is up at start: up script after the 1 s up delay",
            2.5,
            None,
        ),
        (
            "peer down: the link goes down; down script after the 2 s down delay",
            3.5,
            Some("down"),
        ),
        (
            "peer up: the link comes back; up script after 1 s",
            2.5,
            Some("up"),
        ),
        (
            "a short flap (down for 0.5 s): shorter than the delay, no script",
            0.5,
            Some("down"),
        ),
        ("", 2.5, Some("up")),
        (
            "SIGTERM: the daemon runs its down script and exits",
            0.0,
            None,
        ),
    ];
    let mut result = Ok(());
    for (what, wait, peer) in steps {
        if !what.is_empty() {
            println!("\n* {what}");
        }
        if let Some(state) = peer {
            if let Err(e) = ns.ip(&["link", "set", PEER, state]) {
                result = Err(e);
                break;
            }
        }
        if !sleep(Duration::from_secs_f64(wait), &stop) {
            println!("\n* Ctrl-C: cleaning up");
            break;
        }
    }
    daemon.terminate();
    result
}

/// Sleeps unless Ctrl-C comes first; false if it did.
fn sleep(d: Duration, stop: &AtomicBool) -> bool {
    let end = Instant::now() + d;
    while Instant::now() < end {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !stop.load(Ordering::SeqCst)
}

struct Daemon {
    child: Child,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Daemon {
    fn start(ns: &Namespace, bin: &Path, args: &[&str]) -> Result<Daemon, String> {
        let mut child = ns.spawn(bin, args)?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                println!("  ifplugd  | {line}");
            }
        });
        Ok(Daemon {
            child,
            reader: Some(reader),
        })
    }

    fn terminate(&mut self) {
        if let Some(status) = netns::terminate(&mut self.child, Duration::from_secs(5)) {
            println!(
                "  (ifplugd exited with status {})",
                status.code().unwrap_or(-1)
            );
        }
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
