#!/usr/bin/python3
"""Writes a deterministic synthetic TLS capture (classic pcap, Ethernet) for
benchmarks and memory-bound tests.

Frames are synthesized rather than recorded: a recording through real TLS
stacks cannot be reproduced bit for bit from a seed, takes minutes per
gigabyte, and cannot produce 200,000 sessions or one multi-gigabyte session
on a small machine. What the plugin measures depends only on TCP framing and
TLS record structure, which are synthesized faithfully: 3-way handshakes,
1500-byte-MTU segmentation (records span segments, segments hold several
records), delayed ACKs, occasional retransmissions, ClientHello/ServerHello
with SNI, supported_versions and key_share (TLS 1.3 negotiated through
supported_versions), ChangeCipherSpec, and application data records of random
bytes standing for ciphertext.

  synth_capture.py OUT.pcap|- [--size 500M] [--seed 1] [--profile mixed|short|single]
                   [--sessions N] [--manifest OUT.json] [--no-per-session]

The manifest holds what was sent: per session the client, server, version,
and the TLS bytes each way (every record byte once; retransmissions excluded),
which is exactly what tlsdist must report.
"""

import argparse
import json
import random
import struct
import sys
import time

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")
MSS = {4: 1460, 6: 1440}  # 1500-byte MTU
RETRANSMIT_PROBABILITY = 0.005
POOL_SIZE = 32 << 20


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1:].upper() in units:
        return int(float(text[:-1]) * units[text[-1:].upper()])
    return int(text)


def ipv4_checksum(header):
    total = sum(struct.unpack("!10H", header))
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class PcapWriter:
    def __init__(self, out):
        self.out = out
        self.frames = 0
        self.bytes_written = len(PCAP_HEADER)
        self.usec = 0  # microseconds since 1700000000
        out.write(PCAP_HEADER)

    def write(self, frame, gap_usec):
        self.usec += gap_usec
        seconds, usec = divmod(self.usec, 1_000_000)
        self.out.write(struct.pack("<IIII", 1700000000 + seconds, usec, len(frame), len(frame)))
        self.out.write(frame)
        self.frames += 1
        self.bytes_written += 16 + len(frame)


class Connection:
    """One TCP connection; writes its frames with consistent seq/ack numbers."""

    def __init__(self, writer, rng, family, client_ip, client_port, server_ip, server_port):
        self.writer = writer
        self.rng = rng
        self.family = family
        self.ends = ((client_ip, client_port), (server_ip, server_port))
        self.seq = [rng.getrandbits(32), rng.getrandbits(32)]  # next sequence number per side
        self.unacked = [0, 0]  # data segments sent by a side since the other side's last ACK
        self.retransmissions = 0

    def _frame(self, side, flags, seq, ack, payload):
        (src, sport), (dst, dport) = self.ends[side], self.ends[1 - side]
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        if self.family == 4:
            ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000,
                                       64, 6, 0, src, dst))
            struct.pack_into("!H", ip, 10, ipv4_checksum(bytes(ip)))
            ethertype = b"\x08\x00"
        else:
            ip = struct.pack("!IHBB16s16s", 6 << 28, 20 + len(payload), 6, 64, src, dst)
            ethertype = b"\x86\xdd"
        macs = MAC_SERVER + MAC_CLIENT if side == 0 else MAC_CLIENT + MAC_SERVER
        return b"".join((macs, ethertype, bytes(ip), tcp, payload))

    def _ack_number(self, side):
        return self.seq[1 - side]

    def handshake(self):
        self.writer.write(self._frame(0, 0x02, self.seq[0], 0, b""), 1000)
        self.seq[0] += 1
        self.writer.write(self._frame(1, 0x12, self.seq[1], self.seq[0], b""), 40)
        self.seq[1] += 1
        self.writer.write(self._frame(0, 0x10, self.seq[0], self.seq[1], b""), 20)

    def send(self, side, data):
        """Sends stream bytes from one side, MSS-segmented, with delayed ACKs."""
        mss = MSS[self.family]
        for offset in range(0, len(data), mss):
            segment = data[offset:offset + mss]
            frame = self._frame(side, 0x18, self.seq[side], self._ack_number(side), segment)
            self.writer.write(frame, self.rng.randrange(5, 60))
            if self.rng.random() < RETRANSMIT_PROBABILITY:
                self.writer.write(frame, self.rng.randrange(200, 400))
                self.retransmissions += 1
            self.seq[side] += len(segment)
            self.unacked[side] += 1
            if self.unacked[side] >= 2:
                self.ack(1 - side)

    def ack(self, side):
        self.writer.write(self._frame(side, 0x10, self.seq[side], self._ack_number(side), b""), 10)
        self.unacked[1 - side] = 0

    def close(self):
        for side in (0, 1):
            if self.unacked[1 - side]:
                self.ack(side)
        self.writer.write(self._frame(0, 0x11, self.seq[0], self.seq[1], b""), 100)
        self.seq[0] += 1
        self.writer.write(self._frame(1, 0x11, self.seq[1], self.seq[0], b""), 40)
        self.seq[1] += 1
        self.writer.write(self._frame(0, 0x10, self.seq[0], self.seq[1], b""), 20)


