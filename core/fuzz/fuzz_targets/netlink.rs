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
//! - a Link's index and flags are its ifinfomsg's, read through the views;
//! - `Native` reads as the host's own order does;
//! - `emit_getlink_dump` refuses exactly the buffers that are too small,
//!   without touching them, writes exactly its length and nothing past it,
//!   and what it writes reads back: as RTM_GETLINK with NLM_F_REQUEST |
//!   NLM_F_DUMP and the sequence number, and (its type turned into
//!   RTM_NEWLINK) as a link of index 0, no flags, no name;
//! - the views' accessors never reach past their buffer.
#![no_main]

use ifplugd_core::kernel::IFNAMSIZ;
use ifplugd_core::netlink::{
    emit_getlink_dump, emit_getlink_dump_in, messages, messages_in, ByteOrder, Error, IfInfoMsg,
    LinkEvent, LinkInfo, Message, NlMsgHeader, RtAttr, GETLINK_DUMP_LEN, IFINFOMSG_LEN,
    NLMSG_HEADER_LEN, NLM_F_DUMP, NLM_F_REQUEST, RTA_HEADER_LEN, RTM_GETLINK, RTM_NEWLINK,
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
    // Where the next message starts, as the framing says: for comparing a
    // Link with the views over its bytes.
    let mut at = 0usize;
    loop {
        let here = data.get(at..).unwrap_or(&[]);
        match it.next() {
            Some(item) => {
                if let Ok(Message::Link(info)) = &item {
                    let msg = NlMsgHeader::new_checked_in(here, order).expect("a Link checks");
                    let ifi = IfInfoMsg::new_checked_in(msg.payload(), order)
                        .expect("a Link has an ifinfomsg");
                    assert_eq!(
                        (info.index, info.flags),
                        (ifi.index(), ifi.flags()),
                        "a Link's index and flags are not its ifinfomsg's"
                    );
                }
                let len = NlMsgHeader::new_unchecked_in(here, order).message_len() as usize;
                at = at.saturating_add(len.saturating_add(3) & !3);
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

/// Writes the dump request into a buffer of `size` bytes (filled with
/// 0xa5 first) and checks all of it.
fn emit(size: usize, seq: u32, order: ByteOrder) {
    let mut buf = vec![0xa5u8; size];
    let r = emit_getlink_dump_in(&mut buf, seq, order);
    let need = NLMSG_HEADER_LEN + IFINFOMSG_LEN;
    assert_eq!(GETLINK_DUMP_LEN, need);
    if size < need {
        assert_eq!(r, Err(Error::BufferTooSmall), "{size} bytes for {need}");
        assert!(
            buf.iter().all(|&b| b == 0xa5),
            "a refused buffer was written"
        );
        return;
    }
    assert_eq!(r, Ok(need), "into {size} bytes");
    assert!(
        buf[need..].iter().all(|&b| b == 0xa5),
        "wrote past its length"
    );
    let req = &buf[..need];
    let msg = NlMsgHeader::new_checked_in(req, order).expect("our request checks");
    assert_eq!(msg.message_len() as usize, need);
    assert_eq!(msg.flags(), NLM_F_REQUEST | NLM_F_DUMP);
    assert_eq!(msg.seq_number(), seq);
    assert_eq!(msg.port_id(), 0);
    let items: Vec<_> = messages_in(req, order).collect();
    assert_eq!(items, [Ok(Message::Other(RTM_GETLINK))]);
    // The same bytes as an announcement: no interface in particular.
    let mut as_new = req.to_vec();
    NlMsgHeader::new_unchecked_in(&mut as_new[..], order).set_message_type(RTM_NEWLINK);
    let items: Vec<_> = messages_in(&as_new, order).collect();
    let want = Message::Link(LinkInfo {
        event: LinkEvent::New,
        index: 0,
        flags: 0,
        name: None,
    });
    assert_eq!(items, [Ok(want)], "the request does not read back");
    if order == ByteOrder::Native {
        let mut again = vec![0u8; size];
        assert_eq!(emit_getlink_dump(&mut again, seq), Ok(need));
        assert_eq!(
            again[..need],
            *req,
            "emit_getlink_dump is emit_getlink_dump_in(Native)"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut per_order = Vec::new();
    for order in ORDERS {
        let items = read_all(data, order);
        views(data, order);
        per_order.push(items);
    }
    let host = if cfg!(target_endian = "little") { 1 } else { 2 };
    assert_eq!(per_order[0], per_order[host], "Native is the host's order");
    // Our own messages module agrees with messages_in(Native).
    assert!(messages(data).eq(per_order[0].iter().copied()));

    // The request, into a buffer size and with a sequence number from the
    // input's head.
    let size = usize::from(data.first().copied().unwrap_or(0)) % (GETLINK_DUMP_LEN + 9);
    let seq = data
        .get(1..5)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    for order in ORDERS {
        emit(size, seq, order);
        emit(GETLINK_DUMP_LEN, seq, order);
    }
});
