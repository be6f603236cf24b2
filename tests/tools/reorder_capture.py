#!/usr/bin/python3
"""Reorders the TCP data segments of a capture while every frame's timestamp
stays where it was: the input for checking that tlsdist's per-session figures
do not depend on capture order (tests/integration/test_invariance.py).

    reorder_capture.py IN OUT --swap-first-two
    reorder_capture.py IN OUT --random-adjacent N --seed S
    reorder_capture.py IN OUT --identity

IN is a pcap or pcapng file (gzip-compressed or not). OUT is a pcap with the
input's link type; a pcapng whose interfaces have different link types is
written as a pcapng (one interface block per input interface, nanosecond
timestamps) instead, since a pcap holds one link type only.

What moves: in each direction of each TCP connection, the frames that carry
a TCP payload (payload length from the IP header, so that a frame cut by the
snap length still counts; SYN and RST segments excluded) form the direction's
*slots*. The packets in those slots are permuted among them; every slot keeps
its timestamp (timestamps belong to slots, not to packets), every packet
keeps its bytes, captured length and length on the wire. Every other frame
(not TCP, IP fragments, tunnelled traffic, SYN, RST, segments without
payload, unknown link types) stays where it was.

A connection is an address/port 4-tuple, split at every SYN without ACK: a
data segment never moves across a connection's opening SYN, so Wireshark's
tcp.stream numbers stay as they were.

Modes:
  --swap-first-two           swap the first two data segments of each direction
  --random-adjacent N --seed S
                             in each direction with two or more data segments,
                             N times: swap two adjacent slots chosen at random
                             (random.Random(S), S taken as an integer when
                             decimal; directions in order of first appearance)
  --identity                 move nothing (a plain rewrite, for comparison)

Prints one JSON line to stdout: frames, data_segments, directions (with data
segments), moved (slots that now hold another packet), format (pcap/pcapng),
truncated (the input was cut short: the complete frames were written).
Only the Python standard library is needed.
"""

import argparse
import gzip
import json
import random
import struct
import sys

# ------------------------------------------------------------------ reading


class Frame:
    __slots__ = ("ts_ns", "linktype", "interface", "data", "wirelen")

    def __init__(self, ts_ns, linktype, interface, data, wirelen):
        self.ts_ns = ts_ns
        self.linktype = linktype
        self.interface = interface
        self.data = data
        self.wirelen = wirelen


class Capture:
    """Frames with timestamps in nanoseconds, and what is needed to write them back."""

    def __init__(self):
        self.frames = []
        self.format = None          # "pcap" or "pcapng"
        self.interfaces = []        # (linktype, snaplen) per pcapng interface (pcap: one)
        self.pcap_linktype_field = None  # pcap: the header's whole link type field
        self.nanosecond = False     # some timestamp needs nanoseconds
        self.truncated = False


PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
               b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True)}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def is_capture_file(path):
    """True when the file starts like a pcap, a pcapng or a gzip file."""
    with open(path, "rb") as f:
        head = f.read(4)
    return head in PCAP_MAGICS or head == PCAPNG_MAGIC or head[:2] == b"\x1f\x8b"


