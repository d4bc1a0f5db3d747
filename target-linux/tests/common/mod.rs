//! The harness of the kernel-level tests: each test gets its own network
//! namespace (with veth pairs and taps in it), a temporary directory with a
//! logging action script, and runs the real `ifplugd` binary inside that
//! namespace only, through `ip netns exec`.
//!
//! The tests need root and `ip` (iproute2); taps also need python3 to hold
//! /dev/net/tun open. Without root, or if `ip netns add` fails, they panic
//! loudly: they never skip.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The binary under test: the one cargo built for these tests, or the
/// absolute path in `IFPLUGD_BIN` when that is set at build time (as
/// `IFPLUGD_BIN=/abs/ifplugd cargo test` sets it; cargo rebuilds the tests
/// when it changes). ci/openwrt.sh runs the suite so against the binary
/// built as OpenWrt builds it.
pub const BIN: &str = match option_env!("IFPLUGD_BIN") {
    Some(path) => path,
    None => env!("CARGO_BIN_EXE_ifplugd"),
};
/// The version it reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// How long any wait may take before the test fails: generous, as CI runs
/// on two loaded cores.
pub const WAIT: Duration = Duration::from_secs(10);

/// The action script: one line per call in actions.log, then whatever the
/// test put in `once` (taken, and removed, before the call is logged: a
/// test that sees the call knows the next one will not take it too), then
/// `hook` (sourced, so it may `exit N` or `exec sleep N`).
const SCRIPT: &str = r#"#!/bin/sh
d='@DIR@'
once=
if [ -f "$d/once" ]; then
    once=$(cat "$d/once")
    rm -f "$d/once"
fi
printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$(date +%s%3N)" "$#" "$1" "$2" "$3" "$4" \
    "$IFPLUGD_PREVIOUS" "$IFPLUGD_CURRENT" >> "$d/actions.log"
eval "$once"
if [ -f "$d/hook" ]; then
    . "$d/hook"
fi
exit 0
"#;

/// Holds /dev/net/tun attached to a tap until its stdin closes.
const TAP_HOLDER: &str = r#"
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
# TUNSETIFF, IFF_TAP | IFF_NO_PI (as `ip tuntap add mode tap` made it)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0002 | 0x1000))
print("attached", flush=True)
sys.stdin.read()
"#;

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn require_root() {
    let bin = Path::new(BIN);
    assert!(
        bin.is_absolute() && bin.is_file(),
        "the binary under test {BIN} (IFPLUGD_BIN?) is not an absolute path to a file"
    );
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().next().map(str::to_owned));
    if uid.as_deref() != Some("0") {
        panic!(
            "\n\n******************************************************************\n\
             ifplugd's integration tests MUST run as root (they create network\n\
             namespaces, veth pairs and taps). Running as uid {uid:?}.\n\
             They are not skipped: run them as root.\n\
             ******************************************************************\n"
        );
    }
}

