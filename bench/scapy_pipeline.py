#!/usr/bin/python3
"""The original approach, done right: a scapy script computing the per-session
table and byte distributions (Debian's python3-scapy).

Unlike the scripts tlsdist replaces, it streams the capture (PcapReader, not
rdpcap), keys a session by its connection in both directions, takes IP
addresses (not MACs), counts each TCP stream byte once by sequence number
(retransmissions add nothing), and reads the version from the ServerHello's
supported_versions. It assumes every payload byte of the capture is TLS.

  scapy_pipeline.py FILE   -> CSV rows as bench/fields_pipeline.py prints
"""

import struct
import sys
from collections import Counter

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.utils import PcapReader

VERSIONS = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}


def server_hello_version(data):
    """The version a ServerHello at the start of `data` selects, or None."""
    if len(data) < 44 or data[0] != 22 or data[5] != 2:
        return None
    version = struct.unpack("!H", data[9:11])[0]
    at = 43 + 1 + data[43]  # past random and session id
    at += 3  # cipher suite, compression
    if at + 2 <= len(data):
        end = min(len(data), at + 2 + struct.unpack("!H", data[at:at + 2])[0])
        at += 2
        while at + 4 <= end:
            kind, length = struct.unpack("!HH", data[at:at + 4])
            if kind == 43 and length == 2:
                version = struct.unpack("!H", data[at + 4:at + 6])[0]
            at += 4 + length
    return VERSIONS.get(version, hex(version))


def main():
    sessions = {}
    order = []
    with PcapReader(sys.argv[1]) as packets:
        for packet in packets:
            ip = packet.getlayer(IP) or packet.getlayer(IPv6)
            tcp = packet.getlayer(TCP)
            if ip is None or tcp is None:
                continue
            source, destination = (ip.src, tcp.sport), (ip.dst, tcp.dport)
            key = (min(source, destination), max(source, destination))
            session = sessions.get(key)
            if session is None:
                session = sessions[key] = {"client": source, "server": destination, "version": "unknown",
                                           "next": {}, "counts": [Counter(), Counter()], "bytes": [0, 0]}
                order.append(key)
            side = 0 if source == session["client"] else 1
            data = bytes(tcp.payload)
            if tcp.flags & 0x02:
                session["next"][side] = tcp.seq + 1
            if not data:
                continue
            expected = session["next"].get(side, tcp.seq)
            new = (tcp.seq + len(data) - expected) % (1 << 32)
            if new > len(data) or new == 0:
                continue  # nothing beyond what was already seen
            data = data[len(data) - new:]
            session["next"][side] = (tcp.seq + len(bytes(tcp.payload))) % (1 << 32)
            if side == 1 and session["version"] == "unknown":
                session["version"] = server_hello_version(data) or "unknown"
            session["counts"][side].update(data)
            session["bytes"][side] += len(data)
    for stream, key in enumerate(order):
        s = sessions[key]
        if not any(s["bytes"]):
            continue
        cells = [str(stream), "%s:%d" % s["client"], "%s:%d" % s["server"], s["version"],
                 str(s["bytes"][0]), str(s["bytes"][1])]
        cells += [str(s["counts"][0][v]) for v in range(256)] + [str(s["counts"][1][v]) for v in range(256)]
        print(",".join(cells))


if __name__ == "__main__":
    main()
