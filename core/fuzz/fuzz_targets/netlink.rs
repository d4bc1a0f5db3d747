//! Arbitrary bytes as a netlink datagram, read in the three byte orders, and
//! the one request we write, into buffers of every size.
//!
//! Asserted, besides "no panic":
//! - the iterator ends, after at most `len / 16 + 1` items (every message
//!   takes at least a 16-byte header; the last item may be an error);
//! - at most one `Err`, and only as the last item; after it (and after the
//!   end) `next()` keeps saying `None`;
//! - every Link name is at most 15 bytes, holds no NUL, and is bytes of the
//!   datagram;
//! - NLMSG_ERROR/DONE/OVERRUN, RTM_NEWLINK/DELLINK never come out as `Other`;
//! - `Native` reads as the host's own order does;
//! - `emit_getlink` refuses exactly the names the kernel would refuse,
//!   refuses exactly the buffers that are too small without touching them,
//!   writes exactly its length, and what it writes reads back: as
//!   RTM_GETLINK, and (its type turned into RTM_NEWLINK) as a link with the
//!   same name, index 0, no flags;
//! - the views' accessors never reach past their buffer.
#![no_main]

use ifplugd_core::netlink::{
    emit_getlink, emit_getlink_in, emit_getlink_index_in, messages, messages_in, ByteOrder, Error,
    IfInfoMsg, LinkEvent, LinkInfo, Message, NlMsgHeader, RtAttr, GETLINK_MAX_LEN, IFINFOMSG_LEN,
    IFNAMSIZ, NLMSG_HEADER_LEN, RTA_HEADER_LEN, RTM_GETLINK, RTM_NEWLINK,
};
use libfuzzer_sys::fuzz_target;

const ORDERS: [ByteOrder; 3] = [ByteOrder::Native, ByteOrder::Little, ByteOrder::Big];

fn is_subslice(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Every item of the datagram, with the structural rules checked.
fn read_all(data: &[u8], order: ByteOrder) -> Vec<Result<Message<'_>, Error>> {
    let limit = data.len() / NLMSG_HEADER_LEN + 1;
    let mut it = messages_in(data, order);
    let mut items = Vec::new();
    loop {
        match it.next() {
            Some(item) => {
                items.push(item);
                assert!(
                    items.len() <= limit,
                    "{} items from {} bytes",
                    items.len(),
                    data.len()
                );
            }
            None => break,
        }
    }
    // Fused: the end stays the end.
    assert!(
        it.next().is_none() && it.next().is_none(),
        "items after the end"
    );
    if data.is_empty() {
        assert!(items.is_empty(), "items from an empty datagram");
    } else {
        assert!(
            !items.is_empty(),
            "nothing, not even an error, from {} bytes",
            data.len()
        );
    }
    if data.len() < NLMSG_HEADER_LEN && !data.is_empty() {
        assert_eq!(
            items,
            [Err(Error::Truncated)],
            "a datagram shorter than a header"
        );
    }
    for (i, item) in items.iter().enumerate() {
        match item {
            Err(e) => {
                assert_eq!(
                    i + 1,
                    items.len(),
                    "an error that is not the last item: {items:?}"
                );
                assert!(
                    matches!(e, Error::Truncated | Error::Malformed),
                    "a reader's error is Truncated or Malformed: {e:?}"
                );
            }
            Ok(Message::Link(info)) => {
                if let Some(name) = info.name {
                    assert!(name.len() < IFNAMSIZ, "name of {} bytes", name.len());
                    assert!(!name.contains(&0), "NUL in a name");
                    assert!(
                        is_subslice(data, name),
                        "a name that is not in the datagram"
                    );
                }
            }
            Ok(Message::Other(t)) => {
                assert!(
                    !matches!(*t, 2..=4 | 16 | 17),
                    "type {t} is known, not Other"
                );
            }
            Ok(_) => {}
        }
    }
    items
}

/// The views over unchecked bytes: nothing reaches past the buffer.
fn views(data: &[u8], order: ByteOrder) {
    let msg = NlMsgHeader::new_unchecked_in(data, order);
    let _ = (msg.message_len(), msg.message_type(), msg.flags());
    let _ = (msg.seq_number(), msg.port_id(), msg.check_len());
    let payload = msg.payload();
    assert!(payload.len() <= data.len().saturating_sub(NLMSG_HEADER_LEN));
    if msg.check_len().is_ok() {
        assert_eq!(payload.len() + NLMSG_HEADER_LEN, msg.message_len() as usize);
    }
    let ifi = IfInfoMsg::new_unchecked_in(payload, order);
    let _ = (
        ifi.family(),
        ifi.link_type(),
        ifi.index(),
        ifi.flags(),
        ifi.change(),
    );
    let attrs = ifi.attributes();
    assert!(attrs.len() <= payload.len().saturating_sub(IFINFOMSG_LEN));
    let attr = RtAttr::new_unchecked_in(data, order);
    let _ = (attr.attr_len(), attr.attr_type(), attr.check_len());
    let value = attr.value();
    assert!(value.len() <= data.len().saturating_sub(RTA_HEADER_LEN));
    if attr.check_len().is_ok() {
        assert_eq!(value.len() + RTA_HEADER_LEN, attr.attr_len() as usize);
    }
}