/// Runs a command to its end, at most `limit`; panics if it runs longer.
pub fn output_within(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let collect = |mut r: Box<dyn Read + Send>| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            let _ = tx.send(v);
        });
        rx
    };
    let out = collect(Box::new(child.stdout.take().expect("stdout")));
    let err = collect(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still running after {limit:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    // Someone else (a forked child) may still hold the pipes: bounded too.
    let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(1);
    let stdout = out
        .recv_timeout(left)
        .unwrap_or_else(|_| panic!("{cmd:?}: stdout not closed after it exited"));
    let stderr = err
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_else(|_| panic!("{cmd:?}: stderr not closed after it exited"));
    Output {
        status,
        stdout,
        stderr,
    }
}

/// One test's world: a network namespace and a temporary directory with
/// the action script. Removed on drop, panic or not.
pub struct Lab {
    pub ns: String,
    pub dir: PathBuf,
    pub script: String,
    holders: Mutex<Vec<(Child, ChildStdin)>>,
}

impl Lab {
    /// `tag` must be unique among the tests (use the interface's name).
    pub fn new(tag: &str) -> Lab {
        require_root();
        let ns = format!("ifpt-{tag}-{}", std::process::id());
        let dir = std::env::temp_dir().join(&ns);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the temporary directory");
        let out = output_within(
            {
                let mut c = Command::new("ip");
                c.args(["netns", "add", &ns]);
                c
            },
            WAIT,
        );
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            panic!(
                "\n\n******************************************************************\n\
                 `ip netns add {ns}` FAILED ({}): {}\n\
                 ifplugd's integration tests need network namespaces (root, iproute2,\n\
                 CAP_SYS_ADMIN). They are not skipped.\n\
                 ******************************************************************\n",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let script_path = dir.join("act.sh");
        let script = script_path.to_str().expect("UTF-8 temp path").to_owned();
        let text = SCRIPT.replace("@DIR@", dir.to_str().expect("UTF-8 temp path"));
        write_executable(&script_path, &text);
        let lab = Lab {
            ns,
            dir,
            script,
            holders: Mutex::new(Vec::new()),
        };
        lab.ip(&["link", "set", "lo", "up"]);
        lab
    }

    /// `ip -n NS ARGS`; panics if it fails.
    pub fn ip(&self, args: &[&str]) -> String {
        let mut c = Command::new("ip");
        c.args(["-n", &self.ns]).args(args);
        let out = output_within(c, WAIT);
        if !out.status.success() {
            panic!(
                "`ip -n {} {}` failed ({}): {}",
                self.ns,
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A veth pair: `name` is the end ifplugd watches, `name` + "p" its
    /// peer. Both are left admin-down, so `name` has no carrier.
    pub fn veth(&self, name: &str) {
        let peer = peer_of(name);
        self.ip(&["link", "add", name, "type", "veth", "peer", "name", &peer]);
    }

    /// Sets the peer of the veth `name` up or down: `name`'s carrier
    /// follows once `name` is itself up.
    pub fn veth_carrier(&self, name: &str, on: bool) {
        self.ip(&[
            "link",
            "set",
            &peer_of(name),
            if on { "up" } else { "down" },
        ]);
    }

    pub fn link_up(&self, name: &str) {
        self.ip(&["link", "set", name, "up"]);
    }

    pub fn link_del(&self, name: &str) {
        self.ip(&["link", "del", name]);
    }

    /// A tap held open by a helper process inside the namespace (so that
    /// its carrier can be switched). Left admin-down, carrier on.
    pub fn tap(&self, name: &str) {
        self.ip(&["tuntap", "add", "mode", "tap", "name", name]);
        let python = if Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3"
        } else {
            "python3"
        };
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.ns, python, "-c", TAP_HOLDER, name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the tap holder ({python}): {e}"));
        let stdin = child.stdin.take().expect("holder stdin");
        let stdout = child.stdout.take().expect("holder stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(WAIT).unwrap_or_default();
        self.holders.lock().unwrap().push((child, stdin));
        if line.trim() != "attached" {
            panic!("the tap holder did not attach to {name}: {line:?}");
        }
    }

    /// Switches a tap's carrier.
    pub fn tap_carrier(&self, name: &str, on: bool) {
        self.ip(&[
            "link",
            "set",
            name,
            "carrier",
            if on { "on" } else { "off" },
        ]);
    }

    /// Sets the interface up and waits until the kernel says it runs
    /// (`state UP`): IFF_RUNNING follows linkwatch, which may batch a tap's
    /// change up to ~1 s late while other interfaces change (FACTS.md), so
    /// a daemon started at once may first see it down.
    pub fn up_and_running(&self, name: &str) {
        self.ip(&["link", "set", name, "up"]);
        let start = Instant::now();
        while !self
            .ip(&["-o", "link", "show", "dev", name])
            .contains(" state UP ")
        {
            assert!(start.elapsed() < WAIT, "{name} not running after {WAIT:?}");
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the interface is administratively up.
    pub fn admin_up(&self, name: &str) -> bool {
        let out = self.ip(&["-o", "link", "show", "dev", name]);
        let flags = out
            .split_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(flags, _)| flags.to_owned())
            .unwrap_or_default();
        flags.split(',').any(|f| f == "UP")
    }

    /// The script's next runs source this shell text (after logging).
    pub fn set_hook(&self, text: &str) {
        std::fs::write(self.dir.join("hook"), text).expect("write the hook");
    }

    /// The script's next run hangs (`exec sleep`), once. Not a hook that
    /// removes itself: a SIGTERM between the call's line and the `rm` left
    /// it in place, and the down call hung too.
    pub fn hang_script_once(&self, secs: u32) {
        let text = format!("exec sleep {secs} </dev/null >/dev/null 2>&1\n");
        std::fs::write(self.dir.join("once"), text).expect("write the once hook");
    }

    /// The calls of the action script so far.
    pub fn calls(&self) -> Vec<Call> {
        read_calls(&self.dir.join("actions.log"))
    }

    /// The calls, each as "ACTION PREVIOUS>CURRENT".
    pub fn brief(&self) -> Vec<String> {
        self.calls().iter().map(Call::brief).collect()
    }

    /// `ip netns exec NS BIN ARGS`, to its end (bounded).
    pub fn run_bin(&self, args: &[&str]) -> Output {
        output_within(self.bin_command(args), WAIT)
    }

    fn bin_command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns, BIN]).args(args);
        c
    }

    /// Starts `ifplugd -n -s -i IFACE -r SCRIPT -t 1 -u 0 -d 0 ARGS` in the
    /// namespace (later options win, so ARGS may override these).
    pub fn start(&self, iface: &str, args: &[&str]) -> Daemon {
        self.start_env(iface, args, &[])
    }

    pub fn start_env(&self, iface: &str, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let defaults = self.default_args(iface);
        let mut all: Vec<&str> = defaults.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        self.start_raw(iface, &all, env)
    }

    /// Starts the binary with exactly these arguments; `iface` names the
    /// lines' prefix and the pid file.
    pub fn start_raw(&self, iface: &str, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let mut cmd = self.bin_command(args);
        cmd.envs(env.iter().copied());
        self.spawn_daemon(iface, cmd)
    }

    /// Starts `ip netns exec NS ARGV...`: a wrapper (setpriv, unshare, sh)
    /// that ends by exec'ing the daemon, so the pid is the daemon's.
    /// `iface` names the lines' prefix and the pid file.
    pub fn start_via(&self, iface: &str, argv: &[&str]) -> Daemon {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns]).args(argv);
        self.spawn_daemon(iface, cmd)
    }

    /// The arguments `start` passes before its ARGS, as owned strings.
    pub fn default_args(&self, iface: &str) -> Vec<String> {
        [
            "-n",
            "-s",
            "-i",
            iface,
            "-r",
            &self.script,
            "-t",
            "1",
            "-u",
            "0",
            "-d",
            "0",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    }

    /// `ip -n NS -batch FILE` with these commands (one a line), at most
    /// `limit`; panics if it fails.
    pub fn batch(&self, commands: &str, limit: Duration) {
        let file = self.dir.join(format!("batch-{}", now_ms()));
        std::fs::write(&file, commands).expect("write the batch file");
        let mut c = Command::new("ip");
        c.args(["-n", &self.ns, "-force", "-batch"]).arg(&file);
        let out = output_within(c, limit);
        let _ = std::fs::remove_file(&file);
        if !out.status.success() {
            panic!(
                "`ip -n {} -batch` failed ({}): {}",
                self.ns,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }

    /// Whether the interface has a carrier (LOWER_UP), as the kernel says.
    pub fn lower_up(&self, name: &str) -> bool {
        let out = self.ip(&["-o", "link", "show", "dev", name]);
        let flags = out
            .split_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(flags, _)| flags.to_owned())
            .unwrap_or_default();
        flags.split(',').any(|f| f == "LOWER_UP")
    }

    fn spawn_daemon(&self, iface: &str, mut cmd: Command) -> Daemon {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let stderr = child.stderr.take().expect("daemon stderr");
        let lines: Arc<Lines> = Arc::default();
        let sink = Arc::clone(&lines);
        thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            loop {
                let mut buf = Vec::new();
                match r.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&buf).trim_end().to_owned();
                        sink.push(text);
                    }
                }
            }
            let mut g = sink.inner.lock().unwrap();
            g.eof = true;
            sink.cond.notify_all();
        });
        self.daemon(iface, child, lines)
    }

    /// The handle of a started daemon whose stderr lines go to `lines`.
    fn daemon(&self, iface: &str, child: Child, lines: Arc<Lines>) -> Daemon {
        Daemon {
            pid: child.id(),
            child,
            status: None,
            iface: iface.to_owned(),
            script: self.script.clone(),
            lines,
            actions: self.dir.join("actions.log"),
            ns: self.ns.clone(),
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for (mut child, stdin) in self.holders.lock().unwrap().drain(..) {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.ns])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn peer_of(name: &str) -> String {
    format!("{name}p")
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write the script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

pub fn pid_file(iface: &str) -> PathBuf {
    PathBuf::from(format!("/var/run/ifplugd.{iface}.pid"))
}

/// The pid in /var/run/ifplugd.IFACE.pid, if the file is there.
pub fn read_pid_file(iface: &str) -> Option<u32> {
    let text = std::fs::read_to_string(pid_file(iface)).ok()?;
    text.trim().parse().ok()
}

/// Whether a process is alive (a zombie is not).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(str::to_owned));
            !matches!(state.as_deref(), Some("Z") | Some("X") | None)
        }
        Err(_) => false,
    }
}

