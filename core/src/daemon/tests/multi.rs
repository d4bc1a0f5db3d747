//! The supervisor: several interfaces and patterns in one daemon, scripts
//! side by side, on the simulated clock of `tests.rs`. Lines are shown
//! "WHO: text", with the host's own acts (SIGTERM/SIGKILL sent to a
//! script, the request for the list of interfaces) among them.

use super::*;
use core::ffi::CStr;

/// Options with these `-i` values, then changes.
fn multi_opts(ifaces: &[&'static CStr], f: impl FnOnce(&mut Options<'static>)) -> Options<'static> {
    opts(|o| {
        o.ifaces.clear();
        for &i in ifaces {
            o.ifaces.push(i).unwrap();
        }
        f(o);
    })
}

fn iface(name: &str, index: u32, link: &[(SimMs, Status)]) -> MockIf {
    MockIf::new(name, index, link)
}

/// An interface whose scripts each run this long.
fn slow(name: &str, index: u32, link: &[(SimMs, Status)], script_ms: SimMs) -> MockIf {
    MockIf {
        script_ms,
        ..MockIf::new(name, index, link)
    }
}

impl Sim {
    /// The mock interface of that name: the one that exists, if any.
    fn of(&mut self, name: &str) -> &mut MockIf {
        let i = (self.h.ifs.iter().position(|i| i.present && i.name == name))
            .or_else(|| self.h.ifs.iter().position(|i| i.name == name))
            .expect("a mock interface");
        &mut self.h.ifs[i]
    }

    /// The kernel announces `name` (its flags as they are).
    fn announce(&mut self, t: SimMs, ty: u16, name: &str) {
        let i = self.of(name);
        let (index, flags) = (i.index.unwrap_or(0) as i32, i.flags.unwrap_or(0));
        let name = name.to_string();
        self.netlink(t, &nl_msg(ty, 0, index, &name, flags));
        self.wake(t);
    }

    /// A new interface appears.
    fn appear(&mut self, t: SimMs, i: MockIf) {
        let name = i.name.clone();
        self.h.ifs.push(i);
        self.announce(t, RTM_NEWLINK, &name);
    }

    /// An interface is deleted.
    fn delete(&mut self, t: SimMs, name: &str) {
        self.at(t);
        let i = self.of(name);
        i.present = false;
        let (index, flags) = (i.index.unwrap_or(0) as i32, i.flags.unwrap_or(0));
        self.netlink(t, &nl_msg(RTM_DELLINK, 0, index, name, flags));
        self.wake(t);
    }

    /// An interface is renamed.
    fn rename(&mut self, t: SimMs, from: &str, to: &str) {
        self.at(t);
        self.of(from).name = to.to_string();
        self.announce(t, RTM_NEWLINK, to);
    }

