//! `ifplugstatus` (issue 15): the binary called by that name (a symlink)
//! against Debian's ifplugd 0.28 `/usr/sbin/ifplugstatus`, both run in
//! the same namespace on the same veths and tap, each as `./ifplugstatus`
//! from its own directory (so argv[0], which 0.28 prints in `-h` and in
//! getopt's errors, is the same). Stdout, stderr and the exit code must be
//! equal; each case says which 0.28 behaviour it pins.
//!
//! The one normalisation: errno texts come from the C library. Debian's
//! 0.28 has glibc's ("Operation not supported"), we carry musl's ("Not
//! supported"), as every other line of ours does.

#![cfg(feature = "ifplugstatus")]

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const THEIRS: &str = "/usr/sbin/ifplugstatus";

/// glibc's texts of the errnos met here, as musl words them.
const LIBC_TEXTS: [(&str, &str); 1] = [("(Operation not supported)", "(Not supported)")];

struct Tools {
    ours: PathBuf,
}

impl Tools {
    fn new(lab: &Lab) -> Tools {
        assert!(
            Path::new(THEIRS).is_file(),
            "{THEIRS} is missing: `apt-get install -y ifplugd` gives Debian's 0.28 \
             (run it only inside a namespace)"
        );
        let dir = lab.dir.join("bin");
        std::fs::create_dir_all(&dir).expect("create the link's directory");
        let ours = dir.join("ifplugstatus");
        std::os::unix::fs::symlink(BIN, &ours).expect("symlink ifplugstatus -> the binary");
        Tools { ours: dir }
    }

    fn run(lab: &Lab, dir: &Path, args: &[&str]) -> (String, String, i32) {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &lab.ns, "./ifplugstatus"])
            .args(args)
            .current_dir(dir);
        let out: Output = output_within(c, WAIT);
        let code = out
            .status
            .code()
            .unwrap_or_else(|| panic!("ifplugstatus {args:?} died: {}", out.status));
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr), code)
    }

    fn ours(&self, lab: &Lab, args: &[&str]) -> (String, String, i32) {
        Tools::run(lab, &self.ours, args)
    }

    fn theirs(lab: &Lab, args: &[&str]) -> (String, String, i32) {
        let (mut out, mut err, code) = Tools::run(lab, Path::new("/usr/sbin"), args);
        for (glibc, musl) in LIBC_TEXTS {
            out = out.replace(glibc, musl);
            err = err.replace(glibc, musl);
        }
        (out, err, code)
    }

    /// Runs both; asserts they agree; returns ours.
    fn same(&self, lab: &Lab, args: &[&str]) -> (String, String, i32) {
        let theirs = Tools::theirs(lab, args);
        let ours = self.ours(lab, args);
        assert_eq!(
            ours,
            theirs,
            "ifplugstatus {args:?}: ours (left) and 0.28's (right) differ\n{}",
            lab.ip(&["-o", "link", "show"])
        );
        ours
    }
}

/// psu: carrier (peer up); psd: no carrier (peer down); both admin-up.
/// psa: admin-down, peer up. pst: a tap, admin-up.
fn world(tag: &str) -> (Lab, Tools) {
    let lab = Lab::new(tag);
    for v in ["psu", "psd", "psa"] {
        lab.veth(v);
    }
    lab.veth_carrier("psu", true);
    lab.link_up("psu");
    lab.link_up("psd");
    lab.veth_carrier("psa", true);
    lab.tap("pst");
    lab.link_up("pst");
    let tools = Tools::new(&lab);
    (lab, tools)
}

