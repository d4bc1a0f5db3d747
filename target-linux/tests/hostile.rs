//! What a hostile run found (issue 14): a syslog reader that stops
//! reading, a full or a closed stderr pipe, a FIFO at the pid file's path.
//! None of them may block the daemon, make it deaf to signals, or kill it.
//!
//! Each test has its own namespace and its own interface name (the pid file
//! /var/run/ifplugd.IFACE.pid is not namespaced).

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Binds /dev/log (in the test's own mount namespace), says so by writing
/// its pid to READY, then reads nothing until the file GO appears. Then
/// it writes each datagram to OUT, one a line, until "...: exiting" or
/// 15 s of silence.
const LISTENER: &str = r#"
import os, socket, sys, time
out, go, ready = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(ready + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(ready + ".tmp", ready)
while not os.path.exists(go):
    time.sleep(0.02)
s.settimeout(15)
with open(out, "w") as f:
    while True:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        f.write(m + "\n")
        f.flush()
        if m.endswith(": exiting"):
            break
"#;

/// Kills the listener (by its pid) when the test ends, however it ends.
struct Listener {
    pid: u32,
    out: PathBuf,
    go: PathBuf,
}

impl Listener {
    /// From now on it reads.
    fn go(&self) {
        std::fs::write(&self.go, "").expect("create the go file");
    }

    /// What it has received so far, one datagram a line.
    fn got(&self) -> Vec<String> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
}

/// Starts ifplugd on `w` with syslog on (no `-s`), in a private mount
/// namespace whose /dev/log is a listener that does not read yet.
fn start_with_stuck_syslog(lab: &Lab, w: &str) -> (Daemon, Listener) {
    let listener = lab.dir.join("listener.py");
    std::fs::write(&listener, LISTENER).expect("write the listener");
    let out = lab.dir.join("syslog.txt");
    let go = lab.dir.join("go");
    let ready = lab.dir.join("ready");
    let setup = format!(
        "set -e; mount -t tmpfs none /dev; mknod -m 666 /dev/null c 1 3; \
         python3 {} {} {} {} </dev/null >/dev/null 2>&1 & \
         while [ ! -e {} ]; do sleep 0.05; done; exec \"$0\" \"$@\"",
        listener.display(),
        out.display(),
        go.display(),
        ready.display(),
        ready.display(),
    );
    let args: Vec<String> = lab
        .default_args(w)
        .into_iter()
        .filter(|a| a != "-s")
        .collect();
    let mut argv = vec!["unshare", "-m", "sh", "-c", &setup, BIN];
    argv.extend(args.iter().map(String::as_str));
    let d = lab.start_via(w, &argv);
    let pid_file = ready.clone();
    wait_until(
        || format!("the listener to be ready{}", d.context()),
        || pid_file.exists(),
    );
    let pid = std::fs::read_to_string(&ready)
        .unwrap()
        .trim()
        .parse()
        .expect("the listener's pid");
    (d, Listener { pid, out, go })
}

/// `n` carrier changes on `w` (up at first), each waited for: the script
/// has then run `n + 1` times.
fn flap(lab: &Lab, d: &Daemon, w: &str, from: usize, n: usize) {
    for i in from..from + n {
        lab.veth_carrier(w, i % 2 == 1);
        d.wait_calls(i + 2);
    }
}

/// The calls `flap` makes from the start: up, then down, up, ...
fn flapped(n: usize) -> Vec<&'static str> {
    let mut v = vec!["up error>up"];
    for i in 0..n {
        v.push(if i % 2 == 0 {
            "down up>down"
        } else {
            "up down>up"
        });
    }
    v
}

#[test]
fn a_syslog_reader_that_never_reads_blocks_nothing() {
    let w = "hslog";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let (mut d, listener) = start_with_stuck_syslog(&lab, w);
    d.wait_calls(1);
    // Far more lines than /dev/log's queue holds (10 datagrams).
    flap(&lab, &d, w, 0, 16);
    // The link is up: SIGTERM runs the down script and ends it.
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut calls = flapped(16);
    calls.push("down up>error");
    d.assert_calls(&calls);
    assert_eq!(d.count("exiting"), 1, "{}", d.context());
    assert!(!pid_file(w).exists(), "pid file left behind");
    // The reader gets what the queue held: fewer lines than stderr had.
    listener.go();
    thread::sleep(Duration::from_millis(300));
    let got = listener.got();
    assert!(
        !got.is_empty() && got.len() < d.lines().len(),
        "syslog got {got:#?}{}",
        d.context()
    );
}

#[test]
fn syslog_lines_dropped_are_counted_once_it_reads_again() {
    let w = "hslog2";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let (mut d, listener) = start_with_stuck_syslog(&lab, w);
    d.wait_calls(1);
    flap(&lab, &d, w, 0, 8);
    listener.go();
    // It reads the queue, then one more change flows through.
    wait_until(
        || format!("the queued lines{}", d.context()),
        || !listener.got().is_empty(),
    );
    flap(&lab, &d, w, 8, 1);
    let dropped_at = {
        let mut at = None;
        wait_until(
            || format!("syslog's drop count: {:#?}{}", listener.got(), d.context()),
            || {
                at = listener
                    .got()
                    .iter()
                    .position(|l| l.contains("lines dropped"));
                at.is_some()
            },
        );
        at.unwrap()
    };
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    wait_until(
        || format!("syslog's last line: {:#?}{}", listener.got(), d.context()),
        || {
            listener
                .got()
                .last()
                .is_some_and(|l| l.ends_with(": exiting"))
        },
    );
    let got = listener.got();
    let stderr = d.lines();
    // The count comes right after the first line that went again ...
    let note = &got[dropped_at];
    let n: usize = note
        .strip_prefix(&format!("<27>ifplugd({w}): syslog: lines dropped: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad note {note:?}"));
    assert_eq!(
        got[dropped_at - 1],
        format!("<30>ifplugd({w}): link is down"),
        "{got:#?}"
    );
    // ... and accounts for every line syslog did not get: stderr got all.
    let lines: Vec<&str> = got
        .iter()
        .filter(|l| !l.contains("lines dropped"))
        .map(|l| &l[4..])
        .collect();
    assert_eq!(lines.len() + n, stderr.len(), "{got:#?}{}", d.context());
    // What syslog got is what stderr got, in order, with gaps.
    let mut it = stderr.iter();
    for l in &lines {
        assert!(it.any(|s| s == l), "{l:?} not in stderr{}", d.context());
    }
    // The priorities: routine lines at LOG_INFO.
    for l in &got {
        if !l.contains("lines dropped") {
            assert!(l.starts_with("<30>"), "{l:?} not at LOG_INFO");
        }
    }
    // Down at the end: no down script at exit.
    d.assert_calls(&flapped(9));
}

/// O_NONBLOCK for open(2) (MIPS numbers it differently).
const O_NONBLOCK: i32 = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
    0x80
} else {
    0o4000
};

