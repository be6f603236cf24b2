#!/usr/bin/python3
"""Copies a capture with longer IP headers in front of every TCP segment, so
that tests meet header layouts the shipped captures lack:

  tests/tools/rewrite_headers.py ipv4-options IN OUT   4 option bytes (NOP, NOP, NOP, EOL): IHL 6
  tests/tools/rewrite_headers.py ipv6-extensions IN OUT
                                                       a hop-by-hop (8 bytes) and a destination
                                                       options header (16 bytes) before TCP

Lengths and checksums are computed again (scapy); timestamps and everything
else stay. OUT is a pcap file.
"""

import sys

from scapy.all import IP, TCP, IPOption_EOL, IPOption_NOP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, PadN, rdpcap, wrpcap


def with_ipv4_options(packet):
    if IP not in packet or TCP not in packet:
        return None
    ip = packet[IP]
    ip.options = [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()]
    del ip.ihl, ip.len, ip.chksum
    del ip[TCP].chksum
    return packet


def with_ipv6_extensions(packet):
    if IPv6 not in packet or TCP not in packet:
        return None
    ip = packet[IPv6]
    tcp = ip[TCP]
    ip.remove_payload()
    ip.add_payload(IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]) /
                   IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)]) / tcp)
    del ip.plen, ip.nh
    return packet


def main():
    rewrite = {"ipv4-options": with_ipv4_options, "ipv6-extensions": with_ipv6_extensions}.get(sys.argv[1])
    if rewrite is None or len(sys.argv) != 4:
        sys.exit(__doc__)
    out = []
    for packet in rdpcap(sys.argv[2]):
        rewritten = rewrite(packet)
        if rewritten is None:
            out.append(packet)
            continue
        copy = packet.__class__(bytes(rewritten))
        copy.time = packet.time
        out.append(copy)
    wrpcap(sys.argv[3], out)


if __name__ == "__main__":
    main()
