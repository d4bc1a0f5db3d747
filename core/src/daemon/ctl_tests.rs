//! The daemon's side of `ctl` against a small scripted host: the nested
//! counter, 0.28's lines, nothing detected or run while suspended, and the
//! re-check at resume with the usual delays.

extern crate std;

use std::format;
use std::string::String;
use std::vec::Vec;

use super::*;
use crate::delay::Instant;
use crate::detect::{Method, ProbeError, Reading};
use crate::host::Iface;
use crate::messages::{write_line, Line};
use crate::script::ScriptCall;

/// Links up or down by name; records lines, probes and scripts.
#[derive(Default)]
struct Mock {
    now: Millis,
    up: Vec<&'static [u8]>,
    /// "who: text" per line.
    lines: Vec<String>,
    probes: usize,
    /// "IFACE ACTION" per script started.
    scripts: Vec<String>,
}

impl Mock {
    fn take_lines(&mut self) -> Vec<String> {
        core::mem::take(&mut self.lines)
    }
}

impl Host for Mock {
    fn log(&mut self, who: &[u8], msg: &Message<'_>) {
        let mut line = Line::<256>::new();
        write_line(&mut line, who, msg, |_| None).unwrap();
        let text = String::from_utf8_lossy(line.as_bytes());
        self.lines.push(text.trim_end().into());
    }
    fn if_index(&mut self, _: &IfName) -> Option<u32> {
        Some(3)
    }
    fn if_flags(&mut self, _: &IfName) -> Result<u32, i32> {
        Ok(crate::kernel::IFF_UP)
    }
    fn set_if_flags(&mut self, _: &IfName, _: u32) -> Result<(), i32> {
        Ok(())
    }
    fn probe(&mut self, name: &IfName, _: Method) -> Result<Reading, ProbeError> {
        self.probes += 1;
        let up = self.up.contains(&name.as_bytes());
        Ok(Reading::Ethtool(u32::from(up)))
    }
    fn start_script(&mut self, iface: Iface<'_>, call: &ScriptCall) -> Result<(), i32> {
        let name = String::from_utf8_lossy(iface.name.as_bytes());
        self.scripts
            .push(format!("{name} {}", call.action.as_str()));
        Ok(())
    }
    fn stop_script(&mut self, _: usize, _: bool) {}
    fn list_links(&mut self) -> Result<(), i32> {
        Ok(())
    }
    fn now(&mut self) -> Instant {
        Instant::from_ms(self.now)
    }
}

