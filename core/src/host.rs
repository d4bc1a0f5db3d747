//! What the host does for the daemon: each method is one system call (or a
//! short, fixed series of them). The daemon decides; the host only acts.

use crate::delay::Instant;
use crate::detect::{Method, ProbeError, Reading};
use crate::ifname::IfName;
use crate::messages::Message;
use crate::script::ScriptCall;

/// Which interface a call is about: its slot in the daemon's table (stable
/// while the interface is watched) and its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iface<'n> {
    pub slot: usize,
    pub name: &'n IfName,
}

pub trait Host {
    /// Logs one line with the prefix `ifplugd(WHO): `: an interface's name,
    /// or the instance's for lines about the whole daemon.
    fn log(&mut self, who: &[u8], msg: &Message<'_>);
    /// SIOCGIFINDEX: the interface's index, or `None` if it does not exist.
    fn if_index(&mut self, name: &IfName) -> Option<u32>;
    /// SIOCGIFFLAGS: the interface's flags, or the errno.
    fn if_flags(&mut self, name: &IfName) -> Result<u32, i32>;
    /// SIOCSIFFLAGS.
    fn set_if_flags(&mut self, name: &IfName, flags: u32) -> Result<(), i32>;
    /// The ioctl(s) of one detection method.
    fn probe(&mut self, name: &IfName, method: Method) -> Result<Reading, ProbeError>;
    /// Starts the action script for `iface` and returns at once; its end
    /// comes back through [`crate::Daemon::script_ended`] with the slot.
    /// `Err(errno)`: it could not be started (exec failed).
    fn start_script(&mut self, iface: Iface<'_>, call: &ScriptCall) -> Result<(), i32>;
    /// Signals the running script of `slot`: SIGTERM, or SIGKILL if `kill`.
    fn stop_script(&mut self, slot: usize, kill: bool);
    /// Asks the kernel for every interface (an RTM_GETLINK dump); the
    /// answers come in as netlink datagrams, ending with NLMSG_DONE.
    /// `Err(errno)`: the request could not be sent.
    fn list_links(&mut self) -> Result<(), i32>;
    /// The monotonic clock, read now. The `now` the host passes in may lag
    /// it (a poll that timed out is taken to have slept exactly its
    /// timeout, which saves a clock read per idle tick); a delay's deadline
    /// is set from this instead, so that it holds on real time.
    fn now(&mut self) -> Instant;
}