class Tls:
    """Builds TLS records; ciphertext is random bytes from a seeded pool."""

    def __init__(self, rng):
        self.rng = rng
        self.pool = rng.randbytes(POOL_SIZE)

    def random_bytes(self, length):
        start = self.rng.randrange(POOL_SIZE - length)
        return self.pool[start:start + length]

    @staticmethod
    def record(content_type, body):
        return struct.pack("!BHH", content_type, 0x0303, len(body)) + body

    @staticmethod
    def handshake_message(kind, body):
        return struct.pack("!B", kind) + len(body).to_bytes(3, "big") + body

    @staticmethod
    def extension(kind, body):
        return struct.pack("!HH", kind, len(body)) + body

    def client_hello(self, server_name, tls13):
        name = server_name.encode()
        sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
        extensions = [self.extension(0, sni),
                      self.extension(10, struct.pack("!HHH", 4, 0x001D, 0x0017)),
                      self.extension(13, struct.pack("!HHHH", 6, 0x0403, 0x0804, 0x0401))]
        if tls13:
            extensions.append(self.extension(43, struct.pack("!BHH", 4, 0x0304, 0x0303)))
            key_share = struct.pack("!HH", 0x001D, 32) + self.random_bytes(32)
            extensions.append(self.extension(51, struct.pack("!H", len(key_share)) + key_share))
        suites = struct.pack("!HHHHH", 8, 0x1301, 0x1302, 0xC02F, 0xC030)
        body = (struct.pack("!H", 0x0303) + self.random_bytes(32) + b"\x20" + self.random_bytes(32)
                + suites + b"\x01\x00")
        extension_bytes = b"".join(extensions)
        body += struct.pack("!H", len(extension_bytes)) + extension_bytes
        # The ClientHello record says TLS 1.0, as real clients do.
        return struct.pack("!BHH", 22, 0x0301, len(body) + 4) + self.handshake_message(1, body)

    def server_hello(self, tls13, session_id):
        if tls13:
            key_share = struct.pack("!HH", 0x001D, 32) + self.random_bytes(32)
            extensions = (self.extension(43, struct.pack("!H", 0x0304))
                          + self.extension(51, key_share))
            suite = 0x1301
        else:
            extensions = self.extension(0xFF01, b"\x00")
            suite = 0xC02F
        body = (struct.pack("!H", 0x0303) + self.random_bytes(32) + b"\x20" + session_id
                + struct.pack("!HB", suite, 0) + struct.pack("!H", len(extensions)) + extensions)
        message = self.handshake_message(2, body)
        if not tls13:
            message += self.handshake_message(14, b"")  # ServerHelloDone
        return self.record(22, message)

    def application_data(self, length, max_fragment):
        """Records of random ciphertext carrying `length` bytes in all."""
        records = []
        while length > 0:
            fragment = min(length, max_fragment)
            records.append(self.record(23, self.random_bytes(fragment)))
            length -= fragment
        return b"".join(records)


def max_fragment(tls13):
    return 16384 + (17 if tls13 else 24)  # plaintext limit plus AEAD expansion


def handshake_and_request(tls, tls13, server_name, request):
    """What both sides send before the response, as (side, bytes) in order."""
    ccs = Tls.record(20, b"\x01")
    client_hello = tls.client_hello(server_name, tls13)
    server_flight = tls.server_hello(tls13, tls.random_bytes(32)) + ccs
    if tls13:
        server_flight += tls.application_data(tls.rng.randrange(1500, 4500), max_fragment(tls13))
        client_finish = ccs + tls.record(23, tls.random_bytes(53))
    else:
        key_exchange = tls.handshake_message(16, b"\x20" + tls.random_bytes(32))
        client_finish = tls.record(22, key_exchange) + ccs + tls.record(22, tls.random_bytes(40))
        server_flight += tls.record(22, tls.random_bytes(40))
    return [(0, client_hello), (1, server_flight),
            (0, client_finish + tls.application_data(request, max_fragment(tls13)))]


