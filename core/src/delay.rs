//! The up/down delay: a change must outlast its delay before the script
//! hears of it, and a change undone in the meantime is forgotten.

/// Milliseconds on a monotonic clock the host reads.
pub type Millis = u64;

/// At most one change waits at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delay {
    due: Option<Millis>,
}

impl Delay {
    /// The link changed at `now`. If a change was already waiting, this one
    /// undoes it and nothing is to run; otherwise the script is due after
    /// `delay`.
    pub fn on_change(&mut self, now: Millis, delay: Millis) {
        self.due = match self.due {
            Some(_) => None,
            None => Some(now.saturating_add(delay)),
        };
    }

    /// Whether a change is waiting.
    pub fn pending(&self) -> bool {
        self.due.is_some()
    }

    /// When the waiting change is due, if one is.
    pub fn deadline(&self) -> Option<Millis> {
        self.due
    }

    /// True, once, when the waiting change has outlasted its delay.
    pub fn take_due(&mut self, now: Millis) -> bool {
        match self.due {
            Some(at) if now >= at => {
                self.due = None;
                true
            }
            _ => false,
        }
    }
}

/// Seconds from the command line to milliseconds, without overflow.
pub const fn secs_to_millis(secs: u32) -> Millis {
    secs as Millis * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_after_the_delay() {
        let mut d = Delay::default();
        d.on_change(1000, 5000);
        assert_eq!(d.deadline(), Some(6000));
        assert!(!d.take_due(5999));
        assert!(d.take_due(6000));
        assert!(!d.take_due(7000));
        assert!(!d.pending());
    }

    #[test]
    fn zero_delay_is_due_at_once() {
        let mut d = Delay::default();
        d.on_change(10, 0);
        assert!(d.take_due(10));
    }

    #[test]
    fn a_reverted_change_cancels() {
        let mut d = Delay::default();
        d.on_change(0, 5000);
        d.on_change(100, 0);
        assert!(!d.pending());
        assert!(!d.take_due(u64::MAX));
    }

    #[test]
    fn huge_values_saturate() {
        let mut d = Delay::default();
        d.on_change(u64::MAX - 1, secs_to_millis(u32::MAX));
        assert_eq!(d.deadline(), Some(u64::MAX));
        assert_eq!(secs_to_millis(u32::MAX), 4_294_967_295_000);
    }
}
