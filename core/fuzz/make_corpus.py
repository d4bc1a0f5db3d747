#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets.

    python3 core/fuzz/make_corpus.py

- corpus/netlink/: the kernel captures of core/src/netlink.rs's tests (the
  `static NAME: [u8; N] = [...]` fixtures), one file each, and all of the
  little-endian ones as one datagram;
- corpus/options/: realistic command lines, arguments separated by NUL;
- corpus/link_machine/: a few runs of the state machine (see the layout in
  fuzz_targets/link_machine.rs).

Idempotent: the same files, byte for byte, every time.
"""

import re
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
NETLINK_RS = HERE.parent / "src" / "netlink.rs"
FIXTURES = [
    "NEWLINK_CARRIER",
    "NEWLINK_NO_CARRIER",
    "DELLINK",
    "DUMP_MULTI",
    "DUMP_DONE",
    "ERROR_ENODEV",
    "BE_NEWLINK_ETH0",
]


def fixture(src: str, name: str) -> bytes:
    m = re.search(r"static %s: \[u8; (\d+)\] = \[(.*?)\];" % name, src, re.S)
    if not m:
        raise SystemExit(f"{name} not found in {NETLINK_RS}")
    body = re.sub(r"//[^\n]*", "", m.group(2))
    out = bytearray()
    for tok in body.replace("\n", " ").split(","):
        tok = tok.strip()
        if not tok:
            continue
        if tok.startswith("b'") and tok.endswith("'"):
            out.append(ord(tok[2:-1]))
        else:
            out.append(int(tok, 0))
    if len(out) != int(m.group(1)):
        raise SystemExit(f"{name}: {len(out)} bytes, declared {m.group(1)}")
    return bytes(out)


def write(dir_: Path, name: str, data: bytes) -> None:
    dir_.mkdir(parents=True, exist_ok=True)
    (dir_ / name).write_bytes(data)


def netlink() -> None:
    src = NETLINK_RS.read_text()
    d = HERE / "corpus" / "netlink"
    le = []
    for name in FIXTURES:
        data = fixture(src, name)
        write(d, name.lower(), data)
        if not name.startswith("BE_"):
            le.append(data)
    write(d, "all_concatenated", b"".join(le))


OPTIONS = {
    "default": [],
    "foreground_stderr": ["-n", "-s", "-i", "eth0"],
    "openwrt": ["-i", "wan", "-r", "/etc/ifplugd/ifplugd.action", "-f", "-u0", "-d10", "-t5"],
    "monitor_bundled": ["-nsMi", "wlan0", "-I", "-a", "-mwlan", "-x", "extra"],
    "startup_flags": ["-plq", "-ieth1", "-t", "0", "-u", "2", "-d", "3"],
    "poll_only": ["-P", "-t1", "-miff", "-F", "--", "ignored"],
    "kill": ["-k", "-i", "br-lan"],
    "errors": ["-i", "a/b", "-t", "2147483648", "-z", "--bogus"],
    "help": ["-n", "--help"],
    "version": ["-V"],
}


def options() -> None:
    d = HERE / "corpus" / "options"
    for name, args in OPTIONS.items():
        write(d, name, b"\0".join(a.encode() for a in args))


def opts_bytes(delay_up=0, delay_down=0, poll=1, api=0, monitor=False, f=False, F=False,
               I=False, p=False, l=False, q=False, a=False, P=False) -> bytes:
    """The 3 option bytes of link_machine.rs's `read_options`."""
    A = (delay_up & 3) | (delay_down & 3) << 2 | (poll & 3) << 4 | (api & 3) << 6
    B = (monitor | f << 1 | F << 2 | I << 3 | p << 4 | l << 5 | q << 6 | a << 7)
    C = P | (api & 4)
    return bytes([A, B, C])


# Events: (kind byte, 16-bit "small" time) and what follows some kinds.
def ev(kind: int, small: int = 0, extra: bytes = b"") -> bytes:
    return bytes([kind]) + struct.pack("<H", small) + extra


WAKE_AT_POLL = 0x00
WAKE_EARLY = 0x06
LINK_TOGGLE = 0x08
LINK_UP = 0x88
LINK_DOWN = 0xC8
GONE_TOGGLE = 0x0A
NETLINK_THEN_WAKE = 0x0B
LOST_THEN_WAKE = 0x0E
SIG_HUP = 0x0F
SIG_TERM = 0x6F
SIG_QUIT = 0xDF


def dgram(*msgs: int, cut: int = 0) -> bytes:
    """A datagram of 1..3 link messages; each `sel` byte as `datagram()` reads it."""
    return bytes([len(msgs) - 1, *msgs, cut])


