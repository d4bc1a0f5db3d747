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
use ifplugd_core::delay::Instant;
use ifplugd_core::kernel::IFNAMSIZ;
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
const _: () = assert!(MAX_LINKS <= 32);

/// What a slot's pipe is logged for: its interface (NUL-padded, as
/// `IfName::raw`) and the line not yet ended. In a static, all zeros at
/// start (in .bss): its 280 bytes a slot are memory only once a script of
/// the slot has printed, and nothing large is built or moved at start-up.
struct Slot {
    who: [u8; IFNAMSIZ],
    lines: Lines,
}

static mut SLOTS: [Slot; MAX_LINKS] = [const {
    Slot {
        who: [0; IFNAMSIZ],
        lines: Lines::new(),
    }
}; MAX_LINKS];

pub struct Output<'a> {
    /// Scripts get a pipe (the daemon is detached, no `-n`).
    on: bool,
    /// The instance's name: the cap is all scripts', so its count is said
    /// for the instance.
    instance: &'a [u8],
    /// Our read end of each slot's pipe.
    pipes: [Option<OwnedFd>; MAX_LINKS],
    slots: &'static mut [Slot; MAX_LINKS],
    /// One budget for all scripts' lines.
    cap: Cap,
    /// The clock at the main loop's last wake.
    now: Instant,
}

impl<'a> Output<'a> {
    /// The one Output (`run` makes it once).
    pub fn new(on: bool, instance: &'a [u8]) -> Self {
        Output {
            on,
            instance,
            pipes: [const { None }; MAX_LINKS],
            // SAFETY: single-threaded, and this is the only reference to
            // SLOTS ever made: `run` calls this once.
            slots: unsafe { &mut *core::ptr::addr_of_mut!(SLOTS) },
            cap: Cap::default(),
            now: Instant::from_ms(0),
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
        // Ours only: the script's end stays blocking, as a terminal would be.
        let (read, write) = crate::sys::pipe_nonblocking_read()?;
        self.slots.get_mut(slot)?.who = *who.raw();
        *self.pipes.get_mut(slot)? = Some(read);
        Some(write)
    }

    /// Adds the open pipes to `fds` (from the start); returns how many.
    pub fn poll_fds<'f>(&'f self, fds: &mut [PollFd<'f>]) -> usize {
        let open = self.pipes.iter().flatten();
        let mut n = 0;
        for (slot, fd) in fds.iter_mut().zip(open) {
            *slot = PollFd::new(fd, PollFlags::IN);
            n += 1;
        }
        n
    }

    /// The slots whose pipes `fds` (filled by [`Output::poll_fds`]) say
    /// are ready, as a bit mask.
    pub fn ready(&self, fds: &[PollFd<'_>]) -> u32 {
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
    pub fn read_ready(&mut self, mask: u32, log: &mut Logger, now: Instant) {
        self.now = now;
        let mut mask = mask;
        while mask != 0 {
            self.read(mask.trailing_zeros() as usize, log);
            mask &= mask - 1;
        }
    }

    /// The cap's deadlines at `now` (see `Cap::settle`): before each sleep.
    pub fn settle(&mut self, now: Instant) {
        self.cap.settle(now);
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
        let Some(Some(fd)) = self.pipes.get(slot) else {
            return false;
        };
        // Not zeroed first: read says how much it filled.
        let mut buf = [core::mem::MaybeUninit::<u8>::uninit(); READ_BUF];
        match rustix::io::read(fd, &mut buf) {
            Ok((bytes, _)) if !bytes.is_empty() => {
                self.feed(slot, bytes, log);
                return true;
            }
            Err(Errno::AGAIN) => return false,
            Err(Errno::INTR) => return true,
            // EOF: every writer is gone (an error is not for a pipe; the
            // same).
            _ => {}
        }
        self.close(slot, log);
        false
    }

    /// Logs the unended line and what the cap left out, and closes.
    fn close(&mut self, slot: usize, log: &mut Logger) {
        // A newline ends what is left (an empty line is not logged): one
        // copy of the line path.
        self.feed(slot, b"\n", log);
        if let Some(Some(_)) = self.pipes.get_mut(slot).map(Option::take) {
            // A script's output ended: no next line may come to carry the
            // count, so it is said now.
            dropped(log, self.instance, self.cap.take_dropped());
        }
    }

    /// Logs the lines `bytes` end, each if the cap lets it go.
    fn feed(&mut self, slot: usize, bytes: &[u8], log: &mut Logger) {
        // No test of the pipe: a slot without one has no line pending
        // (closing it flushed that), so a newline there logs nothing.
        let Some(Slot { who, lines }) = self.slots.get_mut(slot) else {
            return;
        };
        let (cap, now, instance) = (&mut self.cap, self.now, self.instance);
        // The name, without the NULs that pad it.
        let len = who.iter().position(|&b| b == 0).unwrap_or(IFNAMSIZ);
        let who = who.get(..len).unwrap_or(&[]);
        lines.feed(bytes, |line| {
            if let Verdict::Log { dropped: n } = cap.take(now) {
                dropped(log, instance, n);
                log.log(who, &Message::Client(line));
            }
        });
    }
}

/// Says how many lines the cap left out, if any.
fn dropped(log: &mut Logger, instance: &[u8], n: u32) {
    if n > 0 {
        log.log(instance, &Message::ClientDropped(n));
    }
}