    /// The names of the interfaces watched now.
    fn watched(&self) -> Vec<String> {
        self.d
            .links()
            .map(|l| {
                std::str::from_utf8(l.name().as_bytes())
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    fn status_of(&self, name: &str) -> Option<Status> {
        self.d
            .links()
            .find(|l| l.name().as_bytes() == name.as_bytes())
            .map(Link::status)
    }

    /// The lines about `who`.
    fn lines_of(&self, who: &str) -> Vec<(SimMs, String)> {
        let prefix = format!("{who}: ");
        self.lines()
            .into_iter()
            .filter(|(_, l)| l.starts_with(&prefix))
            .collect()
    }

    /// The lines from the first with `text` in it.
    fn lines_from(&self, text: &str) -> Vec<(SimMs, String)> {
        let lines = self.lines();
        let first = lines.iter().position(|(_, l)| l.contains(text));
        lines[first.expect("the line is there")..].to_vec()
    }

    /// The lines with `filter` in them.
    fn lines_with(&self, filter: &str) -> Vec<(SimMs, String)> {
        self.lines()
            .into_iter()
            .filter(|(_, l)| l.contains(filter))
            .collect()
    }
}

/// `got` is `want`, or the test fails showing both.
fn same(name: &str, got: &[(SimMs, String)], want: &[(SimMs, &str)]) {
    let want: Vec<(SimMs, String)> = want.iter().map(|&(t, s)| (t, s.to_string())).collect();
    assert!(
        got == want.as_slice(),
        "{name}:\n got: {}\nwant: {}",
        show(got),
        show(&want)
    );
}

/// The scripts' lines: their runs and ends, and the host's signals.
fn script_lines(sim: &Sim) -> Vec<(SimMs, String)> {
    sim.lines()
        .into_iter()
        .filter(|(_, l)| {
            l.contains(": run ")
                || l.contains("exit code")
                || l.ends_with("SIGTERM")
                || l.ends_with("SIGKILL")
                || l.contains("exiting")
                || l.starts_with("exit ")
        })
        .collect()
}

#[test]
fn start_up_named_and_pattern() {
    let mock = Mock::multi(vec![
        iface("wan", 2, &[(0, UP)]),
        iface("lan1", 3, &[(0, UP)]),
        iface("lan2", 4, &[(0, DOWN)]),
        iface("eth9", 5, &[(0, UP)]),
    ]);
    let mut sim = Sim::new(multi_opts(&[c"wan", c"lan*"], |_| {}), mock);
    sim.start(0);
    sim.run_until(1000);
    // The named one at once; the pattern's once the kernel has listed
    // them (eth9 does not match); each as `-M` starts it.
    same(
        "start-up",
        &sim.lines(),
        &[
            (0, "wan,lan*: started: <banner>"),
            (0, "wan: using SIOCETHTOOL detection mode"),
            (0, "wan: link is up"),
            (0, "wan: executing '/etc/ifplugd/ifplugd.action wan up'"),
            (0, "wan: run up PREVIOUS=error CURRENT=up"),
            (0, "list links"),
            (0, "wan: exit code: 0"),
            (0, "lan1: using SIOCETHTOOL detection mode"),
            (0, "lan1: interface exists"),
            (0, "lan1: link is up"),
            (0, "lan1: executing '/etc/ifplugd/ifplugd.action lan1 up'"),
            (0, "lan1: run up PREVIOUS=error CURRENT=up"),
            (0, "lan2: using SIOCETHTOOL detection mode"),
            (0, "lan2: interface exists"),
            (0, "lan2: link is down"),
            (0, "lan1: exit code: 0"),
        ],
    );
    assert_eq!(sim.watched(), ["wan", "lan1", "lan2"]);
    assert_eq!(sim.status_of("lan2"), Some(DOWN));
}

#[test]
fn a_slow_script_delays_no_other_interface() {
    let mock = Mock::multi(vec![
        slow("lan1", 3, &[(0, DOWN), (1500, UP)], 10_000),
        iface("lan2", 4, &[(0, DOWN), (1600, UP), (3500, DOWN)]),
    ]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |o| o.delay_down = 0), mock);
    sim.start(0);
    sim.run_until(20_000);
    // lan2's scripts start and end on time while lan1's runs.
    same(
        "overlapping scripts",
        &script_lines(&sim),
        &[
            (2000, "lan1: run up PREVIOUS=down CURRENT=up"),
            (2000, "lan2: run up PREVIOUS=down CURRENT=up"),
            (2000, "lan2: exit code: 0"),
            (4000, "lan2: run down PREVIOUS=up CURRENT=down"),
            (4000, "lan2: exit code: 0"),
            (12_000, "lan1: exit code: 0"),
        ],
    );
}

#[test]
fn a_change_under_its_own_script_is_decided_at_its_end() {
    let mock = Mock::multi(vec![
        // Down under the up script and back before it ends: nothing.
        slow("lan1", 3, &[(0, UP), (1000, DOWN), (2500, UP)], 3000),
        // Down under the up script, still down at its end: the down script
        // after -d from the end.
        slow("lan2", 4, &[(0, UP), (1000, DOWN)], 3000),
    ]);
    let mut sim = Sim::new(multi_opts(&[c"lan1", c"lan2"], |o| o.delay_down = 2), mock);
    sim.start(0);
    sim.run_until(20_000);
    same(
        "under its script",
        &sim.lines(),
        &[
            (0, "lan1,lan2: started: <banner>"),
            (0, "lan1: using SIOCETHTOOL detection mode"),
            (0, "lan1: link is up"),
            (0, "lan1: executing '/etc/ifplugd/ifplugd.action lan1 up'"),
            (0, "lan1: run up PREVIOUS=error CURRENT=up"),
            (0, "lan2: using SIOCETHTOOL detection mode"),
            (0, "lan2: link is up"),
            (0, "lan2: executing '/etc/ifplugd/ifplugd.action lan2 up'"),
            (0, "lan2: run up PREVIOUS=error CURRENT=up"),
            (3000, "lan1: exit code: 0"),
            (3000, "lan2: exit code: 0"),
            (3000, "lan2: link is down"),
            (
                5000,
                "lan2: executing '/etc/ifplugd/ifplugd.action lan2 down'",
            ),
            (5000, "lan2: run down PREVIOUS=up CURRENT=down"),
            (8000, "lan2: exit code: 0"),
        ],
    );
}

#[test]
fn sigterm_runs_the_downs_owed_side_by_side_then_exits() {
    let mock = Mock::multi(vec![
        slow("lan1", 3, &[(0, UP)], 500),
        slow("lan2", 4, &[(0, DOWN)], 500),
        // A down pending (-d 5): owed.
        slow("lan3", 5, &[(0, UP), (1500, DOWN)], 500),
        // An up pending (-u 5): BusyBox runs down for status up.
        slow("lan4", 6, &[(0, DOWN), (1500, UP)], 800),
    ]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |o| o.delay_up = 5), mock);
    sim.start(0);
    sim.run_until(3000);
    sim.signal(3000, Signal::Terminate);
    sim.run_until(10_000);
    // lan2 is down with nothing pending: no script for it.
    same(
        "SIGTERM",
        &script_lines(&sim),
        &[
            (0, "lan1: run up PREVIOUS=error CURRENT=up"),
            (0, "lan3: run up PREVIOUS=error CURRENT=up"),
            (500, "lan1: exit code: 0"),
            (500, "lan3: exit code: 0"),
            (3000, "lan1: run down PREVIOUS=up CURRENT=error"),
            (3000, "lan3: run down PREVIOUS=down CURRENT=error"),
            (3000, "lan4: run down PREVIOUS=up CURRENT=error"),
            (3500, "lan1: exit code: 0"),
            (3500, "lan3: exit code: 0"),
            (3800, "lan4: exit code: 0"),
            (3800, "lan*: exiting"),
            (3800, "exit 1"),
        ],
    );
}

#[test]
fn sigquit_runs_no_script_and_waits_for_the_running_ones() {
    let mock = Mock::multi(vec![
        slow("lan1", 3, &[(0, UP)], 5000),
        slow("lan2", 4, &[(0, UP)], 0),
    ]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |_| {}), mock);
    sim.start(0);
    sim.run_until(1000);
    sim.signal(1000, Signal::Quit);
    sim.run_until(10_000);
    // lan1's script is stopped (it dies of SIGTERM at once), none starts.
    same(
        "SIGQUIT",
        &script_lines(&sim),
        &[
            (0, "lan1: run up PREVIOUS=error CURRENT=up"),
            (0, "lan2: run up PREVIOUS=error CURRENT=up"),
            (0, "lan2: exit code: 0"),
            (1000, "lan1: SIGTERM"),
            (1000, "lan*: exiting"),
            (1000, "exit 1"),
        ],
    );
    same(
        "SIGQUIT",
        &sim.lines_with("stopping"),
        &[(1000, "lan1: stopping script")],
    );
}