fn name_ok(name: &[u8]) -> bool {
    !name.is_empty() && name.len() < IFNAMSIZ && !name.contains(&0)
}

fn getlink_len(name: &[u8]) -> usize {
    NLMSG_HEADER_LEN + IFINFOMSG_LEN + ((RTA_HEADER_LEN + name.len() + 1 + 3) & !3)
}

/// Writes a request for `name` into a buffer of `size` bytes (filled with
/// 0xa5 first) and checks all of it.
fn emit(name: &[u8], size: usize, seq: u32, order: ByteOrder) {
    let mut buf = vec![0xa5u8; size];
    let r = emit_getlink_in(&mut buf, seq, name, order);
    if !name_ok(name) {
        assert_eq!(r, Err(Error::InvalidName), "name {name:?}");
        assert!(buf.iter().all(|&b| b == 0xa5), "a refused name wrote");
        return;
    }
    let need = getlink_len(name);
    assert!(need <= GETLINK_MAX_LEN);
    if size < need {
        assert_eq!(r, Err(Error::BufferTooSmall), "{size} bytes for {need}");
        assert!(
            buf.iter().all(|&b| b == 0xa5),
            "a refused buffer was written"
        );
        return;
    }
    assert_eq!(r, Ok(need), "{name:?} into {size} bytes");
    assert!(
        buf[need..].iter().all(|&b| b == 0xa5),
        "wrote past its length"
    );
    let req = &buf[..need];
    let msg = NlMsgHeader::new_checked_in(req, order).expect("our request checks");
    assert_eq!(msg.message_len() as usize, need);
    assert_eq!(msg.seq_number(), seq);
    let items: Vec<_> = messages_in(req, order).collect();
    assert_eq!(items, [Ok(Message::Other(RTM_GETLINK))]);
    // The same bytes as an announcement name the same interface.
    let mut as_new = req.to_vec();
    NlMsgHeader::new_unchecked_in(&mut as_new[..], order).set_message_type(RTM_NEWLINK);
    let items: Vec<_> = messages_in(&as_new, order).collect();
    let want = Message::Link(LinkInfo {
        event: LinkEvent::New,
        index: 0,
        flags: 0,
        name: Some(name),
        operstate: None,
        carrier: None,
    });
    assert_eq!(items, [Ok(want)], "request for {name:?} does not read back");
    if order == ByteOrder::Native {
        let mut again = vec![0u8; size];
        assert_eq!(emit_getlink(&mut again, seq, name), Ok(need));
        assert_eq!(
            again[..need],
            *req,
            "emit_getlink is emit_getlink_in(Native)"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut names: Vec<&[u8]> = Vec::new();
    let mut per_order = Vec::new();
    for order in ORDERS {
        let items = read_all(data, order);
        for item in &items {
            if let Ok(Message::Link(LinkInfo { name: Some(n), .. })) = item {
                if names.len() < 8 && !names.contains(n) {
                    names.push(n);
                }
            }
        }
        views(data, order);
        per_order.push(items);
    }
    let host = if cfg!(target_endian = "little") { 1 } else { 2 };
    assert_eq!(per_order[0], per_order[host], "Native is the host's order");
    // Our own messages module agrees with messages_in(Native).
    assert!(messages(data).eq(per_order[0].iter().copied()));

    // Requests: for the names read (round trip), and for a name and a
    // buffer size from the input's tail, valid or not.
    let size = usize::from(data.first().copied().unwrap_or(0)) % (GETLINK_MAX_LEN + 9);
    let seq = data
        .get(1..5)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let k = usize::from(data.last().copied().unwrap_or(0)) % (IFNAMSIZ + 3);
    let tail: &[u8] = if data.len() > k {
        &data[data.len() - 1 - k..data.len() - 1]
    } else {
        &[]
    };
    for order in ORDERS {
        for name in names.iter().chain([&tail]) {
            emit(name, size, seq, order);
            emit(name, GETLINK_MAX_LEN, seq, order);
        }
        let mut buf = vec![0xa5u8; size];
        let r = emit_getlink_index_in(&mut buf, seq, u32::from(k as u8), order);
        if size < NLMSG_HEADER_LEN + IFINFOMSG_LEN {
            assert_eq!(r, Err(Error::BufferTooSmall));
            assert!(buf.iter().all(|&b| b == 0xa5));
        } else {
            assert_eq!(r, Ok(NLMSG_HEADER_LEN + IFINFOMSG_LEN));
            let items: Vec<_> = messages_in(&buf[..32], order).collect();
            assert_eq!(items, [Ok(Message::Other(RTM_GETLINK))]);
        }
    }
});
