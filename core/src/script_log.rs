//! The script's output in the log, as ifplugd 0.28 puts it there: each
//! line of its stdout and stderr as `client: LINE`, a line longer than
//! 0.28's buffer cut into pieces, empty lines left out.
//!
//! A script may print without end, or leave a background child holding the
//! pipe: output is read only when it is there, and lines are capped per
//! second ([`Cap`]), so a flood costs a bounded number of log lines.

use crate::delay::Millis;

/// Longest piece logged: 0.28's 256-byte buffer less the newline and NUL.
pub const LINE_MAX: usize = 254;

/// Lines logged per second, all scripts together; more are counted and the
/// count said once lines may go again.
pub const LINES_PER_SEC: u32 = 50;

/// Splits one script's output into lines.
#[derive(Default)]
pub struct Lines {
    buf: heapless::Vec<u8, LINE_MAX>,
}

impl Lines {
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

/// A budget of [`LINES_PER_SEC`] lines a second.
#[derive(Default)]
pub struct Cap {
    /// The second (on the monotonic clock) being counted.
    second: Millis,
    used: u32,
    /// Lines not logged since one last was.
    dropped: u32,
}

/// What to do with the next line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Log it; first say that this many were left out.
    Log { dropped: u32 },
    /// Leave it out (counted).
    Drop,
}

impl Cap {
    pub fn take(&mut self, now: Millis) -> Verdict {
        let second = now / 1000;
        if second != self.second {
            self.second = second;
            self.used = 0;
        }
        if self.used >= LINES_PER_SEC {
            self.dropped = self.dropped.saturating_add(1);
            return Verdict::Drop;
        }
        self.used += 1;
        Verdict::Log {
            dropped: core::mem::take(&mut self.dropped),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::vec::Vec;

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
    }

    #[test]
    fn caps_lines_per_second() {
        let mut cap = Cap::default();
        for _ in 0..LINES_PER_SEC {
            assert_eq!(cap.take(5_000), Verdict::Log { dropped: 0 });
        }
        assert_eq!(cap.take(5_999), Verdict::Drop);
        assert_eq!(cap.take(5_999), Verdict::Drop);
        assert_eq!(cap.take(6_000), Verdict::Log { dropped: 2 });
        assert_eq!(cap.take(6_001), Verdict::Log { dropped: 0 });
    }
}