/// Sends a signal (by name: TERM, INT, QUIT, HUP, KILL) to a process.
pub fn send_signal(pid: u32, sig: &str) {
    let st = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(st.success(), "kill -{sig} {pid} failed");
}

/// Polls `cond` every 20 ms until it holds; panics with `what()` after WAIT.
pub fn wait_until(what: impl Fn() -> String, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        if Instant::now() > deadline {
            panic!("timed out after {WAIT:?} waiting for {}", what());
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// One run of the action script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// When it started (ms since the epoch).
    pub ms: u128,
    /// `$#`.
    pub argc: u32,
    /// `$1` .. `$4` ("" when absent): IFACE, ACTION, EXTRA.
    pub args: [String; 4],
    pub previous: String,
    pub current: String,
}

impl Call {
    pub fn brief(&self) -> String {
        format!("{} {}>{}", self.args[1], self.previous, self.current)
    }
}

fn read_calls(path: &Path) -> Vec<Call> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            assert_eq!(f.len(), 8, "bad action log line {l:?}");
            Call {
                ms: f[0].parse().unwrap_or(0),
                argc: f[1].parse().unwrap_or(99),
                args: [f[2].into(), f[3].into(), f[4].into(), f[5].into()],
                previous: f[6].into(),
                current: f[7].into(),
            }
        })
        .collect()
}