/// Fills a pipe through its write end `fd`: returns how many bytes.
fn fill_pipe(fd: i32) -> usize {
    use std::os::unix::fs::OpenOptionsExt;
    let mut w = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(O_NONBLOCK)
        .open(format!("/proc/self/fd/{fd}"))
        .expect("open the pipe again, non-blocking");
    let page = [b'x'; 4096];
    let mut filled = 0;
    loop {
        match w.write(&page) {
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return filled,
            Err(e) => panic!("filling the pipe: {e}"),
        }
    }
}

/// Reads lines from `r` in a thread; they come through the channel.
fn line_reader(r: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    });
    rx
}

#[test]
fn a_full_stderr_pipe_blocks_nothing() {
    use std::os::fd::AsRawFd;
    let w = "hfull";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let (mut reader, writer) = std::io::pipe().expect("pipe");
    let filled = fill_pipe(writer.as_raw_fd());
    let mut d = lab.start_stderr(w, &[], Stdio::from(writer));
    d.wait_calls(1);
    flap(&lab, &d, w, 0, 16);
    // The pipe flows again: the lines that came while it was full are
    // gone (none of them got in), the next ones go.
    let mut filler = vec![0u8; filled];
    reader.read_exact(&mut filler).expect("drain the filler");
    assert!(
        filler.iter().all(|&b| b == b'x'),
        "the daemon wrote into a full pipe"
    );
    let lines = line_reader(reader);
    flap(&lab, &d, w, 16, 1);
    let p = format!("ifplugd({w}): ");
    let mut got = Vec::new();
    while got.len() < 3 {
        match lines.recv_timeout(WAIT) {
            // The last flap's script may end (scripts run while the daemon
            // goes on) after the pipe was drained: its end is news, not
            // part of the next change.
            Ok(l) if got.is_empty() && l == format!("{p}exit code: 0") => {}
            Ok(l) => got.push(l),
            Err(_) => panic!("stderr gave only {got:#?}{}", d.context()),
        }
    }
    assert_eq!(
        got,
        [
            format!("{p}link is down"),
            format!("{p}{}", d.executing("down")),
            format!("{p}exit code: 0"),
        ]
    );
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    assert_eq!(
        lines.recv_timeout(WAIT).ok(),
        Some(format!("{p}exiting")),
        "{}",
        d.context()
    );
    d.assert_calls(&flapped(17));
    assert!(!pid_file(w).exists(), "pid file left behind");
}

