//! Link detection: which kernel interface to ask, and what its answer means.
//! The ioctls themselves are the host's; the bits are read here.

/// The status of a link, as the action script hears it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Down,
    Up,
    Error,
}

impl Status {
    /// The word passed to the script and put in IFPLUGD_PREVIOUS/CURRENT.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Down => "down",
            Status::Up => "up",
            Status::Error => "error",
        }
    }
}

impl ufmt::uDisplay for Status {
    fn fmt<W: ufmt::uWrite + ?Sized>(
        &self,
        f: &mut ufmt::Formatter<'_, W>,
    ) -> Result<(), W::Error> {
        f.write_str(self.as_str())
    }
}

/// `-m`: the detection method the user chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiMode {
    Auto,
    Ethtool,
    Mii,
    Private,
    Wlan,
    Iff,
}

impl ApiMode {
    /// BusyBox looks only at the first letter. A table by letter (one
    /// load), not a compare per mode.
    pub fn from_name(name: &[u8]) -> Option<ApiMode> {
        let at = name.first()?.wrapping_sub(b'a');
        MODE_BY_LETTER.get(usize::from(at)).copied().flatten()
    }

    /// The one method this mode uses, or `None` for auto.
    pub const fn method(self) -> Option<Method> {
        match self {
            ApiMode::Auto => None,
            ApiMode::Ethtool => Some(Method::Ethtool),
            ApiMode::Mii => Some(Method::Mii),
            ApiMode::Private => Some(Method::Private),
            ApiMode::Wlan => Some(Method::Wlan),
            ApiMode::Iff => Some(Method::Iff),
        }
    }
}

/// `-m`'s modes by first letter, 'a' to 'w'.
const MODE_BY_LETTER: [Option<ApiMode>; 23] = {
    let mut t = [None; 23];
    t[0] = Some(ApiMode::Auto);
    t[(b'e' - b'a') as usize] = Some(ApiMode::Ethtool);
    t[(b'm' - b'a') as usize] = Some(ApiMode::Mii);
    t[(b'p' - b'a') as usize] = Some(ApiMode::Private);
    t[(b'w' - b'a') as usize] = Some(ApiMode::Wlan);
    t[(b'i' - b'a') as usize] = Some(ApiMode::Iff);
    t
};

/// One way of asking the kernel about the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// SIOCETHTOOL with ETHTOOL_GLINK.
    Ethtool,
    /// SIOCGMIIPHY, then SIOCGMIIREG of register 1 (BMSR).
    Mii,
    /// SIOCDEVPRIVATE, then SIOCDEVPRIVATE+1 of register 1.
    Private,
    /// SIOCGIWAP: the access point's address.
    Wlan,
    /// SIOCGIFFLAGS: IFF_RUNNING.
    Iff,
}

impl Method {
    /// Auto mode's order of probes, as in BusyBox.
    pub const AUTO_ORDER: [Method; 5] = [
        Method::Ethtool,
        Method::Mii,
        Method::Private,
        Method::Wlan,
        Method::Iff,
    ];

    /// The name in "using %s detection mode".
    pub const fn mode_name(self) -> &'static str {
        match self {
            Method::Ethtool => "SIOCETHTOOL",
            Method::Mii => "SIOCGMIIPHY",
            Method::Private => "SIOCDEVPRIVATE",
            Method::Wlan => "wireless extension",
            Method::Iff => "IFF_RUNNING",
        }
    }
}

/// Which step of a method failed: BusyBox names each in its error line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    EthtoolGlink,
    MiiPhy,
    MiiReg,
    Private,
    PrivateReg,
    Iwap,
    IfFlags,
}

impl Step {
    /// The call BusyBox names in its error line, "CALL failed: strerror"
    /// (ETHTOOL_GLINK is SIOCETHTOOL's command).
    pub const fn call(self) -> &'static str {
        match self {
            Step::EthtoolGlink => "ETHTOOL_GLINK",
            Step::MiiPhy => "SIOCGMIIPHY",
            Step::MiiReg => "SIOCGMIIREG",
            Step::Private => "SIOCDEVPRIVATE",
            Step::PrivateReg => "SIOCDEVPRIVATE+1",
            Step::Iwap => "SIOCGIWAP",
            Step::IfFlags => "SIOCGIFFLAGS",
        }
    }
}

/// A failed probe: the step and the kernel's errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeError {
    pub step: Step,
    pub errno: i32,
}

/// What a successful probe read, before interpretation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// `ethtool_value.data` of ETHTOOL_GLINK.
    Ethtool(u32),
    /// `val_out` of MII register 1 (through SIOCGMIIREG or SIOCDEVPRIVATE+1).
    MiiBmsr(u16),
    /// The access point's hardware address.
    WlanAp([u8; 6]),
    /// `ifr_flags`.
    IfFlags(u32),
}