def read_capture(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    capture = Capture()
    if data[:4] in PCAP_MAGICS:
        read_pcap(data, capture)
    elif data[:4] == PCAPNG_MAGIC:
        read_pcapng(data, capture)
    else:
        raise ValueError("not a pcap or pcapng file: %s" % path)
    return capture


def read_pcap(data, capture):
    endian, nano = PCAP_MAGICS[data[:4]]
    if len(data) < 24:
        raise ValueError("pcap file header cut short")
    snaplen, linktype_field = struct.unpack(endian + "II", data[16:24])
    capture.format = "pcap"
    capture.pcap_linktype_field = linktype_field
    capture.interfaces = [(linktype_field & 0x0FFFFFFF, snaplen)]
    capture.nanosecond = nano
    offset = 24
    while offset < len(data):
        if offset + 16 > len(data):
            capture.truncated = True
            break
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", data[offset:offset + 16])
        if offset + 16 + caplen > len(data):
            capture.truncated = True
            break
        ts = sec * 10**9 + (frac if nano else frac * 1000)
        capture.frames.append(Frame(ts, linktype_field & 0x0FFFFFFF, 0,
                                    data[offset + 16:offset + 16 + caplen], wirelen))
        offset += 16 + caplen


def _pcapng_options(body, endian):
    options = {}
    offset = 0
    while offset + 4 <= len(body):
        code, length = struct.unpack(endian + "HH", body[offset:offset + 4])
        if code == 0:
            break
        options.setdefault(code, body[offset + 4:offset + 4 + length])
        offset += 4 + length + (-length % 4)
    return options


def read_pcapng(data, capture):
    capture.format = "pcapng"
    endian = "<"
    section = []  # per interface of this section: (index in capture.interfaces, units per second, offset s)
    offset = 0
    while offset < len(data):
        if offset + 12 > len(data):
            capture.truncated = True
            break
        if data[offset:offset + 4] == PCAPNG_MAGIC:
            endian = "<" if data[offset + 8:offset + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            section = []
        block_type, length = struct.unpack(endian + "II", data[offset:offset + 8])
        if length < 12 or length % 4 or offset + length > len(data):
            capture.truncated = True
            break
        body = data[offset + 8:offset + length - 4]
        if block_type == 1:  # Interface Description Block
            linktype, _, snaplen = struct.unpack(endian + "HHI", body[:8])
            options = _pcapng_options(body[8:], endian)
            units, ts_offset = 10**6, 0
            if 9 in options:
                resolution = options[9][0]
                units = 2 ** (resolution & 0x7F) if resolution & 0x80 else 10 ** resolution
            if 14 in options and len(options[14]) == 8:
                ts_offset = struct.unpack(endian + "q", options[14])[0]
            if units % 10**6 or units > 10**6:
                capture.nanosecond = True
            section.append((len(capture.interfaces), units, ts_offset))
            capture.interfaces.append((linktype, snaplen))
        elif block_type in (6, 2):  # Enhanced Packet Block, obsolete Packet Block
            if block_type == 6:
                interface, high, low, caplen, wirelen = struct.unpack(endian + "IIIII", body[:20])
            else:
                interface, _, high, low, caplen, wirelen = struct.unpack(endian + "HHIIII", body[:20])
            if interface >= len(section):
                raise ValueError("packet block for an undeclared interface %d" % interface)
            index, units, ts_offset = section[interface]
            ticks = (high << 32) | low
            ts = ts_offset * 10**9 + ticks * 10**9 // units
            capture.frames.append(Frame(ts, capture.interfaces[index][0], index, body[20:20 + caplen], wirelen))
        elif block_type == 3:  # Simple Packet Block: interface 0, no timestamp
            if not section:
                raise ValueError("simple packet block before any interface")
            index = section[0][0]
            wirelen = struct.unpack(endian + "I", body[:4])[0]
            snaplen = capture.interfaces[index][1]
            caplen = min(wirelen, snaplen) if snaplen else wirelen
            capture.frames.append(Frame(0, capture.interfaces[index][0], index, body[4:4 + caplen], wirelen))
        offset += length


# ------------------------------------------------------------------ writing


def write_capture(capture, frames, path):
    """Writes frames (in the order given) as a pcap, or as a pcapng when the
    interfaces have different link types. Returns the format written."""
    linktypes = {linktype for linktype, _ in capture.interfaces}
    if len(linktypes) <= 1:
        write_pcap(capture, frames, path)
        return "pcap"
    write_pcapng(capture, frames, path)
    return "pcapng"


def write_pcap(capture, frames, path):
    nano = capture.nanosecond or any(f.ts_ns % 1000 for f in frames)
    if capture.pcap_linktype_field is not None:
        linktype_field = capture.pcap_linktype_field
    else:
        linktype_field = capture.interfaces[0][0] if capture.interfaces else 1
    snaplen = max([s for _, s in capture.interfaces] + [len(f.data) for f in frames] + [0]) or 262144
    out = [struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype_field)]
    for f in frames:
        sec, ns = divmod(f.ts_ns, 10**9)
        out.append(struct.pack("<IIII", sec, ns if nano else ns // 1000, len(f.data), f.wirelen))
        out.append(f.data)
    with open(path, "wb") as fp:
        fp.write(b"".join(out))


def _pcapng_block(block_type, body):
    body += b"\0" * (-len(body) % 4)
    length = len(body) + 12
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def write_pcapng(capture, frames, path):
    out = [_pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for linktype, snaplen in capture.interfaces:
        # if_tsresol = 9: nanoseconds; then the end of options.
        options = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
        out.append(_pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen) + options))
    for f in frames:
        out.append(_pcapng_block(6, struct.pack("<IIIII", f.interface, f.ts_ns >> 32, f.ts_ns & 0xFFFFFFFF,
                                                len(f.data), f.wirelen) + f.data))
    with open(path, "wb") as fp:
        fp.write(b"".join(out))


# ------------------------------------------------------------------ TCP


ETHERTYPE_IPV4, ETHERTYPE_IPV6 = 0x0800, 0x86DD
VLAN_TAGS = (0x8100, 0x88A8, 0x9100)


def network_layer(linktype, data):
    """(ethertype, offset of the IP header) of a frame, or None."""
    if linktype == 1:  # Ethernet
        if len(data) < 14:
            return None
        ethertype, offset = struct.unpack(">H", data[12:14])[0], 14
        while ethertype in VLAN_TAGS and len(data) >= offset + 4:
            ethertype, offset = struct.unpack(">H", data[offset + 2:offset + 4])[0], offset + 4
        return ethertype, offset
    if linktype in (0, 108):  # BSD loopback: address family, host (0) or network (108) order
        if len(data) < 4:
            return None
        family = struct.unpack("<I" if linktype == 0 else ">I", data[:4])[0]
        if linktype == 0 and family > 0xFFFF:
            family = struct.unpack(">I", data[:4])[0]
        if family == 2:
            return ETHERTYPE_IPV4, 4
        if family in (10, 24, 28, 30):
            return ETHERTYPE_IPV6, 4
        return None
    if linktype in (12, 14, 101):  # raw IP
        if not data:
            return None
        return (ETHERTYPE_IPV4 if data[0] >> 4 == 4 else ETHERTYPE_IPV6), 0
    if linktype == 228:
        return ETHERTYPE_IPV4, 0
    if linktype == 229:
        return ETHERTYPE_IPV6, 0
    if linktype == 113:  # Linux cooked (SLL)
        if len(data) < 16:
            return None
        return struct.unpack(">H", data[14:16])[0], 16
    if linktype == 276:  # Linux cooked v2 (SLL2)
        if len(data) < 20:
            return None
        return struct.unpack(">H", data[0:2])[0], 20
    return None


IPV6_SKIPPABLE = (0, 43, 60)  # hop-by-hop, routing, destination options


def tcp_segment(linktype, data):
    """(src, dst, sport, dport, seq, flags, payload length) of a frame that is
    one whole TCP segment directly over IP, or None."""
    found = network_layer(linktype, data)
    if found is None:
        return None
    ethertype, offset = found
    if ethertype == ETHERTYPE_IPV4:
        if len(data) < offset + 20 or data[offset] >> 4 != 4:
            return None
        header = (data[offset] & 0x0F) * 4
        total, fragment, proto = struct.unpack(">H2xH1xB", data[offset + 2:offset + 10])
        if proto != 6 or fragment & 0x3FFF:  # not TCP, or a fragment
            return None
        src, dst = data[offset + 12:offset + 16], data[offset + 16:offset + 20]
        ip_payload = (total - header) if total else (len(data) - offset - header)
        offset += header
    elif ethertype == ETHERTYPE_IPV6:
        if len(data) < offset + 40 or data[offset] >> 4 != 6:
            return None
        ip_payload, proto = struct.unpack(">HB", data[offset + 4:offset + 7])
        src, dst = data[offset + 8:offset + 24], data[offset + 24:offset + 40]
        offset += 40
        while proto in IPV6_SKIPPABLE:
            if len(data) < offset + 2:
                return None
            proto, length = data[offset], (data[offset + 1] + 1) * 8
            offset += length
            ip_payload -= length
        if proto != 6:  # not TCP (a fragment header included)
            return None
    else:
        return None
    if len(data) < offset + 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", data[offset:offset + 8])
    data_offset = (data[offset + 12] >> 4) * 4
    flags = data[offset + 13]
    return src, dst, sport, dport, seq, flags, max(0, ip_payload - data_offset)


SYN, RST, ACK = 0x02, 0x04, 0x10


def data_slots(capture):
    """The frame indices of each connection direction's data segments, in
    capture order; directions in order of first appearance."""
    epoch = {}   # unordered 4-tuple -> connection counter
    slots = {}   # (4-tuple key, epoch, direction) -> [frame index]
    for index, frame in enumerate(capture.frames):
        segment = tcp_segment(frame.linktype, frame.data)
        if segment is None:
            continue
        src, dst, sport, dport, _, flags, length = segment
        forward = (src, sport) <= (dst, dport)
        pair = (frame.interface, (src, sport, dst, dport) if forward else (dst, dport, src, sport))
        if flags & SYN and not flags & ACK:
            epoch[pair] = epoch.get(pair, 0) + 1
        if length == 0 or flags & (SYN | RST):
            continue
        slots.setdefault((pair, epoch.get(pair, 0), forward), []).append(index)
    return list(slots.values())


def permutation(direction_slots, mode, count=0, seed=None):
    """order[slot] = the frame index whose packet goes into that slot."""
    order = {}
    seed = str(seed)
    rng = random.Random(int(seed) if seed.isdigit() else seed)
    for slots in direction_slots:
        packets = list(slots)
        if mode == "swap-first-two" and len(packets) >= 2:
            packets[0], packets[1] = packets[1], packets[0]
        elif mode == "random-adjacent" and len(packets) >= 2:
            for _ in range(count):
                i = rng.randrange(len(packets) - 1)
                packets[i], packets[i + 1] = packets[i + 1], packets[i]
        for slot, packet in zip(slots, packets):
            order[slot] = packet
    return order


def reorder(capture, order):
    """The frames with packets moved between slots, timestamps left in place."""
    out = []
    for index, frame in enumerate(capture.frames):
        packet = capture.frames[order.get(index, index)]
        out.append(Frame(frame.ts_ns, packet.linktype, packet.interface, packet.data, packet.wirelen))
    return out


def write_variant(capture, path, mode, count=0, seed=None, direction_slots=None):
    """Writes one reordered copy of a capture read with read_capture; mode is
    "identity", "swap-first-two" or "random-adjacent" (count swaps per
    direction, random.Random(seed), a decimal seed taken as an integer).
    Returns the summary the command line prints."""
    if direction_slots is None:
        direction_slots = data_slots(capture)
    if mode == "identity":
        order = {}
    elif mode in ("swap-first-two", "random-adjacent"):
        order = permutation(direction_slots, mode, count, seed)
    else:
        raise ValueError("unknown mode " + mode)
    written = write_capture(capture, reorder(capture, order), path)
    return {
        "frames": len(capture.frames),
        "data_segments": sum(len(s) for s in direction_slots),
        "directions": len(direction_slots),
        "moved": sum(1 for slot, packet in order.items() if slot != packet),
        "format": written,
        "truncated": capture.truncated,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--swap-first-two", action="store_true")
    mode.add_argument("--random-adjacent", type=int, metavar="N")
    mode.add_argument("--identity", action="store_true")
    parser.add_argument("--seed", default=None)
    args = parser.parse_args(argv)
    if args.random_adjacent is not None:
        if args.random_adjacent < 0:
            parser.error("--random-adjacent needs N >= 0")
        if args.seed is None:
            parser.error("--random-adjacent needs --seed")
    try:
        capture = read_capture(args.input)
    except (OSError, ValueError, struct.error) as e:
        parser.exit(2, "reorder_capture.py: %s\n" % e)
    if capture.truncated:
        print("warning: %s is cut short; writing its %d complete frames" % (args.input, len(capture.frames)),
              file=sys.stderr)
    if args.swap_first_two:
        summary = write_variant(capture, args.output, "swap-first-two")
    elif args.random_adjacent is not None:
        summary = write_variant(capture, args.output, "random-adjacent", args.random_adjacent, args.seed)
    else:
        summary = write_variant(capture, args.output, "identity")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
