//! The action script's contract: what it is called with, and what its end
//! means to the daemon.

use crate::detect::Status;

/// One run of the action script: `SCRIPT IFACE ACTION [EXTRA]`, with
/// IFPLUGD_PREVIOUS=`previous` and IFPLUGD_CURRENT=`current` added to the
/// inherited environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptCall {
    /// `up` or `down`.
    pub action: Status,
    pub previous: Status,
    pub current: Status,
}

pub const ENV_PREVIOUS: &str = "IFPLUGD_PREVIOUS";
pub const ENV_CURRENT: &str = "IFPLUGD_CURRENT";

/// How a run of the script ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptOutcome {
    /// It exited with this status.
    Exited(u8),
    /// A signal ended it.
    Killed(u8),
    /// It could not be started (exec failed with this errno).
    NotStarted(i32),
}

impl ScriptOutcome {
    /// BusyBox's "exit code: N": `spawn_and_wait()` & 0xff, where a failed
    /// exec is -1 and death by signal S is 0x180 + S.
    pub const fn exit_code(self) -> u8 {
        match self {
            ScriptOutcome::Exited(c) => c,
            ScriptOutcome::Killed(sig) => 0x80 | sig,
            ScriptOutcome::NotStarted(_) => 255,
        }
    }

    /// Whether the daemon stops over it (unless `-I`).
    pub const fn failed(self) -> bool {
        !matches!(self, ScriptOutcome::Exited(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busybox_exit_codes() {
        assert_eq!(ScriptOutcome::Exited(3).exit_code(), 3);
        assert_eq!(ScriptOutcome::Killed(9).exit_code(), 137);
        assert_eq!(ScriptOutcome::Killed(15).exit_code(), 143);
        assert_eq!(ScriptOutcome::NotStarted(2).exit_code(), 255);
        assert!(!ScriptOutcome::Exited(0).failed());
        assert!(ScriptOutcome::Exited(1).failed());
        assert!(ScriptOutcome::Killed(9).failed());
        assert!(ScriptOutcome::NotStarted(2).failed());
    }
}