def machine(opts: bytes, world: int, t0: int, events: list, noise: bytes = b"") -> bytes:
    # The host reads its noise from the back, a byte per question (about 3
    # a wake): the given noise first, then zeros (truthful answers, exit 0),
    # so the events are not eaten from their end.
    pad = b"\0" * (4 * len(events) + 8)
    return (opts + bytes([world]) + struct.pack("<I", t0) + b"".join(events)
            + pad + noise[::-1])


def link_machine() -> None:
    d = HERE / "corpus" / "link_machine"
    flap = [ev(LINK_TOGGLE), *[ev(WAKE_AT_POLL)] * 6]
    write(d, "flapping_delays", machine(
        opts_bytes(delay_up=1, delay_down=2, poll=1), 1, 1000, flap * 4 + [ev(SIG_TERM)]))
    write(d, "short_flaps_cancel", machine(
        opts_bytes(delay_up=3, delay_down=3, poll=1), 0, 5,
        [ev(LINK_UP), ev(WAKE_EARLY, 400), ev(LINK_DOWN), ev(WAKE_EARLY, 900),
         ev(LINK_UP), ev(WAKE_AT_POLL), ev(WAKE_AT_POLL), ev(WAKE_AT_POLL),
         ev(WAKE_AT_POLL), ev(SIG_TERM)]))
    # -M: the interface goes away and comes back, netlink says so.
    newlink_us = 0b0000_0001   # RTM_NEWLINK, world's index, "eth0"
    dellink_us = 0b0000_0101   # RTM_DELLINK, world's index, "eth0"
    write(d, "monitor_gone_and_back", machine(
        opts_bytes(delay_up=0, delay_down=1, poll=0, monitor=True), 1, 77,
        [ev(WAKE_AT_POLL), ev(GONE_TOGGLE), ev(NETLINK_THEN_WAKE, 1, dgram(dellink_us)),
         ev(WAKE_AT_POLL), ev(GONE_TOGGLE), ev(NETLINK_THEN_WAKE, 2, dgram(newlink_us)),
         ev(WAKE_AT_POLL), ev(LOST_THEN_WAKE), ev(SIG_QUIT)]))
    # -M, starting without the interface; renamed/re-created under netlink.
    write(d, "monitor_waiting", machine(
        opts_bytes(poll=2, monitor=True, l=True), 2, 0,
        [ev(WAKE_AT_POLL), ev(GONE_TOGGLE), ev(NETLINK_THEN_WAKE, 0, dgram(newlink_us)),
         ev(0x7A),  # index changes
         ev(NETLINK_THEN_WAKE, 0, dgram(newlink_us, 0b1000_0001)),
         ev(WAKE_AT_POLL), ev(SIG_TERM)]))
    # -P -I, auto mode with broken methods, scripts that fail in every way.
    write(d, "poll_only_failing_scripts", machine(
        opts_bytes(delay_up=0, delay_down=0, poll=1, P=True, I=True), 0x91, 3000,
        [*[ev(LINK_TOGGLE), ev(WAKE_AT_POLL)] * 6, ev(SIG_HUP), ev(WAKE_AT_POLL), ev(SIG_TERM)],
        noise=bytes([0, 0, 205, 0, 0, 212, 0, 0, 220, 0, 0, 240, 0, 0])))
    # -f/-F with probes failing (EOPNOTSUPP/ENODEV noise), explicit mode.
    write(d, "ignore_fail_mii", machine(
        opts_bytes(delay_up=1, delay_down=0, poll=3, api=2, f=True, F=True, a=True), 1, 9,
        [*[ev(WAKE_AT_POLL)] * 4, ev(LINK_DOWN), *[ev(WAKE_AT_POLL)] * 3, ev(SIG_TERM)],
        noise=bytes([0, 235, 0, 245, 0, 0, 233])))
    # A SIGTERM handed on by the script it interrupted.
    write(d, "script_interrupted", machine(
        opts_bytes(delay_up=0, delay_down=0, poll=1), 1, 1,
        [ev(LINK_DOWN), ev(WAKE_AT_POLL), ev(LINK_UP), ev(WAKE_AT_POLL)],
        noise=bytes([0, 0, 0, 0, 0, 0, 0, 0, 230])))
    write(d, "garbage_datagrams", machine(
        opts_bytes(delay_up=0, delay_down=2, poll=0), 1, 123,
        [ev(0x0D, 0, bytes([20]) + bytes(range(20))), ev(WAKE_AT_POLL),
         ev(NETLINK_THEN_WAKE, 0, dgram(0b0110_0111, 0b1000_0001, cut=0xf0) + b"\x11\x00"),
         ev(LINK_DOWN), ev(NETLINK_THEN_WAKE, 0, dgram(newlink_us)), ev(WAKE_AT_POLL)]))


def main() -> None:
    netlink()
    options()
    link_machine()


if __name__ == "__main__":
    main()