pub use crate::kernel::{IFF_LOWER_UP, IFF_RUNNING, IFF_UP};

/// MII basic-mode status register: link status bit.
const BMSR_LSTATUS: u16 = 0x0004;

impl Reading {
    /// The link status this reading shows. `last` is the last detected
    /// status, which the IFF method keeps while the interface is admin-down
    /// (IFF_RUNNING is never set then, whatever the cable says).
    pub fn status(self, last: Status) -> Status {
        let up = match self {
            Reading::Ethtool(data) => data != 0,
            Reading::MiiBmsr(bmsr) => bmsr & BMSR_LSTATUS != 0,
            Reading::WlanAp(mac) => wlan_associated(mac),
            Reading::IfFlags(flags) => {
                if flags & IFF_UP == 0 && last != Status::Error {
                    return last;
                }
                flags & IFF_RUNNING != 0
            }
        };
        if up {
            Status::Up
        } else {
            Status::Down
        }
    }
}

/// BusyBox's rule: an AP address of all 00, all FF or all 44 means "not
/// associated"; anything else is an access point.
fn wlan_associated(mac: [u8; 6]) -> bool {
    let first = mac[0];
    if first == 0xFF || first == 0x44 || first == 0x00 {
        mac.iter().any(|&b| b != first)
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethtool() {
        assert_eq!(Reading::Ethtool(1).status(Status::Error), Status::Up);
        assert_eq!(Reading::Ethtool(0).status(Status::Up), Status::Down);
    }

    #[test]
    fn mii_link_bit() {
        assert_eq!(Reading::MiiBmsr(0x786d).status(Status::Error), Status::Up);
        assert_eq!(Reading::MiiBmsr(0x7869).status(Status::Up), Status::Down);
        assert_eq!(Reading::MiiBmsr(0x0004).status(Status::Down), Status::Up);
        assert_eq!(Reading::MiiBmsr(0xfffb).status(Status::Up), Status::Down);
    }

    #[test]
    fn wlan_ap_address() {
        let up = Status::Up;
        assert_eq!(Reading::WlanAp([0; 6]).status(up), Status::Down);
        assert_eq!(Reading::WlanAp([0xff; 6]).status(up), Status::Down);
        assert_eq!(Reading::WlanAp([0x44; 6]).status(up), Status::Down);
        assert_eq!(Reading::WlanAp([0, 0, 0, 0, 0, 1]).status(up), Status::Up);
        assert_eq!(
            Reading::WlanAp([0x44, 0x44, 0x44, 0x44, 0x44, 0x45]).status(up),
            Status::Up
        );
        assert_eq!(
            Reading::WlanAp([0x02, 0, 0, 0, 0, 0]).status(up),
            Status::Up
        );
        assert_eq!(Reading::WlanAp([0x02; 6]).status(Status::Down), Status::Up);
    }

    #[test]
    fn iff_keeps_last_status_while_admin_down() {
        let running_up = IFF_UP | IFF_RUNNING;
        assert_eq!(
            Reading::IfFlags(running_up).status(Status::Down),
            Status::Up
        );
        assert_eq!(Reading::IfFlags(IFF_UP).status(Status::Up), Status::Down);
        // Admin-down: keep what we had...
        assert_eq!(Reading::IfFlags(0).status(Status::Up), Status::Up);
        assert_eq!(Reading::IfFlags(0).status(Status::Down), Status::Down);
        // ...unless we had nothing.
        assert_eq!(Reading::IfFlags(0).status(Status::Error), Status::Down);
    }

    #[test]
    fn modes_by_first_letter() {
        assert_eq!(ApiMode::from_name(b"wlan0"), Some(ApiMode::Wlan));
        assert_eq!(ApiMode::from_name(b"x"), None);
        assert_eq!(ApiMode::from_name(b""), None);
        // Every first byte: the six letters and nothing else.
        for b in 0..=255u8 {
            let want = match b {
                b'a' => Some(ApiMode::Auto),
                b'e' => Some(ApiMode::Ethtool),
                b'm' => Some(ApiMode::Mii),
                b'p' => Some(ApiMode::Private),
                b'w' => Some(ApiMode::Wlan),
                b'i' => Some(ApiMode::Iff),
                _ => None,
            };
            assert_eq!(ApiMode::from_name(&[b, b'x']), want, "{b}");
        }
        assert_eq!(ApiMode::Auto.method(), None);
        assert_eq!(ApiMode::Iff.method(), Some(Method::Iff));
    }
}