#[test]
fn a_closed_stderr_pipe_is_stderr_gone() {
    let w = "hpipe";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    // The script says whether SIGPIPE reaches it (blocked? ignored?).
    lab.set_hook(
        "while read -r k v; do case $k in SigBlk:|SigIgn:) printf '%s %s\\n' \"$k\" \"$v\";; esac; done < /proc/$$/status > \"$d/sigs\"\n",
    );
    let (reader, writer) = std::io::pipe().expect("pipe");
    let mut d = lab.start_stderr(w, &[], Stdio::from(writer));
    // As `ifplugd ... 2>&1 | head -1`: one line read, then the pipe closed.
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(reader).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx.recv_timeout(WAIT).expect("the first line");
    assert_eq!(
        first,
        format!("ifplugd({w}): started: ifplugd-rs v{VERSION}\n")
    );
    d.wait_calls(1);
    flap(&lab, &d, w, 0, 4);
    assert!(d.running(), "{}", d.context());
    assert_eq!(read_pid_file(w), Some(d.pid));
    // Up again: SIGTERM runs the down script, then the pid file goes.
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    let mut calls = flapped(4);
    calls.push("down up>error");
    d.assert_calls(&calls);
    assert!(!pid_file(w).exists(), "pid file left behind");
    // The script got SIGPIPE at its default: neither blocked nor ignored.
    let sigs = std::fs::read_to_string(lab.dir.join("sigs")).expect("sigs");
    for l in sigs.lines() {
        let (k, v) = l.split_once(' ').unwrap();
        let bits = u64::from_str_radix(v.trim(), 16).unwrap();
        assert_eq!(bits & (1 << 12), 0, "SIGPIPE in the script's {k} {v}");
    }
    assert_eq!(sigs.lines().count(), 2, "{sigs}");
}

/// Removes a path on drop.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// Makes a FIFO at `w`'s pid file's path (removed on drop).
fn mkfifo(w: &str) -> RemoveOnDrop {
    let path = pid_file(w);
    let _ = std::fs::remove_file(&path);
    let st = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(st.success(), "mkfifo {}", path.display());
    RemoveOnDrop(path)
}

/// Runs the daemon with a FIFO at its pid file's path (with someone
/// reading at its other end, or no one): it must start at once, say so in
/// one line, run as ever, and leave the FIFO alone, writing nothing in.
fn runs_beside_a_fifo(lab: &Lab, w: &str, with_reader: bool) {
    use std::os::unix::fs::OpenOptionsExt;
    let fifo = mkfifo(w);
    let path = fifo.0.clone();
    // With no reader, opening it to write fails with ENXIO; with one, the
    // open succeeds.
    let reader = with_reader.then(|| {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open(&path)
            .expect("open the FIFO")
    });
    // Admin-down again after an earlier run: "upping interface" once more.
    lab.ip(&["link", "set", w, "down"]);
    let _ = std::fs::remove_file(lab.dir.join("actions.log"));
    let mut d = lab.start(w, &[]);
    // Dropped before `d`, whose drop reads the pid file (which for a
    // FIFO would wait for ever).
    let _gone_first = RemoveOnDrop(path.clone());
    d.wait_msg("exit code: 0");
    let mut expected = vec!["pid file is not a regular file: not used".to_owned()];
    expected.extend(startup("up"));
    expected.extend([d.executing("up"), "exit code: 0".into()]);
    d.assert_msgs(&expected);
    d.signal("TERM");
    assert_eq!(d.wait_exit(), 1, "{}", d.context());
    d.assert_calls(&["up error>up", "down up>error"]);
    assert!(is_fifo(&path), "the FIFO was replaced or removed");
    if let Some(mut r) = reader {
        let mut buf = [0u8; 64];
        match r.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("the daemon wrote into the FIFO: {other:?} {buf:?}"),
        }
    }
}

#[test]
fn a_fifo_at_the_pid_file_path_is_said_and_left_alone() {
    let w = "hfifo";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);

    // -k: at once; no pid in it, so nothing to signal, as for no file.
    let fifo = mkfifo(w);
    let mut k = Command::new("ip");
    k.args(["netns", "exec", &lab.ns, BIN, "-k", "-i", w]);
    let out = output_within(k, Duration::from_secs(3));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{out:?}");
    assert!(is_fifo(&fifo.0), "the FIFO was replaced or removed");
    drop(fifo);

    runs_beside_a_fifo(&lab, w, false);
    runs_beside_a_fifo(&lab, w, true);
}
