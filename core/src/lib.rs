//! ifplugd's decisions, without an operating system: the command line, the
//! netlink wire format, link detection's bits, the delays, the state machine
//! of the daemon's main loop, and the lines it logs.
//!
//! Nothing here sleeps, reads a clock or makes a system call: time comes in
//! as milliseconds and the system comes in through [`host::Host`].
#![no_std]
#![deny(unsafe_code)]

#[cfg(feature = "ctl")]
pub mod check_running;
pub mod daemon;
pub mod delay;
pub mod detect;
pub mod exec_path;
pub mod host;
pub mod ifname;
#[cfg(feature = "ifplugstatus")]
pub mod ifplugstatus;
pub mod kernel;
pub mod link;
pub mod messages;
pub mod netlink;
pub mod options;
pub mod pattern;
pub mod pidfile;
pub mod script;
#[cfg(feature = "script-log")]
pub mod script_log;
pub mod signal;

pub use daemon::{Daemon, Flow};
pub use detect::Status;
pub use host::{Host, Iface};
pub use ifname::IfName;
pub use signal::Signal;
