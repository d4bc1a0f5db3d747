//! Without `-s`, lines go to syslog through /dev/log as well as to stderr:
//! "<30>ifplugd(IFACE): text" (facility daemon, level info for routine
//! lines, as BusyBox 1.36 logs them; failures at err, as the spec's
//! bb_error_msg logs every line). Checked against a listener on a /dev/log
//! of the test's own, in a private mount namespace.

mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn lines_reach_syslog_in_busybox_form() {
    let w = "slog";
    let lab = Lab::new(w);
    lab.veth(w);
    lab.veth_carrier(w, true);
    let out = lab.dir.join("syslog.txt");
    let script = format!(
        r#"set -e
mount -t tmpfs none /dev
mknod -m 666 /dev/null c 1 3
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(5)
out = open(sys.argv[1], "w")
print("ready", flush=True)
try:
    while True:
        out.write(s.recv(4096).decode() + "\n"); out.flush()
except socket.timeout:
    pass
' {out} > {dir}/listener.ready 2>&1 </dev/null &
l=$!
while ! grep -q ready {dir}/listener.ready 2>/dev/null; do sleep 0.05; done
ip netns exec {ns} {bin} -n -i {w} -r {script} -t 1 -u 0 -d 0 2>{dir}/stderr.txt &
d=$!
while ! grep -q 'exit code' {out} 2>/dev/null; do sleep 0.05; done
kill -TERM $d
wait $d || true
sleep 0.2
kill $l
"#,
        out = out.display(),
        dir = lab.dir.display(),
        ns = lab.ns,
        bin = BIN,
        script = lab.script,
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "sh", "-c", &script]);
    let result = output_within(cmd, Duration::from_secs(20));
    assert!(result.status.success(), "{result:?}");
    let got = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = got.lines().collect();
    let expected = [
        "<30>ifplugd(slog): started: ifplugd-rs v".to_string() + env!("CARGO_PKG_VERSION"),
        "<30>ifplugd(slog): upping interface".into(),
        "<30>ifplugd(slog): using SIOCETHTOOL detection mode".into(),
        "<30>ifplugd(slog): link is up".into(),
        format!("<30>ifplugd(slog): executing '{} slog up'", lab.script),
        "<30>ifplugd(slog): exit code: 0".into(),
        format!("<30>ifplugd(slog): executing '{} slog down'", lab.script),
        "<30>ifplugd(slog): exit code: 0".into(),
        "<30>ifplugd(slog): exiting".into(),
    ];
    assert_eq!(lines, expected, "syslog got:\n{got}");
    // And the same lines on stderr, without the priority.
    let stderr = std::fs::read_to_string(lab.dir.join("stderr.txt")).unwrap();
    let want: Vec<String> = expected.iter().map(|l| l[4..].to_string()).collect();
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        want,
        "stderr:\n{stderr}"
    );
}