#[derive(Default)]
struct LinesInner {
    /// Each stderr line with the time (ms since the epoch) it was read.
    lines: Vec<(u128, String)>,
    eof: bool,
}

#[derive(Default)]
struct Lines {
    inner: Mutex<LinesInner>,
    cond: Condvar,
}

impl Lines {
    fn push(&self, line: String) {
        let mut g = self.inner.lock().unwrap();
        g.lines.push((now_ms(), line));
        self.cond.notify_all();
    }
}

/// A running `ifplugd`, its stderr collected line by line.
pub struct Daemon {
    pub pid: u32,
    child: Child,
    status: Option<ExitStatus>,
    pub iface: String,
    pub script: String,
    lines: Arc<Lines>,
    actions: PathBuf,
    ns: String,
}

impl Daemon {
    /// The stderr lines as written.
    pub fn lines(&self) -> Vec<String> {
        let g = self.lines.inner.lock().unwrap();
        g.lines.iter().map(|(_, l)| l.clone()).collect()
    }

    /// The stderr lines without the "ifplugd(IFACE): " prefix.
    pub fn msgs(&self) -> Vec<String> {
        let prefix = format!("ifplugd({}): ", self.iface);
        self.lines()
            .into_iter()
            .map(|l| match l.strip_prefix(&prefix) {
                Some(m) => m.to_owned(),
                None => l,
            })
            .collect()
    }

    /// "executing 'SCRIPT IFACE ACTION'", as the daemon logs it.
    pub fn executing(&self, action: &str) -> String {
        format!("executing '{} {} {}'", self.script, self.iface, action)
    }

    /// What follows "link is up" when the up script runs, the link goes
    /// down, the down script runs and SIGTERM ends the daemon.
    pub fn up_down_exit(&self) -> [String; 6] {
        [
            self.executing("up"),
            "exit code: 0".into(),
            "link is down".into(),
            self.executing("down"),
            "exit code: 0".into(),
            "exiting".into(),
        ]
    }

    /// What follows "link is up" when the up script runs and SIGTERM then
    /// ends the daemon, running the down script.
    pub fn up_then_stopped(&self) -> [String; 5] {
        [
            self.executing("up"),
            "exit code: 0".into(),
            self.executing("down"),
            "exit code: 0".into(),
            "exiting".into(),
        ]
    }

    /// The calls, each as "ACTION PREVIOUS>CURRENT".
    pub fn brief(&self) -> Vec<String> {
        read_calls(&self.actions).iter().map(Call::brief).collect()
    }

