//! Feature `script-log`: a detached daemon (no `-n`) logs its scripts'
//! stdout and stderr as ifplugd 0.28 does, `client: LINE` at LOG_WARNING,
//! but never waits for them: a flood is capped (50 lines a second, the
//! rest counted) and a background child holding the pipe stops nothing.
//! With `-n` the script keeps the daemon's stdio, as BusyBox's.
//!
//! A detached daemon logs to syslog only, so each test runs its daemons in
//! a private mount namespace with a /dev/log listener of its own (as
//! tests/syslog.rs), started detached from there. Where 0.28 has the
//! behaviour, Debian's 0.28 (/usr/sbin/ifplugd) runs beside ours in the
//! same namespace, on an interface of its own, and the test says which of
//! its behaviours it pins.
#![cfg(feature = "script-log")]

mod common;
use common::*;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's 0.28.
fn old() -> &'static str {
    debian_028()
}

/// A /dev/log listener in a private mount namespace, and the daemons
/// started detached in it: each `BIN -r SCRIPT -t 1 -u 0 -d 0 ARGS` (ARGS
/// with its -i), named by its instance name (the -i values joined by ",",
/// its pid file's). Dropping it kills the daemons (by pid file) and the
/// listener.
struct Syslog {
    out: PathBuf,
    listener: u32,
    ifaces: Vec<String>,
}

/// One syslog packet: its priority, the interface of its ident
/// (`ifplugd(IFACE)`, 0.28's with `[PID]`), and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Packet {
    pri: u32,
    iface: String,
    msg: String,
}

