//! The one request the daemon sends, against the kernel: the core's
//! RTM_GETLINK dump request, sent on a NETLINK_ROUTE socket opened inside
//! a test's namespace, is answered with an RTM_NEWLINK for every interface
//! there, then NLMSG_DONE, and the core's parser reads all of it.

mod common;
use common::*;
use ifplugd_core::netlink::{self, LinkEvent, Message, NlMsgHeader, NLM_F_MULTI};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};
use rustix::thread::LinkNameSpaceType;
use std::collections::BTreeSet;

/// A NETLINK_ROUTE socket in the namespace `ns`: made by a thread that
/// entered it (setns), so the test's own process stays where it is.
fn route_socket_in(ns: &str) -> OwnedFd {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let nsfd = rustix::fs::open(
            path.as_str(),
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap_or_else(|e| panic!("open {path}: {e}"));
        rustix::thread::move_into_link_name_space(nsfd.as_fd(), Some(LinkNameSpaceType::Network))
            .expect("setns into the test's namespace");
        let fd = rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::RAW,
            SocketFlags::CLOEXEC,
            None, // NETLINK_ROUTE is protocol 0
        )
        .expect("a NETLINK_ROUTE socket");
        rustix::net::bind(&fd, &SocketAddrNetlink::new(0, 0)).expect("bind");
        // A kernel that never answers fails the test instead of hanging it.
        rustix::net::sockopt::set_socket_timeout(
            &fd,
            rustix::net::sockopt::Timeout::Recv,
            Some(WAIT),
        )
        .expect("SO_RCVTIMEO");
        fd
    })
    .join()
    .expect("the thread that entered the namespace")
}

/// `ip -o link show`'s (index, name) pairs: "3: nld0@nld0p: <...".
fn ip_links(lab: &Lab) -> BTreeSet<(u32, String)> {
    lab.ip(&["-o", "link", "show"])
        .lines()
        .map(|line| {
            let mut fields = line.split(": ");
            let index = fields.next().and_then(|i| i.trim().parse().ok());
            let name = fields.next().map(|n| n.split('@').next().unwrap_or(n));
            match (index, name) {
                (Some(i), Some(n)) => (i, n.to_owned()),
                _ => panic!("unexpected `ip -o link show` line: {line:?}"),
            }
        })
        .collect()
}

#[test]
fn getlink_dump_lists_every_interface() {
    let lab = Lab::new("nld0");
    lab.veth("nld0");
    lab.veth("nld1");
    lab.link_up("nld1");
    let want = ip_links(&lab);
    assert_eq!(want.len(), 5, "lo and two veth pairs: {want:?}");

    let fd = route_socket_in(&lab.ns);
    let mut req = [0u8; netlink::GETLINK_DUMP_LEN];
    let len = netlink::emit_getlink_dump(&mut req, 7).expect("the request");
    let kernel = SocketAddrNetlink::new(0, 0);
    let sent = rustix::net::sendto(&fd, &req[..len], SendFlags::empty(), &kernel).expect("send");
    assert_eq!(sent, len);

    let mut got = BTreeSet::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut done = false;
    for _ in 0..100 {
        let (_, n) = rustix::net::recv(&fd, &mut buf[..], RecvFlags::TRUNC)
            .expect("an answer to the dump request");
        assert!(n <= buf.len(), "datagram of {n} bytes truncated");
        let datagram = &buf[..n];
        // The answer to our request, not an announcement.
        let head = NlMsgHeader::new_checked(datagram).expect("a header");
        assert_eq!(head.seq_number(), 7);
        assert_ne!(head.flags() & NLM_F_MULTI, 0, "a dump's part");
        for msg in netlink::messages(datagram) {
            match msg {
                Ok(Message::Link(info)) => {
                    assert_eq!(info.event, LinkEvent::New);
                    let name = info.name.expect("every RTM_NEWLINK names its interface");
                    let name = String::from_utf8(name.to_vec()).expect("UTF-8 name");
                    assert!(
                        got.insert((info.index, name.clone())),
                        "{name} listed twice"
                    );
                    assert!(!done, "{name} after NLMSG_DONE");
                }
                Ok(Message::Done) => done = true,
                other => panic!("unexpected in a dump: {other:?}"),
            }
        }
        if done {
            break;
        }
    }
    assert!(done, "no NLMSG_DONE");
    assert_eq!(got, want);
}