#[test]
fn a_hung_script_is_killed_after_the_grace_period() {
    let mock = Mock::multi(vec![
        iface("lan1", 3, &[(0, UP)]),
        slow("lan2", 4, &[(0, UP)], 200),
    ])
    .plans(&[Plan::Ends(0, ScriptOutcome::Exited(0)), Plan::Hangs]);
    let mut sim = Sim::new(multi_opts(&[c"lan1", c"lan2"], |_| {}), mock);
    sim.start(0);
    sim.run_until(1000);
    sim.signal(1000, Signal::Terminate);
    sim.run_until(10_000);
    // lan1's down at once; lan2's hung up script gets SIGKILL a grace
    // period later, then its down; "exiting" once both have ended.
    same(
        "grace",
        &script_lines(&sim),
        &[
            (0, "lan1: run up PREVIOUS=error CURRENT=up"),
            (0, "lan2: run up PREVIOUS=error CURRENT=up"),
            (0, "lan1: exit code: 0"),
            (1000, "lan1: run down PREVIOUS=up CURRENT=error"),
            (1000, "lan2: SIGTERM"),
            (1000, "lan1: exit code: 0"),
            (2000, "lan2: SIGKILL"),
            (2000, "lan2: run down PREVIOUS=up CURRENT=error"),
            (2200, "lan2: exit code: 0"),
            (2200, "lan1,lan2: exiting"),
            (2200, "exit 1"),
        ],
    );
}

