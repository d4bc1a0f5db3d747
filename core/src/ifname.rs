//! An interface's name as the kernel holds it: 1 to 15 bytes, no NUL, kept
//! NUL-terminated so the host can hand it to an ioctl or an exec as it is.

use crate::kernel::IFNAMSIZ;

// Aligned to 4: a name is copied and compared in words (byte by byte on
// MIPS, an unaligned 16-byte copy is ~16 instructions).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(4))]
pub struct IfName {
    /// The name, then NULs to the end (at least one).
    buf: [u8; IFNAMSIZ],
}

impl IfName {
    /// `None` when empty, too long, or holding a NUL.
    // Not `contains()`: that is memchr, ~250 bytes more on MIPS.
    #[allow(clippy::manual_contains)]
    pub fn new(name: &[u8]) -> Option<IfName> {
        if name.is_empty() || name.len() >= IFNAMSIZ || name.iter().any(|&b| b == 0) {
            return None;
        }
        let mut buf = [0u8; IFNAMSIZ];
        buf.get_mut(..name.len())?.copy_from_slice(name);
        Some(IfName { buf })
    }

    /// The whole buffer, as `struct ifreq`'s `ifr_name` wants it, and a C
    /// string for an exec (it always holds a NUL).
    pub const fn raw(&self) -> &[u8; IFNAMSIZ] {
        &self.buf
    }

    pub fn as_bytes(&self) -> &[u8] {
        let len = self.buf.iter().position(|&b| b == 0).unwrap_or(0);
        self.buf.get(..len).unwrap_or(&[])
    }
}

impl core::fmt::Debug for IfName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("IfName")
            .field(&self.as_bytes().escape_ascii())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = IfName::new(b"eth0").unwrap();
        assert_eq!(n.as_bytes(), b"eth0");
        assert_eq!(&n.raw()[..5], b"eth0\0");
        assert!(IfName::new(b"abcdefghijklmno").is_some());
        assert!(IfName::new(b"abcdefghijklmnop").is_none());
        assert!(IfName::new(b"").is_none());
        assert!(IfName::new(b"a\0b").is_none());
    }
}