    pub fn calls(&self) -> Vec<Call> {
        read_calls(&self.actions)
    }

    /// Everything known, for a failure message.
    pub fn context(&self) -> String {
        let links = Command::new("ip")
            .args(["-n", &self.ns, "-o", "link", "show"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        format!(
            "\n--- ifplugd stderr ({}) ---\n{}\n--- action log ---\n{}\n--- links ---\n{}",
            self.iface,
            self.lines().join("\n"),
            std::fs::read_to_string(&self.actions).unwrap_or_default(),
            links
        )
    }

    /// Waits until the `n`-th (1-based) message equal to `msg`; returns
    /// its index in `msgs()`.
    pub fn wait_msg_n(&self, msg: &str, n: usize) -> usize {
        let prefix = format!("ifplugd({}): ", self.iface);
        let deadline = Instant::now() + WAIT;
        let mut g = self.lines.inner.lock().unwrap();
        loop {
            let found = g
                .lines
                .iter()
                .enumerate()
                .filter(|(_, (_, l))| l.strip_prefix(&prefix) == Some(msg))
                .nth(n - 1)
                .map(|(i, _)| i);
            if let Some(i) = found {
                return i;
            }
            let now = Instant::now();
            if now > deadline || g.eof {
                let why = if g.eof { "stderr closed" } else { "timed out" };
                drop(g);
                panic!("{why} waiting for message #{n} {msg:?}{}", self.context());
            }
            g = self.lines.cond.wait_timeout(g, deadline - now).unwrap().0;
        }
    }

    /// Waits for the first message equal to `msg`.
    pub fn wait_msg(&self, msg: &str) -> usize {
        self.wait_msg_n(msg, 1)
    }

    /// When (ms since the epoch) the message at `index` was read.
    pub fn msg_time(&self, index: usize) -> u128 {
        self.lines.inner.lock().unwrap().lines[index].0
    }

    /// How many messages equal `msg` so far.
    pub fn count(&self, msg: &str) -> usize {
        self.msgs().iter().filter(|m| *m == msg).count()
    }

    /// Waits until the script has been called `n` times; returns the calls.
    pub fn wait_calls(&self, n: usize) -> Vec<Call> {
        let deadline = Instant::now() + WAIT;
        loop {
            let calls = self.calls();
            if calls.len() >= n {
                return calls;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {n} script call(s){}", self.context());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, sig: &str) {
        send_signal(self.pid, sig);
    }

    /// Whether it is still running (reaps it if not).
    pub fn running(&mut self) -> bool {
        if self.status.is_some() {
            return false;
        }
        match self.child.try_wait().expect("try_wait") {
            Some(st) => {
                self.status = Some(st);
                false
            }
            None => true,
        }
    }

    /// Waits for it to exit (bounded) and returns its exit code; panics if
    /// a signal killed it.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + WAIT;
        while self.running() {
            if Instant::now() > deadline {
                panic!("ifplugd still running after {WAIT:?}{}", self.context());
            }
            thread::sleep(Duration::from_millis(20));
        }
        let st = self.status.expect("status");
        // Let the reader take the last lines.
        let g = self.lines.inner.lock().unwrap();
        let _ = self
            .lines
            .cond
            .wait_timeout_while(g, Duration::from_secs(2), |g| !g.eof);
        match st.code() {
            Some(code) => code,
            None => panic!("ifplugd died of a signal: {st}{}", self.context()),
        }
    }

    /// Asserts the messages so far are exactly `expected`.
    pub fn assert_msgs<S: AsRef<str> + std::fmt::Debug>(&self, expected: &[S]) {
        let msgs = self.msgs();
        if !msgs
            .iter()
            .map(String::as_str)
            .eq(expected.iter().map(AsRef::as_ref))
        {
            panic!(
                "messages differ\nexpected: {expected:#?}\nactual: {msgs:#?}{}",
                self.context()
            );
        }
    }

    /// Asserts `expected` appear in this order among the messages (others
    /// may come between).
    pub fn assert_order<S: AsRef<str> + std::fmt::Debug>(&self, expected: &[S]) {
        let msgs = self.msgs();
        let mut it = msgs.iter();
        for e in expected {
            if !it.any(|m| m == e.as_ref()) {
                panic!(
                    "{e:?} missing or out of order; expected in order: {expected:#?}{}",
                    self.context()
                );
            }
        }
    }

    /// Asserts the script calls are exactly `expected` ("ACTION PREV>CUR").
    pub fn assert_calls(&self, expected: &[&str]) {
        let got = self.brief();
        if got != expected {
            panic!(
                "script calls differ\nexpected: {expected:?}\nactual: {got:?}{}",
                self.context()
            );
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if read_pid_file(&self.iface) == Some(self.pid) {
            let _ = std::fs::remove_file(pid_file(&self.iface));
        }
    }
}

/// The messages that start the daemon on a veth whose peer is up or down
/// and that was admin-down: BusyBox's order.
pub fn startup(link: &str) -> Vec<String> {
    vec![
        format!("started: ifplugd-rs v{VERSION}"),
        "upping interface".into(),
        "using SIOCETHTOOL detection mode".into(),
        format!("link is {link}"),
    ]
}

/// A number of kB from /proc/PID/status (VmRSS, VmHWM, ...).
pub fn status_kb(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// The descriptors a process has open: (fd, what it points to).
pub fn open_fds(pid: u32) -> Vec<(u32, String)> {
    let dir = format!("/proc/{pid}/fd");
    let mut fds: Vec<(u32, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .filter_map(|e| {
            let fd = e.file_name().to_str()?.parse().ok()?;
            let target = std::fs::read_link(e.path()).ok()?;
            Some((fd, target.to_string_lossy().into_owned()))
        })
        .collect();
    fds.sort();
    fds
}

/// User plus system CPU time of a process, in clock ticks.
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, utime 14 and stime 15 (1-based).
    let get = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12)
}

/// Polls `cond` every 20 ms until it holds; panics with `what()` after
/// `limit`.
pub fn wait_until_within(
    limit: Duration,
    what: impl Fn() -> String,
    mut cond: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + limit;
    while !cond() {
        if Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for {}", what());
        }
        thread::sleep(Duration::from_millis(20));
    }
}

impl Lab {
    /// Starts `ifplugd` as `start` does (ARGS after the defaults), but with
    /// its stderr on `stderr` (a pipe the test holds, say) instead of the
    /// line collector: the returned Daemon has no lines.
    pub fn start_stderr(&self, iface: &str, args: &[&str], stderr: Stdio) -> Daemon {
        let mut cmd = self.bin_command(&[]);
        cmd.args(self.default_args(iface)).args(args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let lines: Arc<Lines> = Arc::default();
        lines.inner.lock().unwrap().eof = true;
        self.daemon(iface, child, lines)
    }
}

/// `setpriv` from util-linux, to drop root inside the namespace.
pub fn setpriv() -> &'static str {
    for p in ["/usr/bin/setpriv", "/bin/setpriv"] {
        if std::path::Path::new(p).exists() {
            return p;
        }
    }
    let ok = Command::new("apt-get")
        .args(["install", "-y", "-qq", "util-linux"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok && std::path::Path::new("/usr/bin/setpriv").exists(),
        "these tests need setpriv (util-linux)"
    );
    "/usr/bin/setpriv"
}

/// "can't write pid file: ERROR" for a directory that refuses it
/// (EACCES, EROFS): compat-options points to --pid-dir.
pub fn pid_file_refused(error: &str) -> String {
    let hint = if cfg!(feature = "compat-options") {
        " (choose a writable directory with --pid-dir)"
    } else {
        ""
    };
    format!("can't write pid file: {error}{hint}")
}

/// SIOCSIFFLAGS refused for want of CAP_NET_ADMIN: BusyBox's line, and
/// with compat-options the call and the capability.
pub fn set_flags_refused() -> String {
    let hint = if cfg!(feature = "compat-options") {
        " (SIOCSIFFLAGS needs CAP_NET_ADMIN)"
    } else {
        ""
    };
    format!("can't set interface flags: Operation not permitted{hint}")
}

/// Debian's ifplugd 0.28, which several tests run beside ours (in their
/// namespace only), installed if missing as ci/run installs its tools.
pub fn debian_028() -> &'static str {
    const PATH: &str = "/usr/sbin/ifplugd";
    if !Path::new(PATH).exists() {
        let ok = Command::new("apt-get")
            .args(["install", "-y", "-qq", "ifplugd"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot install Debian's ifplugd 0.28 to compare with");
    }
    PATH
}