#[test]
fn a_failing_script_ends_the_daemon_unless_i() {
    for ignore_retval in [false, true] {
        let mock = Mock::multi(vec![
            iface("lan1", 3, &[(0, DOWN), (1500, UP)]),
            slow("lan2", 4, &[(0, UP)], 5000),
        ]);
        let mut mock = mock;
        mock.plans = [
            (
                Some("lan2".to_string()),
                Plan::Ends(5000, ScriptOutcome::Exited(0)),
            ),
            (
                Some("lan1".to_string()),
                Plan::Ends(0, ScriptOutcome::Exited(1)),
            ),
        ]
        .into_iter()
        .collect();
        let mut sim = Sim::new(
            multi_opts(&[c"lan*"], |o| o.ignore_retval = ignore_retval),
            mock,
        );
        sim.start(0);
        sim.run_until(10_000);
        let want: &[(SimMs, &str)] = if ignore_retval {
            &[
                (0, "lan2: run up PREVIOUS=error CURRENT=up"),
                (2000, "lan1: run up PREVIOUS=down CURRENT=up"),
                (2000, "lan1: exit code: 1"),
                (5000, "lan2: exit code: 0"),
            ]
        } else {
            // At once, lan2's script still running (as BusyBox dies).
            &[
                (0, "lan2: run up PREVIOUS=error CURRENT=up"),
                (2000, "lan1: run up PREVIOUS=down CURRENT=up"),
                (2000, "lan1: exit code: 1"),
                (2000, "lan1: exiting"),
                (2000, "exit 1"),
            ]
        };
        same("failing script", &script_lines(&sim), want);
    }
}

#[test]
fn the_table_holds_max_links() {
    let ifs = (0..=MAX_LINKS as u32)
        .map(|i| iface(&format!("lan{i}"), 10 + i, &[(0, DOWN)]))
        .collect();
    let mut sim = Sim::new(
        multi_opts(&[c"lan*"], |o| o.delay_down = 0),
        Mock::multi(ifs),
    );
    sim.start(0);
    sim.run_until(1000);
    let last = format!("lan{MAX_LINKS}");
    assert_eq!(sim.watched().len(), MAX_LINKS);
    assert!(!sim.watched().contains(&last));
    same(
        "table full",
        &sim.lines_with("too many"),
        &[(0, "lan32: too many interfaces, not watched")],
    );
    // One goes: forgotten, the next announcement of the one left out is
    // watched.
    sim.delete(1000, "lan0");
    sim.run_until(2000);
    assert!(!sim.watched().contains(&"lan0".to_string()));
    sim.announce(2000, RTM_NEWLINK, &last);
    sim.run_until(3000);
    assert!(sim.watched().contains(&last), "{:?}", sim.watched());
    assert_eq!(sim.watched().len(), MAX_LINKS);
}

