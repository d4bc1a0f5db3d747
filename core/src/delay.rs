//! Time, and the up/down delay: a change must outlast its delay before the
//! script hears of it, and a change undone in the meantime is forgotten.
//!
//! Time is 32 bits, as BusyBox's (`(int)(monotonic_sec() - delay_time) >=
//! 0`): a 64-bit add or compare costs every 32-bit router several
//! instructions. An [`Instant`] wraps every 49.7 days, so instants are never
//! compared with `<`: only by their difference, which is right while they
//! are less than 2^31 ms (24.8 days) apart. Two rules keep them so:
//! a wait is at most [`MAX_WAIT`], so a deadline is never further ahead;
//! and at least every [`crate::daemon::MAX_SLEEP`] a passed instant is
//! forgotten ([`Deadline::settle`]) or brought forward to now
//! ([`Instant::settle`]), so none falls further behind however long the
//! daemon sleeps or a script runs.

/// A duration in milliseconds.
pub type Millis = u32;

/// The longest wait there is (2^31 - 1 ms, 24.8 days): a longer delay or
/// poll period waits this long.
pub const MAX_WAIT: Millis = i32::MAX as Millis;

/// An instant of the host's monotonic clock, in milliseconds, wrapping.
/// Deliberately not `Ord`: see the module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Instant(u32);

impl Instant {
    /// The clock read as milliseconds, any number of bits: the low 32 are
    /// kept.
    pub const fn from_ms(ms: u32) -> Self {
        Instant(ms)
    }

    /// `len` later.
    pub const fn after(self, len: Millis) -> Self {
        Instant(self.0.wrapping_add(len))
    }

    /// From `self` (now) to `at`; 0 once `at` has come.
    pub const fn until(self, at: Instant) -> Millis {
        let left = at.0.wrapping_sub(self.0) as i32;
        if left > 0 {
            left as Millis
        } else {
            0
        }
    }

    /// `self` (now) is `at` or later.
    pub const fn reached(self, at: Instant) -> bool {
        self.until(at) == 0
    }

    /// The later of the two.
    pub const fn later(self, other: Instant) -> Self {
        if self.reached(other) {
            self
        } else {
            other
        }
    }

    /// A passed instant becomes `now` (it has still come); one ahead
    /// stays.
    pub fn settle(&mut self, now: Instant) {
        *self = self.later(now);
    }
}

/// A deadline that is forgotten once it has passed (the default: passed),
/// so that passed long ago and passed just now are the same.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// `len` after `now`.
    pub const fn after(now: Instant, len: Millis) -> Self {
        Deadline(Some(now.after(len)))
    }

    /// How long from `now` until it passes; 0 once it has.
    pub const fn left(self, now: Instant) -> Millis {
        match self.0 {
            Some(at) => now.until(at),
            None => 0,
        }
    }

    /// It has passed at `now`.
    pub const fn passed(self, now: Instant) -> bool {
        self.left(now) == 0
    }

    /// Forgets it if it has passed at `now` (see the module).
    pub fn settle(&mut self, now: Instant) {
        if self.passed(now) {
            self.0 = None;
        }
    }
}

/// At most one change waits at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delay {
    due: Option<Instant>,
}

impl Delay {
    /// The link changed at `now`. If a change was already waiting, this one
    /// undoes it and nothing is to run; otherwise the script is due after
    /// `delay`.
    pub fn on_change(&mut self, now: Instant, delay: Millis) {
        self.due = match self.due {
            Some(_) => None,
            None => Some(now.after(delay)),
        };
    }

    /// Whether a change is waiting.
    pub fn pending(&self) -> bool {
        self.due.is_some()
    }

    /// How long from `now` until the waiting change is due (0: it is), if
    /// one waits.
    pub fn left(&self, now: Instant) -> Option<Millis> {
        self.due.map(|at| now.until(at))
    }

    /// True, once, when the waiting change has outlasted its delay.
    pub fn take_due(&mut self, now: Instant) -> bool {
        let due = self.left(now) == Some(0);
        if due {
            self.due = None;
        }
        due
    }

    /// See [`Instant::settle`].
    pub fn settle(&mut self, now: Instant) {
        if let Some(at) = &mut self.due {
            at.settle(now);
        }
    }
}