#[test]
fn one_interface_terse_quiet_and_exit_codes() {
    let (lab, t) = world("psone");
    lab.wait_lower_up("psu");
    // "IFACE: link beat detected", exit 2 (handle() 1, main adds 1);
    // SIOCETHTOOL answers on a veth.
    assert_eq!(
        t.same(&lab, &["psu"]),
        ("psu: link beat detected\n".into(), String::new(), 2)
    );
    // "IFACE: unplugged", exit 3.
    assert_eq!(
        t.same(&lab, &["psd"]),
        ("psd: unplugged\n".into(), String::new(), 3)
    );
    // An admin-down veth: ETHTOOL_GLINK has no carrier to report.
    assert_eq!(t.same(&lab, &["psa"]).2, 3);
    // -q: the exit code alone; -qv cancels out.
    assert_eq!(
        t.same(&lab, &["-q", "psu"]),
        (String::new(), String::new(), 2)
    );
    assert_eq!(t.same(&lab, &["--quiet", "psd"]).2, 3);
    assert_eq!(t.same(&lab, &["-qv", "psu"]).2, 2);
    // The first non-option only; getopt permutes, so options may follow.
    assert_eq!(
        t.same(&lab, &["psd", "psu", "-q"]),
        (String::new(), String::new(), 3)
    );
    // The tap follows its carrier.
    lab.tap_carrier("pst", true);
    assert_eq!(t.same(&lab, &["pst"]).2, 2);
    lab.tap_carrier("pst", false);
    assert_eq!(
        t.same(&lab, &["pst"]),
        ("pst: unplugged\n".into(), String::new(), 3)
    );
}

#[test]
fn missing_interface() {
    let (lab, t) = world("psno");
    // Every method fails: "not supported" on stdout (root: no "Retry as
    // root?"), "Failure (strerror)" on stderr, exit 1.
    assert_eq!(
        t.same(&lab, &["nope0"]),
        (
            "nope0: not supported\n".into(),
            "Failure (No such device)\n".into(),
            1
        )
    );
    // -q: no "Failure" (it is printed only at verbosity 0).
    assert_eq!(
        t.same(&lab, &["-q", "nope0"]),
        (String::new(), String::new(), 1)
    );
    // "--" ends the options: "-v" is the interface.
    assert_eq!(t.same(&lab, &["--", "-v"]).2, 1);
    // A name longer than IFNAMSIZ - 1 is cut (strncpy) when asked, and
    // printed whole: here the cut name is an admin-down tap.
    lab.ip(&["tuntap", "add", "mode", "tap", "name", "pslong123456789"]);
    assert_eq!(
        t.same(&lab, &["pslong123456789EXTRA"]),
        ("pslong123456789EXTRA: unplugged\n".into(), String::new(), 3)
    );
}

#[test]
fn verbose_asks_every_method_and_exits_1() {
    let (lab, t) = world("psverb");
    lab.wait_lower_up("psu");
    // Five lines in 0.28's order (ethtool, MII, wireless, IFF_RUNNING,
    // SIOCDEVPRIVATE); "Wireless failed." and "IFF_RUNNING failed." give
    // no reason; exit 1 whatever the link (handle() returns 0).
    let (out, err, code) = t.same(&lab, &["-v", "psu"]);
    assert_eq!(
        out,
        "psu:\n    SIOCETHTOOL: link beat detected\n    SIOCGMIIPHY failed (Not supported)\n    \
         Wireless failed.\n    IFF_RUNNING: link beat detected\n    SIOCDEVPRIVATE failed (Not supported)\n"
    );
    assert_eq!((err.as_str(), code), ("", 1));
    assert_eq!(t.same(&lab, &["psd", "--verbose"]).2, 1);
    t.same(&lab, &["-vv", "pst"]);
    t.same(&lab, &["--verb", "psa"]);
    // A missing interface: each method's errno, no "Failure" line.
    let (out, err, code) = t.same(&lab, &["-v", "nope0"]);
    assert!(
        out.contains("    SIOCETHTOOL failed (No such device)\n"),
        "{out}"
    );
    assert_eq!((err.as_str(), code), ("", 1));
}

#[test]
fn every_interface_of_proc_net_dev() {
    let (lab, t) = world("psall");
    lab.wait_lower_up("psu");
    // No argument: one line per /proc/net/dev entry, in its order (lo,
    // then each veth's peer before it, as the kernel registers them), and
    // exit 0 whatever they say.
    let (out, err, code) = t.same(&lab, &[]);
    let names: Vec<&str> = out.lines().filter_map(|l| l.split(':').next()).collect();
    assert_eq!(
        names,
        ["lo", "psup", "psu", "psdp", "psd", "psap", "psa", "pst"],
        "{out}"
    );
    assert_eq!((err.as_str(), code), ("", 0));
    assert!(out.contains("psu: link beat detected\n") && out.contains("psd: unplugged\n"));
    // -v: the five-line block for each; -q: nothing; both exit 0.
    assert_eq!(t.same(&lab, &["-v"]).2, 0);
    assert_eq!(t.same(&lab, &["-q"]), (String::new(), String::new(), 0));
}

