#!/usr/bin/python3
"""Copies a capture with other headers in front of every TCP segment, so
that tests meet header layouts the shipped captures lack:

  tests/tools/rewrite_headers.py ipv4-options IN OUT   4 option bytes (NOP, NOP, NOP, EOL): IHL 6
  tests/tools/rewrite_headers.py ipv6-extensions IN OUT
                                                       a hop-by-hop (8 bytes) and a destination
                                                       options header (16 bytes) before TCP
  tests/tools/rewrite_headers.py amt-tunnel IN OUT     each IPv4 packet carried in an AMT multicast
                                                       data message (RFC 7450) over IPv4 and UDP
                                                       (Wireshark dissects the packet inside under
                                                       AMT's own item, not at the tree's root):
                                                       AMT_FRAME_GROWTH bytes more per frame
  tests/tools/rewrite_headers.py ipv4-length-zero IN OUT
                                                       IPv4 total length 0, as a capture of a host
                                                       that leaves segmentation to its network card
                                                       shows it (Wireshark then takes the frame's)
  tests/tools/rewrite_headers.py ipv4-length-past-frame IN OUT
                                                       IPv4 total length 8 bytes more than the frame
                                                       holds (Wireshark takes the frame's)

Lengths (except the one a layout sets) and checksums are computed again
(scapy); timestamps and everything else stay. OUT is a pcap file.
"""

import sys

from scapy.all import (IP, TCP, UDP, Ether, IPOption_EOL, IPOption_NOP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                       PadN, Raw, rdpcap, wrpcap)

AMT_PORT = 2268
AMT_MULTICAST_DATA = b"\x06\x00"  # version 0, type 6; a reserved byte
# The outer IPv4 (20) and UDP (8) headers and AMT's 2 bytes, in an Ethernet frame as before.
AMT_FRAME_GROWTH = 20 + 8 + len(AMT_MULTICAST_DATA)


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


def in_amt_tunnel(packet):
    if Ether not in packet or IP not in packet or TCP not in packet:
        return None
    inner = packet[IP]
    return (Ether(src=packet[Ether].src, dst=packet[Ether].dst) /
            IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=AMT_PORT, dport=AMT_PORT) /
            Raw(AMT_MULTICAST_DATA + bytes(inner)))


def with_ipv4_length(packet, length):
    if IP not in packet or TCP not in packet:
        return None
    ip = packet[IP]
    ip.len = length(len(ip))
    del ip.chksum
    return packet


def main():
    rewrite = {"ipv4-options": with_ipv4_options, "ipv6-extensions": with_ipv6_extensions,
               "amt-tunnel": in_amt_tunnel,
               "ipv4-length-zero": lambda packet: with_ipv4_length(packet, lambda actual: 0),
               "ipv4-length-past-frame": lambda packet: with_ipv4_length(packet, lambda actual: actual + 8)}.get(sys.argv[1])
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