def close_notify(tls, tls13):
    # An encrypted alert: type 21 under TLS 1.2, disguised as application data under 1.3.
    return tls.record(23, tls.random_bytes(19)) if tls13 else tls.record(21, tls.random_bytes(26))


def addresses(rng, index):
    if rng.random() < 0.3:
        client = bytes.fromhex("fd000000000000000000") + index.to_bytes(6, "big")
        server = bytes.fromhex("fd000000000000000000000000000100")
        server = server[:15] + bytes([1 + index % 7])
        return 6, client, server
    client = bytes([10, 1 + (index >> 16) % 250, (index >> 8) & 0xFF, 1 + index % 250])
    server = bytes([192, 0, 2, 1 + index % 7])
    return 4, client, server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--size", default="500M", help="target file size (K/M/G suffixes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=("mixed", "short", "single"), default="mixed")
    parser.add_argument("--sessions", type=int, help="number of sessions (profile short)")
    parser.add_argument("--manifest")
    parser.add_argument("--no-per-session", action="store_true")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    tls = Tls(rng)
    target = parse_size(args.size) if args.sessions is None else None
    out = sys.stdout.buffer if args.out == "-" else open(args.out, "wb", buffering=1 << 20)
    writer = PcapWriter(out)
    started = time.monotonic()
    sessions = []
    totals = [0, 0]
    retransmissions = 0
    index = 0
    while (target is None and index < args.sessions) or (target is not None and writer.bytes_written < target):
        family, client_ip, server_ip = addresses(rng, index)
        tls13 = rng.random() < 0.5
        client_port = 1024 + (index * 7919) % 64000
        if args.profile == "mixed":
            request, response = rng.randrange(100, 600), int(2 ** rng.uniform(10, 20))
        elif args.profile == "short":
            request, response = rng.randrange(100, 300), rng.randrange(500, 3000)
        else:  # single: one response filling the target size
            request, response = 200, max(0, target - writer.bytes_written - 20000)
        connection = Connection(writer, rng, family, client_ip, client_port, server_ip, 443)
        connection.handshake()
        sent = [0, 0]

        def send(side, data):
            connection.send(side, data)
            sent[side] += len(data)

        for side, data in handshake_and_request(tls, tls13, "s%d.example.com" % index, request):
            send(side, data)
        # The response, made and sent in pieces so that memory stays flat.
        piece_size = 64 * max_fragment(tls13)
        for offset in range(0, response, piece_size):
            send(1, tls.application_data(min(piece_size, response - offset), max_fragment(tls13)))
        send(0, close_notify(tls, tls13))
        connection.close()
        retransmissions += connection.retransmissions
        totals[0] += sent[0]
        totals[1] += sent[1]
        ip_text = (lambda a: ".".join(map(str, a))) if family == 4 else (lambda a: a.hex())
        sessions.append({"client": "%s:%d" % (ip_text(client_ip), client_port),
                         "server": "%s:%d" % (ip_text(server_ip), 443),
                         "version": "TLS 1.3" if tls13 else "TLS 1.2",
                         "tx": sent[0], "rx": sent[1]})
        index += 1
        if args.profile == "single":
            break
    out.flush()
    if out is not sys.stdout.buffer:
        out.close()
    seconds = time.monotonic() - started
    if args.manifest:
        manifest = {"seed": args.seed, "profile": args.profile, "frames": writer.frames,
                    "bytes_written": writer.bytes_written, "sessions": len(sessions),
                    "tls_bytes_client_to_server": totals[0], "tls_bytes_server_to_client": totals[1],
                    "retransmitted_segments": retransmissions}
        if not args.no_per_session:
            manifest["per_session"] = sessions
        with open(args.manifest, "w") as f:
            json.dump(manifest, f)
    print("synth_capture: %d sessions, %d frames, %d bytes in %.1f s (%.0f MB/s)"
          % (len(sessions), writer.frames, writer.bytes_written, seconds,
             writer.bytes_written / max(seconds, 1e-9) / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
