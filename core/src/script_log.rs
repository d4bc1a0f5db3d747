//! The script's output in the log, as ifplugd 0.28 puts it there: each
//! line of its stdout and stderr as `client: LINE`, a line longer than
//! 0.28's buffer cut into pieces, empty lines left out.
//!
//! A script may print without end, or leave a background child holding the
//! pipe: output is read only when it is there, and lines are capped at 50
//! a second ([`Cap`]), so a flood costs a bounded number of log lines.

use crate::delay::{Deadline, Instant, Millis};

/// Longest piece logged: 0.28's 256-byte buffer less its NUL (measured:
/// Debian's 0.28 logs a 300-byte line as 255 bytes and 45).
pub const LINE_MAX: usize = 255;

/// Lines logged per second, all scripts together; more are counted and the
/// count said at most once a second, before a line that goes.
pub const LINES_PER_SEC: u32 = 50;

/// Lines that may go at once, before the pace of [`LINES_PER_SEC`] holds:
/// a burst of 50 would overflow syslog's socket (Linux queues 10 datagrams,
/// `net.unix.max_dgram_qlen`) and take the daemon's own lines with it.
pub const BURST: u32 = 5;

/// One line's share of a second.
const INTERVAL: Millis = 1000 / LINES_PER_SEC;

/// Splits one script's output into lines.
#[derive(Default)]
pub struct Lines {
    buf: heapless::Vec<u8, LINE_MAX>,
}

impl Lines {
    pub const fn new() -> Self {
        Lines {
            buf: heapless::Vec::new(),
        }
    }

    /// Takes what the pipe gave; `emit` gets each complete line.
    pub fn feed(&mut self, bytes: &[u8], mut emit: impl FnMut(&[u8])) {
        for &b in bytes {
            if b == b'\n' {
                self.flush(&mut emit);
            } else if self.buf.push(b).is_err() {
                // Full: this piece is a line; the byte starts the next.
                self.flush(&mut emit);
                let _ = self.buf.push(b);
            }
        }
    }

    /// The output ended: what is left is a line too.
    pub fn flush(&mut self, mut emit: impl FnMut(&[u8])) {
        if !self.buf.is_empty() {
            emit(&self.buf);
        }
        self.buf.clear();
    }
}

/// A budget of [`LINES_PER_SEC`] lines a second, paced: [`BURST`] at once,
/// then one each 1/50 s (the generic cell rate algorithm: no division, no
/// table).
#[derive(Default)]
pub struct Cap {
    /// When the budget is back to empty: each line logged adds its share.
    due: Deadline,
    /// Lines not logged since the count was last said.
    dropped: u32,
    /// When the count may be said again: a second after it last was.
    quiet_until: Deadline,
}

/// What to do with the next line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Log it; first say that this many were left out (0: say nothing).
    Log { dropped: u32 },
    /// Leave it out (counted).
    Drop,
}

impl Cap {
    pub fn take(&mut self, now: Instant) -> Verdict {
        let wait = self.due.left(now);
        if wait > (BURST - 1) * INTERVAL {
            self.dropped = self.dropped.saturating_add(1);
            return Verdict::Drop;
        }
        self.due = Deadline::after(now, wait + INTERVAL);
        // A flood drops between every two lines that go: its count is
        // said once a second, not before each.
        let dropped = match self.quiet_until.passed(now) {
            true => self.take_dropped(),
            false => 0,
        };
        if dropped > 0 {
            self.quiet_until = Deadline::after(now, 1000);
        }
        Verdict::Log { dropped }
    }

    /// Settles the deadlines at `now` (see [`crate::delay`]):
    /// the host calls this at least every
    /// [`MAX_SLEEP`](crate::daemon::MAX_SLEEP), so a script that is quiet
    /// for weeks finds the budget full.
    pub fn settle(&mut self, now: Instant) {
        self.due.settle(now);
        self.quiet_until.settle(now);
    }

