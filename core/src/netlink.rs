//! NETLINK_ROUTE link messages: checked views over bytes, then plain values.
//! (API placeholder: the full parser replaces this file.)

/// Why a datagram could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Shorter than a header, or than the length the header claims.
    Truncated,
    /// A length field that cannot be right (below the header's own size).
    Malformed,
    /// The caller's buffer is too small for what was to be written.
    BufferTooSmall,
}

/// RTM_NEWLINK or RTM_DELLINK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkEvent {
    New,
    Del,
}

/// What one RTM_NEWLINK / RTM_DELLINK says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkInfo<'a> {
    pub event: LinkEvent,
    pub index: u32,
    pub flags: u32,
    /// IFLA_IFNAME without its NUL.
    pub name: Option<&'a [u8]>,
    pub operstate: Option<u8>,
    pub carrier: Option<bool>,
}

/// One message of a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    Link(LinkInfo<'a>),
    /// NLMSG_ERROR with its (negative) error code; 0 is an acknowledgement.
    Error(i32),
    Done,
    Overrun,
    /// Any other type: skipped.
    Other(u16),
}

/// The messages of one datagram, in order; yields one error and stops.
pub struct Messages<'a> {
    _rest: &'a [u8],
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<Message<'a>, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        None
    }
}

/// Iterates over the messages in `datagram`.
pub fn messages(datagram: &[u8]) -> Messages<'_> {
    Messages { _rest: datagram }
}

/// Writes an RTM_GETLINK request for the interface named `name` into `buf`;
/// returns its length.
pub fn emit_getlink(_buf: &mut [u8], _seq: u32, _name: &[u8]) -> Result<usize, Error> {
    Err(Error::BufferTooSmall)
}
