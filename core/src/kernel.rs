//! The Linux constants more than one module needs, in one place. Each has
//! the same value on every architecture we build for (MIPS included).

/// An interface name's buffer in the kernel (`IFNAMSIZ`), NUL included.
pub const IFNAMSIZ: usize = 16;
/// The longest interface name: IFNAMSIZ less its NUL.
pub const IFNAME_MAX: usize = IFNAMSIZ - 1;

/// `ifi_flags` / `ifr_flags`: administratively up.
pub const IFF_UP: u32 = 0x1;
/// `ifi_flags` / `ifr_flags`: operationally up.
pub const IFF_RUNNING: u32 = 0x40;
/// `ifi_flags`: the driver reports carrier.
pub const IFF_LOWER_UP: u32 = 0x1_0000;

/// The netlink protocol number of the routing family, for `socket(2)`.
pub const NETLINK_ROUTE: i32 = 0;
/// The multicast group of link announcements, for `bind(2)`'s `nl_groups`.
pub const RTMGRP_LINK: u32 = 1;
