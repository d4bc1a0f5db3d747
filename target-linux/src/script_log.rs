//! Feature `script-log`: the script's output in the log, as ifplugd 0.28
//! puts it there. A detached daemon gives each script one pipe for its
//! stdout and stderr; the main loop polls the read ends with its other
//! descriptors and logs each line as `client: LINE` (core's `script_log`
//! splits and caps). With `-n` the script keeps our stdio, as BusyBox's.
//!
//! Nothing here waits: the read ends are O_NONBLOCK and read only a
//! bounded amount at a time, so a script that prints megabytes costs
//! capped log lines, and a background child that keeps the pipe open after
//! the script ended costs an idle descriptor.

use crate::log::Logger;
use ifplugd_core::daemon::MAX_LINKS;
use ifplugd_core::delay::Millis;
use ifplugd_core::messages::Message;
use ifplugd_core::script_log::{Cap, Lines, Verdict};
use ifplugd_core::IfName;
use rustix::event::{PollFd, PollFlags};
use rustix::fd::OwnedFd;
use rustix::io::Errno;

/// What one read takes from a pipe.
const READ_BUF: usize = 1024;
/// Reads when a script has ended (or is replaced): 64 KiB, a pipe's
/// default capacity, so what the script wrote before it ended is logged
/// before "exit code", while a background child that keeps writing cannot
/// hold us.
const DRAIN_READS: usize = 64;

// The ready pipes are a bit mask of slots.
const _: () = assert!(MAX_LINKS <= 64);

/// A script's pipe: our read end, the interface its lines are logged for,
/// and the line not yet ended.
struct Pipe {
    fd: OwnedFd,
    who: IfName,
    lines: Lines,
}

pub struct Output<'a> {
    /// Scripts get a pipe (the daemon is detached, no `-n`).
    on: bool,
    /// The instance's name: the cap is all scripts', so its count is said
    /// for the instance.
    instance: &'a [u8],
    pipes: [Option<Pipe>; MAX_LINKS],
    /// One budget for all scripts' lines.
    cap: Cap,
    /// The clock at the main loop's last wake.
    now: Millis,
}

impl<'a> Output<'a> {
    pub fn new(on: bool, instance: &'a [u8]) -> Self {
        Output {
            on,
            instance,
            pipes: [const { None }; MAX_LINKS],
            cap: Cap::default(),
            now: 0,
        }
    }

    /// The write end for the next script of `slot`, to be its stdout and
    /// stderr; `None` with `-n` (or if no pipe could be made: the script
    /// then gets our stdio, /dev/null when detached, as BusyBox's).
    ///
    /// A pipe of the slot's last script that is still open (a background
    /// child holds it) is drained and closed first: one slot, one pipe, so
    /// memory stays one [`Lines`] a slot, and the descriptors the daemon
    /// holds stay bounded however many children linger. What such a child
    /// writes after that goes to a closed pipe (EPIPE/SIGPIPE for it), as
    /// it would once 0.28's script had ended.
    pub fn open(&mut self, slot: usize, who: &IfName, log: &mut Logger) -> Option<OwnedFd> {
        if !self.on {
            return None;
        }
        self.drain(slot, log);
        self.close(slot, log);
        let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).ok()?;
        // Ours only: the script's end stays blocking, as a terminal would be.
        rustix::fs::fcntl_setfl(&read, rustix::fs::OFlags::NONBLOCK).ok()?;
        *self.pipes.get_mut(slot)? = Some(Pipe {
            fd: read,
            who: *who,
            lines: Lines::default(),
        });
        Some(write)
    }

    /// Adds the open pipes to `fds` (from the start); returns how many.
    pub fn poll_fds<'f>(&'f self, fds: &mut [PollFd<'f>]) -> usize {
        let open = self.pipes.iter().flatten();
        let mut n = 0;
        for (slot, pipe) in fds.iter_mut().zip(open) {
            *slot = PollFd::new(&pipe.fd, PollFlags::IN);
            n += 1;
        }
        n
    }

    /// The slots whose pipes `fds` (filled by [`Output::poll_fds`]) say
    /// are ready, as a bit mask.
    pub fn ready(&self, fds: &[PollFd<'_>]) -> u64 {
        let open = self.pipes.iter().enumerate().filter(|(_, p)| p.is_some());
        let mut mask = 0;
        for (fd, (slot, _)) in fds.iter().zip(open) {
            if !fd.revents().is_empty() {
                mask |= 1 << slot;
            }
        }
        mask
    }

    /// One read from each pipe in `mask`, logged: a flood is read a buffer
    /// a wake, between the signals and netlink messages of each.
    pub fn read_ready(&mut self, mask: u64, log: &mut Logger, now: Millis) {
        self.now = now;
        for slot in 0..MAX_LINKS {
            if mask & (1 << slot) != 0 {
                self.read(slot, log);
            }
        }
    }

    /// The script of `slot` ended: what it left in the pipe is logged now,
    /// before its exit code. The pipe stays open until EOF (a background
    /// child may still write) or the slot's next script.
    pub fn drain(&mut self, slot: usize, log: &mut Logger) {
        for _ in 0..DRAIN_READS {
            if !self.read(slot, log) {
                break;
            }
        }
    }

    /// Reads and logs once; false when nothing more is there now (or the
    /// pipe is closed).
    fn read(&mut self, slot: usize, log: &mut Logger) -> bool {
        let Some(Some(pipe)) = self.pipes.get_mut(slot) else {
            return false;
        };
        let mut buf = [0u8; READ_BUF];
        match rustix::io::read(&pipe.fd, &mut buf) {
            Ok(0) => {}
            Ok(len) => {
                let (cap, now, instance) = (&mut self.cap, self.now, self.instance);
                let who = pipe.who.as_bytes();
                pipe.lines.feed(buf.get(..len).unwrap_or(&[]), |line| {
                    client(cap, log, instance, who, line, now)
                });
                return true;
            }
            Err(Errno::AGAIN) => return false,
            Err(Errno::INTR) => return true,
            // Not for a pipe; closed as at EOF.
            Err(_) => {}
        }
        // EOF: every writer is gone.
        self.close(slot, log);
        false
    }

    /// Logs the unended line and what the cap left out, and closes.
    fn close(&mut self, slot: usize, log: &mut Logger) {
        let Some(pipe) = self.pipes.get_mut(slot).and_then(Option::take) else {
            return;
        };
        let (cap, now, instance, mut lines) = (&mut self.cap, self.now, self.instance, pipe.lines);
        let who = pipe.who.as_bytes();
        lines.flush(|line| client(cap, log, instance, who, line, now));
        // A script's output ended: no next line may come to carry the
        // count, so it is said now.
        dropped(log, instance, cap.take_dropped());
    }
}

/// One line of output of `who`'s script, if the cap lets it go, after the
/// count of those it left out when it is time to say it.
fn client(cap: &mut Cap, log: &mut Logger, instance: &[u8], who: &[u8], line: &[u8], now: Millis) {
    if let Verdict::Log { dropped: n } = cap.take(now) {
        dropped(log, instance, n);
        log.log(who, &Message::Client(line));
    }
}

fn dropped(log: &mut Logger, instance: &[u8], n: u32) {
    if n > 0 {
        log.log(instance, &Message::ClientDropped(n));
    }
}