    /// The lines dropped since the count was last said, to say when a
    /// script's output ends (no next line may come to carry the count).
    pub fn take_dropped(&mut self) -> u32 {
        core::mem::take(&mut self.dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::vec::Vec;

    fn at(ms: u32) -> Instant {
        Instant::from_ms(ms)
    }

    fn lines(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut l = Lines::default();
        let mut out = Vec::new();
        for c in chunks {
            l.feed(c, |line| out.push(line.to_vec()));
        }
        l.flush(|line| out.push(line.to_vec()));
        out
    }

    #[test]
    fn splits_lines_across_reads() {
        assert_eq!(
            lines(&[b"one\ntw", b"o\n\nthree"]),
            [&b"one"[..], b"two", b"three"]
        );
        assert!(lines(&[b"\n\n"]).is_empty());
    }

    #[test]
    fn long_lines_are_cut_as_0_28_cuts_them() {
        let long = [b'x'; LINE_MAX + 10];
        let out = lines(&[&long, b"\n"]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].len(), LINE_MAX);
        assert_eq!(out[1].len(), 10);
        // A line that fills the buffer exactly is one line, as in 0.28.
        assert_eq!(lines(&[&long[..LINE_MAX], b"\n"]).len(), 1);
    }

    #[test]
    fn caps_lines_at_a_pace_of_50_a_second() {
        let mut cap = Cap::default();
        for _ in 0..BURST {
            assert_eq!(cap.take(at(5_000)), Verdict::Log { dropped: 0 });
        }
        assert_eq!(cap.take(at(5_000)), Verdict::Drop);
        assert_eq!(cap.take(at(5_019)), Verdict::Drop);
        // One line's share later, one more goes, with the count.
        assert_eq!(cap.take(at(5_020)), Verdict::Log { dropped: 2 });
        assert_eq!(cap.take(at(5_020)), Verdict::Drop);
        // Over a second of flood: at most BURST + 50 lines, the count said
        // once more (a second after it last was).
        let mut logged = 0;
        let mut counts = std::vec![];
        for ms in 5_021..6_021 {
            for _ in 0..100 {
                if let Verdict::Log { dropped } = cap.take(at(ms)) {
                    logged += 1;
                    if dropped > 0 {
                        counts.push(ms);
                    }
                }
            }
        }
        assert!(logged <= LINES_PER_SEC, "{logged}");
        assert_eq!(counts, [6_020]);
        // Quiet for a while: a burst may go again, but no more.
        for _ in 0..BURST {
            assert!(matches!(cap.take(at(9_000)), Verdict::Log { .. }));
        }
        assert_eq!(cap.take(at(9_000)), Verdict::Drop);
        // Any clock, no overflow.
        let mut cap = Cap::default();
        for _ in 0..BURST + 1 {
            cap.take(at(u32::MAX));
        }
    }

    #[test]
    fn the_dropped_count_is_taken_once() {
        let mut cap = Cap::default();
        for _ in 0..BURST + 3 {
            cap.take(at(0));
        }
        assert_eq!(cap.take_dropped(), 3);
        assert_eq!(cap.take_dropped(), 0);
        assert_eq!(cap.take(at(1_000)), Verdict::Log { dropped: 0 });
    }

    #[test]
    fn paces_across_the_clock_s_wrap() {
        let mut cap = Cap::default();
        let t0 = u32::MAX - 9;
        for _ in 0..BURST {
            assert_eq!(cap.take(at(t0)), Verdict::Log { dropped: 0 });
        }
        assert_eq!(cap.take(at(t0)), Verdict::Drop);
        assert_eq!(cap.take(at(t0.wrapping_add(19))), Verdict::Drop);
        assert_eq!(
            cap.take(at(t0.wrapping_add(20))),
            Verdict::Log { dropped: 2 }
        );
        assert_eq!(cap.take(at(t0.wrapping_add(20))), Verdict::Drop);
        // The count is said again a second after it was, past the wrap.
        let mut said = std::vec![];
        for ms in 21..1100u32 {
            if let Verdict::Log { dropped: 1.. } = cap.take(at(t0.wrapping_add(ms))) {
                said.push(ms);
            }
        }
        assert_eq!(said, [1020]);
    }

    #[test]
    fn quiet_for_months_the_budget_is_full() {
        // A flood, then 30 days without a line (unsettled, the deadlines
        // would seem ahead), settled daily as the host does: a full burst
        // goes, and the count is said at once.
        let mut cap = Cap::default();
        for _ in 0..BURST + 2 {
            cap.take(at(1000));
        }
        let mut now = at(1000);
        for _ in 0..30 {
            now = now.after(crate::daemon::MAX_SLEEP);
            cap.settle(now);
        }
        assert_eq!(cap.take(now), Verdict::Log { dropped: 2 });
        for _ in 1..BURST {
            assert_eq!(cap.take(now), Verdict::Log { dropped: 0 });
        }
        assert_eq!(cap.take(now), Verdict::Drop);
    }
}