fn opts(ifaces: &[&'static core::ffi::CStr]) -> Options<'static> {
    let mut o = Options {
        delay_up: 0,
        delay_down: 0,
        ..Options::default()
    };
    o.ifaces.clear();
    for i in ifaces {
        o.ifaces.push(i).unwrap();
    }
    o
}

/// Wakes the daemon as the host would, at `now`.
fn wake(d: &mut Daemon<'_>, h: &mut Mock, now: Millis) -> Flow {
    h.now = now;
    d.wake(h, Instant::from_ms(now))
}

/// `poll_at()` at the mock's time.
fn poll_at(d: &mut Daemon<'_>, h: &Mock) -> Option<Millis> {
    d.poll_at(Instant::from_ms(h.now))
}

fn ended(d: &mut Daemon<'_>, h: &mut Mock) {
    let flow = d.script_ended(h, 0, crate::script::ScriptOutcome::Exited(0));
    assert_eq!(flow, Flow::Continue);
}

/// A daemon on eth0, link down, past start-up.
fn started(o: Options<'static>) -> (Daemon<'static>, Mock) {
    let mut h = Mock::default();
    let mut d = Daemon::new(o);
    assert_eq!(d.start(&mut h, Instant::from_ms(0)), Flow::Continue);
    h.take_lines();
    (d, h)
}

#[test]
fn the_counter_nests_in_0_28_words() {
    let (mut d, mut h) = started(opts(&[c"eth0"]));
    for sig in [
        Signal::Suspend,
        Signal::Suspend,
        Signal::Info,
        Signal::Resume,
        Signal::Resume,
        // 0.28 says nothing of a resume while running.
        Signal::Resume,
        Signal::Info,
    ] {
        assert_eq!(d.signal(&mut h, sig), Flow::Continue);
    }
    assert_eq!(
        h.take_lines(),
        [
            "ifplugd(eth0): SIGUSR1: Daemon suspended (#1)",
            "ifplugd(eth0): SIGUSR1: Daemon suspended (#2)",
            "ifplugd(eth0): SIGHUP: Suspended, link detected on eth0: no",
            "ifplugd(eth0): SIGUSR2: Daemon resumed (#2)",
            "ifplugd(eth0): SIGUSR2: Daemon resumed (#1)",
            "ifplugd(eth0): SIGHUP: Running, link detected on eth0: no",
        ]
    );
    // One more SIGUSR1 starts at #1 again: the extra SIGUSR2 went nowhere.
    d.signal(&mut h, Signal::Suspend);
    assert_eq!(
        h.take_lines(),
        ["ifplugd(eth0): SIGUSR1: Daemon suspended (#1)"]
    );
}

#[test]
fn suspended_it_neither_detects_nor_runs_scripts() {
    let (mut d, mut h) = started(opts(&[c"eth0"]));
    d.signal(&mut h, Signal::Suspend);
    h.take_lines();
    h.up.push(b"eth0");
    assert_eq!(poll_at(&mut d, &h), None, "no deadline while suspended");
    let probes = h.probes;
    for t in [1000, 2000, 60_000] {
        assert_eq!(wake(&mut d, &mut h, t), Flow::Continue);
    }
    assert_eq!(h.probes, probes, "probed while suspended");
    assert!(h.scripts.is_empty() && h.lines.is_empty(), "{:?}", h.lines);
    // Its status is the one before the suspension, as in 0.28.
    d.signal(&mut h, Signal::Info);
    assert_eq!(
        h.take_lines(),
        ["ifplugd(eth0): SIGHUP: Suspended, link detected on eth0: no"]
    );
    // Resumed: checked at once.
    d.signal(&mut h, Signal::Resume);
    assert_eq!(poll_at(&mut d, &h), Some(0));
    wake(&mut d, &mut h, 60_100);
    assert_eq!(
        h.take_lines(),
        [
            "ifplugd(eth0): SIGUSR2: Daemon resumed (#1)",
            "ifplugd(eth0): link is up",
            "ifplugd(eth0): executing '/etc/ifplugd/ifplugd.action eth0 up'",
        ]
    );
    assert_eq!(h.scripts, ["eth0 up"]);
}

#[test]
fn a_change_found_at_resume_waits_its_delay() {
    let o = Options {
        delay_up: 3,
        ..opts(&[c"eth0"])
    };
    let (mut d, mut h) = started(o);
    d.signal(&mut h, Signal::Suspend);
    h.up.push(b"eth0");
    wake(&mut d, &mut h, 10_000);
    d.signal(&mut h, Signal::Resume);
    wake(&mut d, &mut h, 20_000);
    assert!(h.scripts.is_empty());
    assert_eq!(poll_at(&mut d, &h), Some(21_000 - 20_000), "the -t tick");
    wake(&mut d, &mut h, 22_999);
    assert!(h.scripts.is_empty(), "ran before its delay");
    wake(&mut d, &mut h, 23_000);
    assert_eq!(h.scripts, ["eth0 up"]);
}

#[test]
fn a_running_script_ends_as_usual_and_nothing_follows_until_resumed() {
    let (mut d, mut h) = started(opts(&[c"eth0"]));
    h.up.push(b"eth0");
    wake(&mut d, &mut h, 1000);
    assert_eq!(h.scripts, ["eth0 up"]);
    d.signal(&mut h, Signal::Suspend);
    h.take_lines();
    // The link goes down meanwhile; the script's end is still handled.
    h.up.clear();
    ended(&mut d, &mut h);
    wake(&mut d, &mut h, 2000);
    assert_eq!(h.take_lines(), ["ifplugd(eth0): exit code: 0"]);
    assert_eq!(h.scripts, ["eth0 up"]);
    d.signal(&mut h, Signal::Resume);
    wake(&mut d, &mut h, 3000);
    assert_eq!(h.scripts, ["eth0 up", "eth0 down"]);
}

#[test]
fn a_failed_script_ends_a_suspended_daemon_as_usual() {
    let (mut d, mut h) = started(opts(&[c"eth0"]));
    h.up.push(b"eth0");
    wake(&mut d, &mut h, 1000);
    d.signal(&mut h, Signal::Suspend);
    let flow = d.script_ended(&mut h, 0, crate::script::ScriptOutcome::Exited(1));
    assert_eq!(flow, Flow::Exit(1));
}

#[test]
fn sigterm_while_suspended_still_runs_the_down_script() {
    let (mut d, mut h) = started(opts(&[c"eth0"]));
    h.up.push(b"eth0");
    wake(&mut d, &mut h, 1000);
    ended(&mut d, &mut h);
    d.signal(&mut h, Signal::Suspend);
    assert_eq!(d.signal(&mut h, Signal::Terminate), Flow::Continue);
    assert_eq!(h.scripts, ["eth0 up", "eth0 down"]);
    let flow = d.script_ended(&mut h, 0, crate::script::ScriptOutcome::Exited(0));
    assert_eq!(flow, Flow::Exit(1));
}

#[test]
fn monitor_adds_0_28s_enabled_line() {
    let o = Options {
        monitor: true,
        ..opts(&[c"eth0"])
    };
    let (mut d, mut h) = started(o);
    d.signal(&mut h, Signal::Info);
    assert_eq!(
        h.take_lines(),
        [
            "ifplugd(eth0): SIGHUP: Running, link detected on eth0: no",
            "ifplugd(eth0): SIGHUP: Interface enabled",
        ]
    );
}

#[cfg(feature = "multi")]
#[test]
fn one_status_line_per_interface_under_its_own_name() {
    let (mut d, mut h) = started(opts(&[c"lan1", c"lan2"]));
    h.up.push(b"lan2");
    d.signal(&mut h, Signal::Suspend);
    d.signal(&mut h, Signal::Resume);
    wake(&mut d, &mut h, 1000);
    h.take_lines();
    d.signal(&mut h, Signal::Suspend);
    d.signal(&mut h, Signal::Info);
    assert_eq!(
        h.take_lines(),
        [
            "ifplugd(lan1,lan2): SIGUSR1: Daemon suspended (#1)",
            "ifplugd(lan1): SIGHUP: Suspended, link detected on lan1: no",
            "ifplugd(lan2): SIGHUP: Suspended, link detected on lan2: yes",
        ]
    );
}

#[test]
fn a_delay_that_ran_out_while_suspended_is_reported_at_resume() {
    let o = Options {
        delay_up: 3,
        ..opts(&[c"eth0"])
    };
    let (mut d, mut h) = started(o);
    h.up.push(b"eth0");
    d.netlink_lost(&mut h);
    wake(&mut d, &mut h, 1000);
    assert!(
        h.lines.iter().any(|l| l.ends_with("link is up")),
        "{:?}",
        h.lines
    );
    d.signal(&mut h, Signal::Suspend);
    wake(&mut d, &mut h, 5000);
    assert!(h.scripts.is_empty(), "ran while suspended");
    d.signal(&mut h, Signal::Resume);
    wake(&mut d, &mut h, 6000);
    assert_eq!(h.scripts, ["eth0 up"]);
}

#[test]
fn a_delay_pending_through_a_suspension_of_months_is_reported_at_resume() {
    // Suspended across the clock's wrap for 30 days: the host's daily
    // `poll_at()` keeps the passed deadlines passed (unsettled, 30 days
    // past would seem 19.7 days ahead), so at resume the up is reported at
    // once, and the -t tick comes back.
    let o = Options {
        delay_up: 3,
        ..opts(&[c"eth0"])
    };
    let mut h = Mock {
        now: u32::MAX - 500,
        ..Mock::default()
    };
    let mut d = Daemon::new(o);
    let t0 = Instant::from_ms(h.now);
    assert_eq!(d.start(&mut h, t0), Flow::Continue);
    h.up.push(b"eth0");
    d.netlink_lost(&mut h);
    wake(&mut d, &mut h, u32::MAX - 400);
    assert!(h.lines.iter().any(|l| l.ends_with("link is up")));
    d.signal(&mut h, Signal::Suspend);
    for _ in 0..30 {
        h.now = h.now.wrapping_add(MAX_SLEEP);
        assert_eq!(poll_at(&mut d, &h), None);
    }
    assert!(h.scripts.is_empty(), "ran while suspended");
    d.signal(&mut h, Signal::Resume);
    let now = h.now.wrapping_add(10);
    wake(&mut d, &mut h, now);
    assert_eq!(h.scripts, ["eth0 up"]);
    ended(&mut d, &mut h);
    assert_eq!(poll_at(&mut d, &h), Some(1000), "the -t tick, a second on");
}
