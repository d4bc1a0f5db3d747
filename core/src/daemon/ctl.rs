//! 0.28's control of a running daemon (feature `ctl`): SIGUSR1 suspends,
//! SIGUSR2 resumes, SIGHUP logs each interface's status, in 0.28's words.
//!
//! Suspension nests, as 0.28's counter does. While it lasts, the daemon
//! neither detects nor runs scripts: [`Daemon::wake`] does nothing and
//! [`Daemon::poll_at`] sets no deadline. Netlink messages are still taken
//! in, so each machine knows what to look at; a script already running
//! finishes, and its end is handled as usual. A shutdown signal still
//! shuts down, with its down script (0.28 runs it too). When the last
//! SIGUSR2 ends it, every interface is checked at once and a change found
//! starts its delay as usual; a change whose delay ran out meanwhile is
//! reported at once.

use super::{Daemon, Host, Message, Signal};

impl Daemon<'_> {
    pub(super) fn control<H: Host>(&mut self, host: &mut H, sig: Signal) {
        // One log call for the suspension's two lines.
        let line = match sig {
            Signal::Suspend => {
                self.suspended = self.suspended.saturating_add(1);
                Message::Suspended(self.suspended)
            }
            // 0.28 says nothing of a SIGUSR2 while running.
            Signal::Resume if self.suspended > 0 => {
                let line = Message::Resumed(self.suspended);
                self.suspended -= 1;
                if self.suspended == 0 {
                    // As on any netlink traffic with -P: check now.
                    for link in self.links.iter_mut().flatten() {
                        link.any_traffic();
                    }
                }
                line
            }
            Signal::Info => {
                let suspended = self.suspended > 0;
                for link in self.links() {
                    let name = link.name().as_bytes();
                    // 0.28: "yes" unless down (a failed check counts).
                    let status = Message::Status {
                        suspended,
                        iface: name,
                        link: link.status() != crate::Status::Down,
                    };
                    host.log(name, &status);
                    if let Some(exists) = link.monitored_exists() {
                        host.log(name, &Message::Enabled(exists));
                    }
                }
                return;
            }
            _ => return,
        };
        host.log(self.name(), &line);
    }
}