#[test]
fn a_pattern_interface_appears_flaps_and_goes() {
    let mock = Mock::multi(vec![iface("lan1", 3, &[(0, DOWN)])]);
    let mut sim = Sim::new(
        multi_opts(&[c"lan*"], |o| {
            o.delay_up = 1;
            o.delay_down = 2;
        }),
        mock,
    );
    sim.start(0);
    sim.run_until(1000);
    let mut lan2 = iface(
        "lan2",
        9,
        &[(0, UP), (3200, DOWN), (3600, UP), (6000, DOWN)],
    );
    lan2.flags = Ok(0x1002);
    sim.appear(1500, lan2);
    sim.run_until(9000);
    sim.delete(9500, "lan2");
    sim.run_until(20_000);
    // Brought up, its up after -u; a flap shorter than -d runs nothing;
    // its deletion (already down) nothing; then it is forgotten.
    same(
        "appears",
        &sim.lines_of("lan2"),
        &[
            (1500, "lan2: interface appeared"),
            (1500, "lan2: upping interface"),
            (1500, "lan2: set flags 0x1003"),
            (1500, "lan2: using SIOCETHTOOL detection mode"),
            (1500, "lan2: link is up"),
            (
                2500,
                "lan2: executing '/etc/ifplugd/ifplugd.action lan2 up'",
            ),
            (2500, "lan2: run up PREVIOUS=error CURRENT=up"),
            (2500, "lan2: exit code: 0"),
            (3500, "lan2: link is down"),
            (4500, "lan2: link is up"),
            (6500, "lan2: link is down"),
            (
                8500,
                "lan2: executing '/etc/ifplugd/ifplugd.action lan2 down'",
            ),
            (8500, "lan2: run down PREVIOUS=up CURRENT=down"),
            (8500, "lan2: exit code: 0"),
            (9500, "lan2: interface disappeared"),
        ],
    );
    assert_eq!(sim.watched(), ["lan1"]);
}

#[test]
fn a_pattern_interface_is_forgotten_after_its_down_script() {
    let mock = Mock::multi(vec![slow("lan1", 3, &[(0, UP)], 1000)]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |o| o.delay_down = 2), mock);
    sim.start(0);
    sim.run_until(2000);
    sim.delete(2000, "lan1");
    sim.run_until(3500);
    assert_eq!(sim.watched(), ["lan1"], "its down is pending");
    sim.run_until(4500);
    assert_eq!(sim.watched(), ["lan1"], "its down script runs");
    sim.run_until(5500);
    assert!(sim.watched().is_empty());
    // Back under the same name: a new machine, told from scratch.
    sim.appear(6000, slow("lan1", 12, &[(0, UP)], 1000));
    sim.run_until(7000);
    same(
        "forgotten",
        &sim.lines_of("lan1"),
        &[
            (0, "lan1: using SIOCETHTOOL detection mode"),
            (0, "lan1: interface exists"),
            (0, "lan1: link is up"),
            (0, "lan1: executing '/etc/ifplugd/ifplugd.action lan1 up'"),
            (0, "lan1: run up PREVIOUS=error CURRENT=up"),
            (1000, "lan1: exit code: 0"),
            (2000, "lan1: interface disappeared"),
            (2000, "lan1: link is down"),
            (
                4000,
                "lan1: executing '/etc/ifplugd/ifplugd.action lan1 down'",
            ),
            (4000, "lan1: run down PREVIOUS=up CURRENT=down"),
            (5000, "lan1: exit code: 0"),
            (6000, "lan1: interface appeared"),
            (6000, "lan1: using SIOCETHTOOL detection mode"),
            (6000, "lan1: link is up"),
            (
                6000,
                "lan1: executing '/etc/ifplugd/ifplugd.action lan1 up'",
            ),
            (6000, "lan1: run up PREVIOUS=error CURRENT=up"),
            (7000, "lan1: exit code: 0"),
        ],
    );
}

#[test]
fn a_rename_into_and_out_of_a_pattern() {
    let mock = Mock::multi(vec![iface("eth5", 20, &[(0, UP)])]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |o| o.delay_down = 0), mock);
    sim.start(0);
    sim.run_until(1000);
    assert!(sim.watched().is_empty());
    sim.rename(1500, "eth5", "lan5");
    sim.run_until(3000);
    assert_eq!(sim.watched(), ["lan5"]);
    sim.rename(3500, "lan5", "eth5");
    sim.run_until(5000);
    assert!(sim.watched().is_empty());
    same(
        "rename",
        &sim.lines(),
        &[
            (0, "lan*: started: <banner>"),
            (0, "list links"),
            (1500, "lan5: interface appeared"),
            (1500, "lan5: using SIOCETHTOOL detection mode"),
            (1500, "lan5: link is up"),
            (
                1500,
                "lan5: executing '/etc/ifplugd/ifplugd.action lan5 up'",
            ),
            (1500, "lan5: run up PREVIOUS=error CURRENT=up"),
            (1500, "lan5: exit code: 0"),
            (3500, "lan5: interface disappeared"),
            (3500, "lan5: link is down"),
            (
                3500,
                "lan5: executing '/etc/ifplugd/ifplugd.action lan5 down'",
            ),
            (3500, "lan5: run down PREVIOUS=up CURRENT=down"),
            (3500, "lan5: exit code: 0"),
        ],
    );
}