/// Seconds from the command line to milliseconds: at most [`MAX_WAIT`].
pub const fn secs_to_millis(secs: u32) -> Millis {
    if secs > MAX_WAIT / 1000 {
        MAX_WAIT
    } else {
        secs * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn at(ms: u32) -> Instant {
        Instant::from_ms(ms)
    }

    #[test]
    fn runs_after_the_delay() {
        let mut d = Delay::default();
        d.on_change(at(1000), 5000);
        assert_eq!(d.left(at(1000)), Some(5000));
        assert!(!d.take_due(at(5999)));
        assert!(d.take_due(at(6000)));
        assert!(!d.take_due(at(7000)));
        assert!(!d.pending());
    }

    #[test]
    fn zero_delay_is_due_at_once() {
        let mut d = Delay::default();
        d.on_change(at(10), 0);
        assert!(d.take_due(at(10)));
    }

    #[test]
    fn a_reverted_change_cancels() {
        let mut d = Delay::default();
        d.on_change(at(0), 5000);
        d.on_change(at(100), 0);
        assert!(!d.pending());
        assert!(!d.take_due(at(u32::MAX)));
    }

    #[test]
    fn across_the_wrap() {
        let mut d = Delay::default();
        let t0 = at(u32::MAX - 999);
        d.on_change(t0, 5000);
        assert_eq!(d.left(t0), Some(5000));
        assert_eq!(d.left(at(3999)), Some(1));
        assert!(!d.take_due(at(u32::MAX)));
        assert!(!d.take_due(at(3999)));
        assert!(d.take_due(at(4000)));
        assert!(at(5).reached(at(u32::MAX)));
        assert!(!at(u32::MAX).reached(at(5)));
        assert_eq!(at(u32::MAX).later(at(5)), at(5));
        assert_eq!(at(5).later(at(u32::MAX)), at(5));
    }

    #[test]
    fn a_huge_delay_waits_24_8_days() {
        assert_eq!(secs_to_millis(2_147_483), 2_147_483_000);
        assert_eq!(secs_to_millis(2_147_484), MAX_WAIT);
        assert_eq!(secs_to_millis(u32::MAX), MAX_WAIT);
        // Wherever the clock is, the deadline is ahead, MAX_WAIT away.
        for t0 in [0, 1, i32::MAX as u32, u32::MAX - 1, u32::MAX] {
            let mut d = Delay::default();
            d.on_change(at(t0), secs_to_millis(i32::MAX as u32));
            assert_eq!(d.left(at(t0)), Some(MAX_WAIT));
            assert!(!d.take_due(at(t0).after(MAX_WAIT - 1)));
            assert!(d.take_due(at(t0).after(MAX_WAIT)));
        }
    }

    #[test]
    fn a_deadline_is_forgotten_once_passed() {
        let mut d = Deadline::default();
        assert!(d.passed(at(0)) && d.passed(at(u32::MAX)));
        let t0 = at(u32::MAX - 5);
        d = Deadline::after(t0, 10);
        assert_eq!(d.left(t0), 10);
        d.settle(at(3));
        assert_eq!(d.left(at(3)), 1);
        d.settle(at(4));
        assert_eq!(d, Deadline::default());
        // Passed, and not settled for over 24.8 days, it would seem ahead.
        let d = Deadline::after(t0, 10);
        assert!(d.passed(t0.after(10).after(MAX_WAIT)));
        assert!(!d.passed(t0.after(10).after(MAX_WAIT).after(2)));
    }

    #[test]
    fn a_settled_deadline_stays_due_however_long_after() {
        // Brought forward at least daily, a passed deadline is due 30 days
        // on; without, 24.8 to 49.7 days on it would seem ahead.
        let mut d = Delay::default();
        d.on_change(at(u32::MAX - 10), 1000);
        let day = 86_400_000;
        let mut now = at(u32::MAX - 10);
        for _ in 0..30 {
            now = now.after(day);
            d.settle(now);
        }
        assert_eq!(d.left(now), Some(0));
        assert!(d.take_due(now));
        // One ahead is left as it is.
        d.on_change(now, 5000);
        d.settle(now.after(4000));
        assert_eq!(d.left(now), Some(5000));
    }
}