impl Syslog {
    fn start(lab: &Lab, daemons: &[(&str, &str, &[&str])]) -> Syslog {
        let out = lab.dir.join("syslog.txt");
        let dir = lab.dir.display();
        let mut starts = String::new();
        for (bin, _, args) in daemons {
            starts += &format!(
                "ip netns exec {ns} {bin} -r {script} -t 1 -u 0 -d 0 {args}\n",
                ns = lab.ns,
                script = lab.script,
                args = args.join(" "),
            );
        }
        // Each packet a line (latin-1: bytes as they came); it stops only
        // when killed. Ahead of a flood's writers for the CPU, as syslogd
        // would need to be: Linux queues only 10 datagrams for it.
        let script = format!(
            r#"set -e
mount -t tmpfs none /dev
mknod -m 666 /dev/null c 1 3
nice -n -10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "w")
print("ready", flush=True)
while True:
    out.write(s.recv(8192).decode("latin-1") + "\n"); out.flush()
' {out} > {dir}/listener.ready 2>&1 </dev/null &
echo $! > {dir}/listener.pid
while ! grep -q ready {dir}/listener.ready 2>/dev/null; do sleep 0.05; done
{starts}"#,
            out = out.display(),
        );
        let mut cmd = Command::new("unshare");
        cmd.args(["-m", "sh", "-c", &script]);
        let result = output_within(cmd, WAIT);
        let listener = std::fs::read_to_string(lab.dir.join("listener.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| panic!("no listener: {result:?}"));
        let log = Syslog {
            out,
            listener,
            ifaces: daemons.iter().map(|d| d.1.to_owned()).collect(),
        };
        assert!(result.status.success(), "{result:?}");
        log
    }

    fn packets(&self) -> Vec<Packet> {
        let text = std::fs::read(&self.out).unwrap_or_default();
        String::from_utf8_lossy(&text)
            .lines()
            .filter_map(parse)
            .collect()
    }

    /// What one interface's daemon logged: priority and text.
    fn of(&self, iface: &str) -> Vec<(u32, String)> {
        self.packets()
            .into_iter()
            .filter(|p| p.iface == iface)
            .map(|p| (p.pri, p.msg))
            .collect()
    }

    /// The texts of one interface's daemon.
    fn msgs(&self, iface: &str) -> Vec<String> {
        self.of(iface).into_iter().map(|(_, m)| m).collect()
    }

    fn context(&self) -> String {
        let text = std::fs::read(&self.out).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        // A flood makes it long: its client lines are only counted.
        let mut shown = Vec::new();
        let mut clients = 0;
        for l in text.lines() {
            match l.contains(": client: ") && !l.contains("client: lines dropped") {
                true => clients += 1,
                false => {
                    if clients > 0 {
                        shown.push(format!("[{clients} client lines]"));
                        clients = 0;
                    }
                    shown.push(l.to_owned());
                }
            }
        }
        if clients > 0 {
            shown.push(format!("[{clients} client lines]"));
        }
        format!("\n--- syslog ---\n{}", shown.join("\n"))
    }

    /// Waits (at most `limit`) until `iface` has logged `n` texts that
    /// satisfy `pred`.
    fn wait_n(&self, iface: &str, n: usize, limit: Duration, pred: impl Fn(&str) -> bool) {
        wait_until_within(
            limit,
            || format!("{n} line(s) from {iface}{}", self.context()),
            || self.msgs(iface).iter().filter(|m| pred(m)).count() >= n,
        );
    }

    fn wait(&self, iface: &str, msg: &str) {
        self.wait_n(iface, 1, WAIT, |m| m == msg);
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        for iface in &self.ifaces {
            if let Some(pid) = read_pid_file(iface) {
                send_signal(pid, "KILL");
                let deadline = Instant::now() + WAIT;
                while alive(pid) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            let _ = std::fs::remove_file(pid_file(iface));
        }
        send_signal(self.listener, "KILL");
    }
}

/// "<PRI>ifplugd(IFACE): TEXT" (ours) or "<PRI>Mmm dd hh:mm:ss
/// ifplugd(IFACE)[PID]: TEXT" (glibc's syslog(3), 0.28's).
fn parse(line: &str) -> Option<Packet> {
    let (pri, rest) = line.strip_prefix('<')?.split_once('>')?;
    let rest = &rest[rest.find("ifplugd(")?..];
    let (ident, msg) = rest.split_once(": ")?;
    let iface = ident.strip_prefix("ifplugd(")?.split_once(')')?.0;
    Some(Packet {
        pri: pri.parse().ok()?,
        iface: iface.to_owned(),
        msg: msg.to_owned(),
    })
}

const O_NONBLOCK: u32 = 0o4000;
const O_CLOEXEC: u32 = 0o2000000;

/// A descriptor's open flags, from /proc/PID/fdinfo/FD.
fn fd_flags(pid: u32, fd: u32) -> u32 {
    let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")).unwrap();
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .unwrap_or_else(|| panic!("no flags in {info}"));
    u32::from_str_radix(flags.trim(), 8).unwrap()
}

/// LOG_DAEMON | LOG_WARNING.
const WARNING: u32 = 28;

/// A line longer than 0.28's buffer.
fn long_line() -> String {
    "0123456789".repeat(30)
}

#[test]
fn client_lines_for_stdout_and_stderr_as_0_28_logs_them() {
    // Pins 0.28's action(): stdout and stderr are one pipe, read in the
    // order written; each line is logged as "client: LINE" at LOG_WARNING;
    // a line longer than its 256-byte buffer goes in pieces of 255 bytes;
    // empty lines are left out; an unended last line is logged at EOF.
    // And (ours, where 0.28 says "Program executed successfully."): all of
    // them before the exit code.
    let (ours, theirs) = ("slcl", "slcl8");
    let lab = Lab::new(ours);
    for w in [ours, theirs] {
        lab.veth(w);
        lab.veth_carrier(w, true);
    }
    lab.set_hook(&format!(
        "echo out one\necho err one >&2\necho\necho {}\nprintf 'unended'\n\
         fds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2)\n\
         echo \"$fds\" > \"$d/fds.$1\"\n",
        long_line()
    ));
    let log = Syslog::start(
        &lab,
        &[
            (BIN, ours, &["-i", ours]),
            (old(), theirs, &["-b", "-i", theirs]),
        ],
    );
    log.wait(ours, "exit code: 0");
    log.wait(theirs, "Program executed successfully.");

    let long = long_line();
    let want: Vec<(u32, String)> = [
        "client: out one".to_owned(),
        "client: err one".to_owned(),
        format!("client: {}", &long[..255]),
        format!("client: {}", &long[255..]),
        "client: unended".to_owned(),
    ]
    .into_iter()
    .map(|m| (WARNING, m))
    .collect();
    let clients = |iface| -> Vec<(u32, String)> {
        log.of(iface)
            .into_iter()
            .filter(|(_, m)| m.starts_with("client: "))
            .collect()
    };
    assert_eq!(clients(theirs), want, "0.28{}", log.context());
    assert_eq!(clients(ours), want, "ours{}", log.context());
    let msgs = log.msgs(ours);
    let last_client = msgs.iter().rposition(|m| m.starts_with("client: "));
    let exit = msgs.iter().position(|m| m == "exit code: 0");
    assert!(last_client < exit, "{msgs:#?}");

    // Our script's stdout and stderr are one pipe; stdin /dev/null.
    let fds = std::fs::read_to_string(lab.dir.join(format!("fds.{ours}"))).unwrap();
    let fds: Vec<&str> = fds.lines().collect();
    assert_eq!(fds.len(), 3, "{fds:?}");
    assert_eq!(fds[0], "/dev/null");
    assert!(fds[1].starts_with("pipe:"), "{fds:?}");
    assert_eq!(fds[1], fds[2]);
}

#[test]
fn a_flood_is_capped_counted_and_the_daemon_keeps_reacting() {
    // Ours only: 0.28 logs every line of a flood and does nothing else
    // until the script's pipe closes.
    let w = "slfl";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    // 20 MiB of "y\n": 10,485,760 lines, far more than a second's worth.
    const LINES: u64 = 20 * 1024 * 1024 / 2;
    lab.set_hook(&format!(
        "if [ \"$1 $2\" = \"{w} up\" ]; then nice -n 19 yes | nice -n 19 head -c 20M; fi\n"
    ));
    // With several interfaces in one daemon, another one's link change is
    // seen (and its script run) while the flood is being read.
    #[cfg(feature = "multi")]
    let other = "slfm";
    #[cfg(feature = "multi")]
    {
        lab.veth(other);
        lab.veth_carrier(other, true);
    }
    #[cfg(feature = "multi")]
    let (args, name): (&[&str], String) = (&["-i", w, "-i", other], format!("{w},{other}"));
    #[cfg(not(feature = "multi"))]
    let (args, name): (&[&str], String) = (&["-i", w], w.to_owned());
    let begun = Instant::now();
    let log = Syslog::start(&lab, &[(BIN, &name, args)]);
    log.wait_n(w, 1, WAIT, |m| m == "client: y");
    #[cfg(feature = "multi")]
    {
        log.wait(other, "exit code: 0");
        let changed = Instant::now();
        lab.veth_carrier(other, false);
        log.wait_n(other, 2, Duration::from_secs(2), |m| m == "exit code: 0");
        let reacted = changed.elapsed();
        assert!(
            reacted < Duration::from_secs(2),
            "{reacted:?}{}",
            log.context()
        );
    }
    // The flood is read at speed: the script ends, and the next link
    // change of its own interface is acted on at once.
    log.wait_n(w, 1, Duration::from_secs(60), |m| m == "exit code: 0");
    let secs = begun.elapsed().as_secs_f64().ceil() as u64;
    let changed = Instant::now();
    lab.veth_carrier(w, false);
    log.wait_n(w, 2, Duration::from_secs(2), |m| m == "exit code: 0");
    assert!(changed.elapsed() < Duration::from_secs(2));

    let msgs = log.msgs(w);
    let logged = msgs.iter().filter(|m| *m == "client: y").count() as u64;
    // The count is the instance's: the cap is all its scripts'.
    let of_instance = log.of(&name);
    let counts: Vec<u64> = of_instance
        .iter()
        .filter_map(|(pri, m)| {
            let n = m.strip_prefix("client: lines dropped: ")?;
            assert_eq!(*pri, WARNING);
            Some(n.parse::<u64>().unwrap())
        })
        .collect();
    // Every line is either logged or counted, and syslog lost none.
    let dropped: u64 = counts.iter().sum();
    assert_eq!(logged + dropped, LINES, "{}", log.context());
    assert!(
        !log.packets()
            .iter()
            .any(|p| p.msg.starts_with("syslog: lines dropped")),
        "{}",
        log.context()
    );
    // At most 50 a second (and a burst of 5), over the seconds it took;
    // the count at most once a second, and when a script's output ends
    // (the flood's, and with multi the other interface's two scripts').
    assert!(
        logged <= 50 * secs + 5,
        "{logged} lines logged in {secs} s{}",
        log.context()
    );
    let ends = if cfg!(feature = "multi") { 3 } else { 1 };
    assert!(
        counts.len() as u64 <= secs + 1 + ends,
        "{counts:?} in {secs} s"
    );
    // The last said before the exit code: the pipe ended with the script.
    let packets = log.packets();
    let last_count = packets
        .iter()
        .rposition(|p| p.msg.starts_with("client: lines dropped: "));
    let exit = packets
        .iter()
        .position(|p| p.iface == w && p.msg == "exit code: 0");
    assert!(last_count < exit, "{}", log.context());
}

#[test]
fn a_background_child_holding_the_pipe_stops_nothing() {
    // Ours only: 0.28 reads until the pipe closes, so its daemon would
    // wait the 30 s of the child here, deaf to links and signals.
    let w = "slbg";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    lab.set_hook(
        "if [ \"$2\" = up ]; then sleep 30 & echo $! > \"$d/bg.pid\"; echo bg started; \
         else echo down here; fi\n",
    );
    let log = Syslog::start(&lab, &[(BIN, w, &["-i", w])]);
    let bg = || {
        std::fs::read_to_string(lab.dir.join("bg.pid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // The up script is reaped at once, though its child holds the pipe.
        log.wait(w, "client: bg started");
        log.wait_n(w, 1, Duration::from_secs(3), |m| m == "exit code: 0");
        assert!(bg().is_some_and(alive), "the child should still run");
        // The daemon holds the read end, close-on-exec and non-blocking;
        // the child has the write end as its stdout and stderr, blocking,
        // and nothing else of ours.
        let daemon = read_pid_file(w).expect("pid file");
        let bg = bg().unwrap();
        let pipes = |pid| -> Vec<(u32, String)> {
            open_fds(pid)
                .into_iter()
                .filter(|(_, t)| t.starts_with("pipe:"))
                .collect()
        };
        // (Pipes inherited from the test runner, cargo's jobserver say,
        // are in both: the child's fd 1 is the one of ours, and the
        // daemon's read end, another descriptor of it, is not the child's.)
        let theirs = pipes(bg);
        let pipe = &theirs
            .iter()
            .find(|(fd, _)| *fd == 1)
            .unwrap_or_else(|| panic!("{:?}", open_fds(bg)))
            .1;
        let ours: Vec<u32> = pipes(daemon)
            .into_iter()
            .filter(|(_, t)| t == pipe)
            .map(|(fd, _)| fd)
            .collect();
        assert_eq!(ours.len(), 1, "{:?}", open_fds(daemon));
        assert_eq!(
            fd_flags(daemon, ours[0]) & (O_NONBLOCK | O_CLOEXEC),
            O_NONBLOCK | O_CLOEXEC
        );
        let of_ours: Vec<u32> = theirs
            .iter()
            .filter(|(_, t)| t == pipe)
            .map(|(fd, _)| *fd)
            .collect();
        assert_eq!(of_ours, [1, 2], "{:?}", open_fds(bg));
        assert_eq!(fd_flags(bg, 1) & O_NONBLOCK, 0);
        // The next script starts and is logged (its own pipe).
        lab.veth_carrier(w, false);
        log.wait_n(w, 1, Duration::from_secs(3), |m| m == "client: down here");
        log.wait_n(w, 2, Duration::from_secs(3), |m| m == "exit code: 0");
        // And the daemon exits at once on SIGTERM.
        let pid = read_pid_file(w).expect("pid file");
        send_signal(pid, "TERM");
        wait_until_within(
            Duration::from_secs(3),
            || format!("the daemon to exit{}", log.context()),
            || !alive(pid),
        );
        // (The listener may write its last packets a moment later.)
        log.wait(w, "exiting");
        assert_eq!(log.msgs(w).last().map(String::as_str), Some("exiting"));
    }));
    if let Some(pid) = bg() {
        send_signal(pid, "KILL");
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn with_n_the_script_keeps_the_daemons_stdio() {
    // BusyBox's: with -n there is no pipe; what the script prints goes
    // to the daemon's own stdout and stderr, as procd or a terminal has
    // them, and no "client:" line is logged.
    let w = "slno";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    lab.set_hook(
        "echo to stdout\necho to stderr >&2\n\
         fds=$(readlink /proc/$$/fd/1 /proc/$$/fd/2)\n\
         echo \"$fds\" > \"$d/fds\"\n",
    );
    let (out, err) = (lab.dir.join("stdout.txt"), lab.dir.join("stderr.txt"));
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &lab.ns, BIN])
        .args(lab.default_args(w))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let mut child = c.spawn().expect("start the daemon");
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    wait_until_within(
        WAIT,
        || format!("exit code in {}", read(&err)),
        || read(&err).contains(&format!("ifplugd({w}): exit code: 0")),
    );
    send_signal(child.id(), "TERM");
    let _ = child.wait();
    // The up script's, and the down script's at SIGTERM.
    assert_eq!(read(&out), "to stdout\nto stdout\n");
    let stderr = read(&err);
    assert!(stderr.lines().any(|l| l == "to stderr"), "{stderr}");
    assert!(!stderr.contains("client:"), "{stderr}");
    let fds = read(&lab.dir.join("fds"));
    assert_eq!(
        fds.lines().collect::<Vec<_>>(),
        [out.to_str().unwrap(), err.to_str().unwrap()]
    );
}