#[test]
fn an_overrun_relists_the_interfaces() {
    let mock = Mock::multi(vec![
        iface("lan1", 3, &[(0, UP)]),
        iface("lan2", 4, &[(0, UP)]),
    ]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |o| o.delay_down = 0), mock);
    sim.start(0);
    sim.run_until(1000);
    // While we were deaf: lan2 deleted, lan3 created.
    sim.of("lan2").present = false;
    sim.h.ifs.push(iface("lan3", 5, &[(0, UP)]));
    sim.lost(1500);
    sim.wake(1500);
    sim.run_until(3000);
    same(
        "overrun",
        &sim.lines_from("messages lost"),
        &[
            (
                1500,
                "lan*: netlink: messages lost, re-reading interface state",
            ),
            (1500, "list links"),
            (1500, "lan2: interface disappeared"),
            (1500, "lan2: link is down"),
            (
                1500,
                "lan2: executing '/etc/ifplugd/ifplugd.action lan2 down'",
            ),
            (1500, "lan2: run down PREVIOUS=up CURRENT=down"),
            (1500, "lan3: interface appeared"),
            (1500, "lan3: using SIOCETHTOOL detection mode"),
            (1500, "lan3: link is up"),
            (
                1500,
                "lan3: executing '/etc/ifplugd/ifplugd.action lan3 up'",
            ),
            (1500, "lan3: run up PREVIOUS=error CURRENT=up"),
            (1500, "lan2: exit code: 0"),
            (1500, "lan3: exit code: 0"),
        ],
    );
    assert_eq!(sim.watched(), ["lan1", "lan3"]);
}

#[test]
fn a_missing_named_interface_without_m_ends_the_daemon() {
    let mock = Mock::multi(vec![iface("lan1", 3, &[(0, UP)])]);
    let mut sim = Sim::new(multi_opts(&[c"lan*", c"wan"], |_| {}), mock);
    assert_eq!(sim.start(0), Flow::Exit(1));
    same(
        "missing wan",
        &sim.lines(),
        &[
            (0, "lan*,wan: started: <banner>"),
            (0, "wan: can't get interface flags: No such device"),
            (0, "wan: exiting"),
            (0, "exit 1"),
        ],
    );
    // With -M it waits for it, as with one -i.
    let mock = Mock::multi(vec![iface("lan1", 3, &[(0, UP)])]);
    let mut sim = Sim::new(multi_opts(&[c"lan*", c"wan"], |o| o.monitor = true), mock);
    assert_eq!(sim.start(0), Flow::Continue);
    same(
        "missing wan, -M",
        &sim.lines_of("wan"),
        &[(0, "wan: interface doesn't exist, waiting")],
    );
}

#[test]
fn nothing_starts_after_a_fatal_error_in_the_same_datagram() {
    let mut lan0 = iface("lan0", 3, &[(0, UP)]);
    lan0.flags = Ok(0x1002);
    lan0.set_flags = Err(EPERM);
    let mock = Mock::multi(vec![lan0, iface("lan1", 4, &[(0, UP)])]);
    let mut sim = Sim::new(multi_opts(&[c"lan*"], |_| {}), mock);
    sim.start(0);
    // The one dump answer lists both: lan0's start-up dies (BusyBox's
    // xioctl), and lan1 is not started after it.
    same(
        "fatal in a dump",
        &sim.lines(),
        &[
            (0, "lan*: started: <banner>"),
            (0, "list links"),
            (0, "lan0: upping interface"),
            (0, "lan0: set flags 0x1003"),
            (0, &format!("lan0: {SET_FLAGS_EPERM}")),
            (0, "exit 1"),
        ],
    );
}