#[test]
fn auto_brings_the_interface_up() {
    let (lab, t) = world("psauto");
    // -a: interface_up() before each probe sets IFF_UP, then the carrier
    // of the peer shows. Ours first, then 0.28 on the same interface set
    // down again.
    assert!(!lab.admin_up("psa"));
    let ours = t.ours(&lab, &["-a", "psa"]);
    assert!(lab.admin_up("psa"), "ours left psa down");
    lab.ip(&["link", "set", "psa", "down"]);
    let theirs = Tools::theirs(&lab, &["-a", "psa"]);
    assert!(lab.admin_up("psa"), "0.28 left psa down");
    assert_eq!(ours, theirs);
    // -a given twice toggles back off: psa stays down.
    lab.ip(&["link", "set", "psa", "down"]);
    t.same(&lab, &["-aa", "psa"]);
    assert!(!lab.admin_up("psa"));
}

#[test]
fn help_version_and_bad_options() {
    let (lab, t) = world("psopt");
    // -h: 0.28's text, with the state of -a/-q/-v at that point, exit 0;
    // later options still count (-h acts once the options are read).
    let (out, _, code) = t.same(&lab, &["-h"]);
    // (0.28 cuts argv[0] after its first '/': "./ifplugstatus" shows as
    // "ifplugstatus", "/usr/sbin/ifplugstatus" as "usr/sbin/ifplugstatus".)
    assert!(
        out.starts_with("ifplugstatus [options] [INTERFACE]\n"),
        "{out}"
    );
    assert_eq!(code, 0);
    t.same(&lab, &["-a", "-h", "-q"]);
    t.same(&lab, &["--help", "-v", "psu"]);
    // 0.28: getopt's line, then "Unknown parameter.", exit 1. Ours leaves
    // getopt's line out (ifplugstatus.8). 0.28's ifplugstatus has no -i.
    for bad in [
        ["-i", "psu"],
        ["-x", "psu"],
        ["--foo", "psu"],
        ["--v", "psu"],
        ["--quiet=1", "psu"],
    ] {
        let (out, err, code) = Tools::theirs(&lab, &bad);
        assert_eq!((out.as_str(), code), ("", 1), "{bad:?}");
        assert!(err.ends_with("\nUnknown parameter.\n"), "{bad:?}: {err}");
        let ours = t.ours(&lab, &bad);
        assert_eq!(ours, (out, "Unknown parameter.\n".into(), code), "{bad:?}");
    }
    // -V: "ifplugstatus VERSION ...", exit 0; the version differs.
    let (out, err, code) = t.ours(&lab, &["-V"]);
    assert_eq!(out, format!("ifplugstatus {VERSION} (ifplugd-rs)\n"));
    assert_eq!((err.as_str(), code), ("", 0));
    let (out, _, code) = Tools::theirs(&lab, &["--version"]);
    assert!(out.starts_with("ifplugstatus 0.28"), "{out}");
    assert_eq!(code, 0);
}

#[test]
fn another_name_is_the_daemon() {
    let (lab, t) = world("psname");
    // Only the name ifplugstatus dispatches: a link called otherwise is
    // ifplugd (its -V).
    let other = t.ours.join("ifplugstatus2");
    std::os::unix::fs::symlink(BIN, &other).expect("symlink");
    let out = output_within(
        {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", &lab.ns]).arg(&other).arg("-V");
            c
        },
        WAIT,
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("ifplugd-rs {VERSION}\n")
    );
}

trait WaitLowerUp {
    fn wait_lower_up(&self, name: &str);
}

impl WaitLowerUp for Lab {
    /// The veth's carrier is there (it comes a moment after the peer's up).
    fn wait_lower_up(&self, name: &str) {
        wait_until(|| format!("carrier on {name}"), || self.lower_up(name));
    }
}
