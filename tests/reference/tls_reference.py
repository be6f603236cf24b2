#!/usr/bin/python3
"""An independent implementation of tlsdist's definitions, used by the tests
as the expected figures. It shares no code and no dissection with the plugin:
it reads pcap/pcapng itself, parses IP and TCP with python3-dpkt, collects
every TCP segment of each connection side and applies the rules of
doc/tcp-accounting.md at the end of the file (sequence origin, strays, the
stream in sequence order, where TLS begins, framing, hellos, roles, and the
per-frame attribution), and parses the hellos itself.

    /usr/bin/python3 tls_reference.py CAPTURE [--per-frame]

prints JSON: packets, tls_packets, sessions (and frames with --per-frame).
See README.md for the simplifications.
"""

import bisect
import collections
import hashlib
import ipaddress
import json
import struct
import sys

import dpkt

VERSION_NAMES = {0x0002: "SSL 2.0", 0x0300: "SSL 3.0", 0x0301: "TLS 1.0",
                 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3",
                 0xFEFF: "DTLS 1.0", 0xFEFD: "DTLS 1.2", 0xFEFC: "DTLS 1.3"}


def tls13_draft(v):
    """The draft number of a TLS 1.3 draft version (Facebook's too), else None."""
    if 0x7F0E <= v <= 0x7F1C:
        return v - 0x7F00
    return {0xFB17: 23, 0xFB1A: 26}.get(v)


def is_tls13_family(v):
    return v == 0x0304 or (v is not None and tls13_draft(v) is not None)


def version_name(v):
    draft = tls13_draft(v)
    if draft is not None:
        return "TLS 1.3 (%sdraft %d)" % ("Facebook " if v >> 8 == 0xFB else "", draft)
    return VERSION_NAMES.get(v, "0x%04x" % v)


def version_order(v):
    """Rank for the highest version offered: a TLS 1.3 draft ranks above 1.2
    and below the final 1.3."""
    draft = tls13_draft(v)
    if draft is not None:
        return 5 + draft / 100
    return ja4_version_order(v)


def ja4_version_order(v):
    """The ranking JA4 uses (the drafts are not versions JA4 knows)."""
    return {0x0002: 1}.get(v, v - 0x0300 + 2 if 0x0300 <= v <= 0x0304 else 0)


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


# ---------------------------------------------------------------- capture files

def read_frames(path):
    """Yields (timestamp as (sec, nsec), linktype, captured bytes, wire length)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from read_pcapng(data)
    elif magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        yield from read_pcap(data)
    else:
        raise SystemExit("not a pcap or pcapng file: " + path)


def read_pcap(data):
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    offset = 24
    while offset < len(data):
        if offset + 16 > len(data):
            print("warning: capture cut short in a record header", file=sys.stderr)
            return
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", data[offset:offset + 16])
        if offset + 16 + caplen > len(data):
            print("warning: capture cut short in the middle of a packet", file=sys.stderr)
            return
        yield (sec, frac if nano else frac * 1000), linktype, data[offset + 16:offset + 16 + caplen], wirelen
        offset += 16 + caplen


def read_pcapng(data):
    endian = "<"
    interfaces = []  # (linktype, ticks per second)
    offset = 0
    while offset + 12 <= len(data):
        if data[offset:offset + 4] == b"\x0a\x0d\x0d\x0a":
            endian = "<" if data[offset + 8:offset + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            interfaces = []
        block_type, length = struct.unpack(endian + "II", data[offset:offset + 8])
        if length < 12 or offset + length > len(data):
            print("warning: capture cut short in a block", file=sys.stderr)
            return
        body = data[offset + 8:offset + length - 4]
        if block_type == 1:  # interface description
            linktype = struct.unpack(endian + "H", body[:2])[0]
            resolution = 10 ** 6
            options = body[8:]
            while len(options) >= 4:
                code, olen = struct.unpack(endian + "HH", options[:4])
                if code == 0:
                    break
                if code == 9:  # if_tsresol
                    r = options[4]
                    resolution = 2 ** (r & 0x7F) if r & 0x80 else 10 ** r
                options = options[4 + ((olen + 3) & ~3):]
            interfaces.append((linktype, resolution))
        elif block_type == 6:  # enhanced packet
            iface, high, low, caplen, wirelen = struct.unpack(endian + "IIIII", body[:20])
            linktype, resolution = interfaces[iface]
            ticks = (high << 32) | low
            sec, rest = divmod(ticks, resolution)
            yield (sec, rest * 10 ** 9 // resolution), linktype, body[20:20 + caplen], wirelen
        elif block_type == 3:  # simple packet
            wirelen = struct.unpack(endian + "I", body[:4])[0]
            linktype, _ = interfaces[0]
            yield (0, 0), linktype, body[4:4 + wirelen], wirelen
        offset += length


# ----------------------------------------------------------------- link and IP

def network_layer(linktype, frame):
    """Returns (ip version, bytes from the IP header on) or None."""
    if linktype == 1:  # Ethernet, possibly VLAN-tagged
        ethertype, offset = struct.unpack(">H", frame[12:14])[0], 14
        while ethertype in (0x8100, 0x88A8) and len(frame) >= offset + 4:
            ethertype, offset = struct.unpack(">H", frame[offset + 2:offset + 4])[0], offset + 4
    elif linktype == 113:  # Linux cooked
        ethertype, offset = struct.unpack(">H", frame[14:16])[0], 16
    elif linktype == 276:  # Linux cooked v2
        ethertype, offset = struct.unpack(">H", frame[0:2])[0], 20
    elif linktype in (0, 108):  # BSD loopback: address family in host or network order
        family = struct.unpack("<I", frame[:4])[0]
        if family > 0xFFFF:
            family = struct.unpack(">I", frame[:4])[0]
        ethertype, offset = {2: 0x0800}.get(family, 0x86DD), 4
    elif linktype in (101, 12, 14, 228, 229):
        version = frame[0] >> 4 if frame else 0
        ethertype, offset = (0x0800 if version == 4 else 0x86DD), 0
    else:
        return None
    if ethertype == 0x0800:
        return 4, frame[offset:]
    if ethertype == 0x86DD:
        return 6, frame[offset:]
    return None


def tcp_segment(version, packet):
    """Returns (src ip, dst ip, dpkt TCP, captured payload, reported payload length) or None."""
    try:
        if version == 4:
            ip = dpkt.ip.IP(packet)
            fragment = struct.unpack(">H", packet[6:8])[0]
            if ip.p != dpkt.ip.IP_PROTO_TCP or fragment & 0x3FFF:  # more fragments / offset
                return None
            header = ip.hl * 4
            total = ip.len
            transport = packet[header:total]
            src, dst = ipaddress.ip_address(ip.src), ipaddress.ip_address(ip.dst)
        else:
            fixed = packet[:40]
            next_header, offset = fixed[6], 40
            total = 40 + struct.unpack(">H", fixed[4:6])[0]
            while next_header in (0, 43, 60):  # hop-by-hop, routing, destination options
                next_header, length = packet[offset], (packet[offset + 1] + 1) * 8
                offset += length
            if next_header != 6:
                return None
            transport = packet[offset:total]
            src, dst = ipaddress.ip_address(fixed[8:24]), ipaddress.ip_address(fixed[24:40])
            header = offset
        tcp = dpkt.tcp.TCP(transport[:max(20, (transport[12] >> 4) * 4)] if len(transport) >= 13 else transport)
    except (dpkt.UnpackError, IndexError, struct.error, ValueError):
        return None
    tcp_header = (transport[12] >> 4) * 4
    reported = total - header - tcp_header
    captured = transport[tcp_header:tcp_header + reported]
    return src, dst, tcp, captured, reported


# ----------------------------------------------------------------- TLS parsing

def looks_like_tls_start(payload):
    """doc/tcp-accounting.md section 5, on a segment's own captured payload:
    a record header (type 20..24, major version 3, minor <= 4, length
    1..18432) or an SSLv2-format ClientHello (high bit, type 1, version major
    0, 2 or 3)."""
    if len(payload) >= 5 and 20 <= payload[0] <= 24 and payload[1] == 3 and payload[2] <= 4:
        length = struct.unpack(">H", payload[3:5])[0]
        return 0 < length <= 18432
    if len(payload) >= 4 and payload[0] & 0x80 and payload[2] == 1 and payload[3] in (0, 2, 3):
        return True
    return False


def parse_hellos(stream):
    """Handshake facts of one direction's TLS bytes in sequence order (the
    contiguous bytes from where TLS begins): list of ("client", versions
    offered, details) / ("server", selected, details). Stops at a record
    header that is not one (as the framing does)."""
    facts = []
    if len(stream) >= 5 and stream[0] & 0x80 and stream[2] == 1:  # SSLv2 ClientHello
        facts.append(("client", [struct.unpack(">H", stream[3:5])[0]], None))
        length = ((stream[0] & 0x7F) << 8) | stream[1]
        stream = stream[2 + length:]
    handshake = []
    offset = 0
    encrypted = False
    retry_sent = False  # this side sent a HelloRetryRequest
    while offset + 5 <= len(stream):
        content_type = stream[offset]
        if content_type not in RECORD_KINDS or stream[offset + 1] != 3:
            break
        length = struct.unpack(">H", stream[offset + 3:offset + 5])[0]
        fragment = stream[offset + 5:offset + 5 + length]
        offset += 5 + length
        if content_type == 20:  # ChangeCipherSpec: what follows is encrypted...
            encrypted = True
        elif content_type == 22 and not encrypted:
            handshake.append(fragment)
            retry_sent |= fragment[:1] == b"\x02" and fragment[6:38] == HELLO_RETRY_REQUEST_RANDOM
        elif (content_type == 22 and len(fragment) >= 4 and (fragment[0] == 1 or fragment[0] == 2 and retry_sent)
              and int.from_bytes(fragment[1:4], "big") + 4 == len(fragment)):
            # ...except a whole ClientHello after TLS 1.3's compatibility
            # ChangeCipherSpec (the retry after a HelloRetryRequest), and the
            # whole ServerHello that answers it.
            handshake.append(fragment)
        elif encrypted:
            break
    handshake = b"".join(handshake)
    at = 0
    while at + 4 <= len(handshake):
        msg_type = handshake[at]
        length = int.from_bytes(handshake[at + 1:at + 4], "big")
        body = handshake[at + 4:at + 4 + length]
        at += 4 + length
        if len(body) < length:
            break  # a message the capture does not hold whole (a hole in it): not a hello
        if msg_type in (1, 2) and len(body) >= 38:
            facts.append(hello_facts(msg_type, body))
    return facts


def not_grease(values):
    return [v for v in values if not is_grease(v)]


def u16_list(data):
    return [struct.unpack(">H", data[i:i + 2])[0] for i in range(0, len(data) - 1, 2)]


def ja3_hash(*fields):
    """JA3/JA3S as published by Salesforce: decimal values joined by "-",
    fields by ",", MD5 in hex."""
    text = ",".join("-".join(str(v) for v in f) if isinstance(f, list) else str(f) for f in fields)
    return hashlib.md5(text.encode()).hexdigest()


JA4_VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
                0xFEFC: "d3", 0xFEFD: "d2", 0xFEFF: "d1"}


def ja4_hash12(text):
    return hashlib.sha256(text.encode()).hexdigest()[:12] if text else "000000000000"


def ja4(versions, suites, extensions, alpn_first, signature_algorithms, server_name_present, dtls=False):
    """JA4 of a ClientHello over TCP, as FoxIO publishes it (JA4 specification,
    github.com/FoxIO-LLC/ja4, technical_details/JA4.md): t, version (highest
    supported_versions entry, else the hello's), d/i (SNI or not), cipher and
    extension counts (GREASE excluded, at most 99), first and last character
    of the first ALPN value (00 without); then the first 12 hex digits of the
    SHA-256 of the sorted cipher suites, and of the sorted extensions (SNI and
    ALPN left out) followed by "_" and the signature algorithms in order."""
    # (DTLS numbers its versions downwards: 0xfefc, 1.3, is the highest.)
    highest = max(not_grease(versions), default=0, key=dtls_version_order if dtls else ja4_version_order)
    version = JA4_VERSIONS.get(highest, "00")
    suites, extensions = not_grease(suites), not_grease(extensions)
    if not alpn_first:
        alpn = "00"
    elif alpn_first[0].isascii() and alpn_first[0].isalnum() and alpn_first[-1].isascii() and alpn_first[-1].isalnum():
        alpn = alpn_first[0] + alpn_first[-1]
    else:
        alpn = alpn_first.encode("latin-1")[:1].hex()[0] + alpn_first.encode("latin-1")[-1:].hex()[-1]
    part_a = "%s%s%s%02d%02d%s" % ("d" if dtls else "t", version, "d" if server_name_present else "i",
                                  min(len(suites), 99), min(len(extensions), 99), alpn)
    part_b = ja4_hash12(",".join("%04x" % v for v in sorted(suites)))
    listed = ",".join("%04x" % v for v in sorted(e for e in extensions if e not in (0, 16)))
    if listed and signature_algorithms:
        listed += "_" + ",".join("%04x" % v for v in signature_algorithms)
    return "%s_%s_%s" % (part_a, part_b, ja4_hash12(listed))


# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
HELLO_RETRY_REQUEST_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()


def hello_facts(msg_type, body, dtls=False):
    """(kind, versions offered or version selected, details: server_name,
    alpn, cipher_suite number, ja3)."""
    legacy = struct.unpack(">H", body[:2])[0]
    offset = 34
    early_draft = msg_type == 2 and 0x7F0E <= legacy <= 0x7F15
    if early_draft:
        # A ServerHello of TLS 1.3 drafts 14..21: version, random, cipher
        # suite, extensions (no session id, no compression method).
        session_id = ""
        suites = [struct.unpack(">H", body[offset:offset + 2])[0]]
        offset += 2
    else:
        session_id = body[offset + 1:offset + 1 + body[offset]].hex()
        offset += 1 + body[offset]
    if dtls and msg_type == 1:  # DTLS ClientHello: the cookie follows the session id
        offset += 1 + body[offset]
    if msg_type == 1:
        suites_length = struct.unpack(">H", body[offset:offset + 2])[0]
        suites = u16_list(body[offset + 2:offset + 2 + suites_length])
        offset += 2 + suites_length
        compressions = body[offset]
        offset += 1 + compressions
    elif not early_draft:
        suites = [struct.unpack(">H", body[offset:offset + 2])[0]]
        offset += 3  # cipher suite, compression method
    supported = []
    extensions, curves, point_formats, alpn, server_name = [], [], [], [], ""
    signature_algorithms = []
    if offset + 2 <= len(body):
        end = offset + 2 + struct.unpack(">H", body[offset:offset + 2])[0]
        offset += 2
        while offset + 4 <= min(end, len(body)):
            ext_type, ext_len = struct.unpack(">HH", body[offset:offset + 4])
            data = body[offset + 4:offset + 4 + ext_len]
            offset += 4 + ext_len
            extensions.append(ext_type)
            if ext_type == 43:
                if msg_type == 1:
                    supported = [struct.unpack(">H", data[i:i + 2])[0] for i in range(1, 1 + data[0], 2)]
                else:
                    supported = [struct.unpack(">H", data[:2])[0]]
            elif ext_type == 0 and len(data) >= 5 and data[2] == 0:  # server_name, host_name
                name_length = struct.unpack(">H", data[3:5])[0]
                server_name = data[5:5 + name_length].decode("ascii", "replace")
            elif ext_type == 16 and len(data) >= 2:  # ALPN
                i = 2
                while i < len(data):
                    alpn.append(data[i + 1:i + 1 + data[i]].decode("ascii", "replace"))
                    i += 1 + data[i]
            elif ext_type == 10 and len(data) >= 2:  # supported_groups
                curves = u16_list(data[2:2 + struct.unpack(">H", data[:2])[0]])
            elif ext_type == 11 and len(data) >= 1:  # ec_point_formats
                point_formats = list(data[1:1 + data[0]])
            elif ext_type == 13 and len(data) >= 2:  # signature_algorithms
                signature_algorithms = u16_list(data[2:2 + struct.unpack(">H", data[:2])[0]])
    details = {"alpn": ",".join(alpn), "session_id": session_id, "pre_shared_key": 41 in extensions,
               "hello_retry_request": msg_type == 2 and body[2:34] == HELLO_RETRY_REQUEST_RANDOM}
    if msg_type == 1:
        offered = [v for v in supported if not is_grease(v)]
        details["server_name"] = server_name
        details["ja3"] = ja3_hash(legacy, not_grease(suites), not_grease(extensions),
                                  not_grease(curves), point_formats)
        details["ja4"] = ja4(supported or [legacy], suites, extensions, alpn[0] if alpn else "",
                             signature_algorithms, 0 in extensions, dtls)
        return ("client", offered or [legacy], details)
    details["cipher_suite"] = suites[0]
    details["ja3s"] = ja3_hash(legacy, suites[0], extensions)
    return ("server", supported[0] if supported else legacy, details)


# ------------------------------------------------------------ record framing

RECORD_KINDS = {20: "change_cipher_spec", 21: "alert", 22: "handshake",
                23: "application_data", 24: "heartbeat"}
CONTENT_KINDS = ["handshake", "change_cipher_spec", "alert", "application_data", "heartbeat", "unframed"]
SCOPES = {"appdata": "application_data", "handshake": "handshake"}


class RecordProgress:
    """What one side's records show of its handshake: a ChangeCipherSpec, a
    record after it, an application_data record."""

    def __init__(self):
        self.change_cipher_spec = self.after_change_cipher_spec = self.application_data = False
        self.unframed = False

    def see(self, kind):
        self.unframed |= kind == "unframed"
        if kind == "change_cipher_spec":
            self.change_cipher_spec = True
        elif self.change_cipher_spec and kind != "unframed":
            self.after_change_cipher_spec = True
        if kind == "application_data":
            self.application_data = True


def handshake_completed(hello_seen, selected, client, server):
    """yes/no/"" (see README: TLS 1.3 by application_data on both sides,
    earlier versions by a record after each side's ChangeCipherSpec; "" when
    that is not seen but a side's records could not all be framed)."""
    if not hello_seen and selected is None:
        return ""
    if selected is None:
        return "no"
    if is_tls13_family(selected) or selected == 0xFEFC:
        done = client.application_data and server.application_data
    else:
        done = client.after_change_cipher_spec and server.after_change_cipher_spec
    return "yes" if done else "" if client.unframed or server.unframed else "no"


# ------------------------------------------------------------------- DTLS

def split_dtls(datagram):
    """[(kind, is_fragment, bytes)] of one datagram's DTLS records: 13-byte
    headers (type, version 0xfe.., epoch, sequence number, length), DTLS 1.3
    unified headers as application_data; unframed from the first byte that
    does not start a whole record."""
    out, at = [], 0
    while at < len(datagram):
        first = datagram[at]
        if first & 0xE0 == 0x20:  # unified header 001CSLEE
            if first & 0x10:
                break
            header = 1 + (2 if first & 0x08 else 1) + (2 if first & 0x04 else 0)
            if at + header > len(datagram):
                break
            length = (struct.unpack(">H", datagram[at + header - 2:at + header])[0] if first & 0x04
                      else len(datagram) - at - header)
            kind = "application_data"
        else:
            header = 13
            if first not in RECORD_KINDS or at + header > len(datagram) or datagram[at + 1] != 0xFE:
                break
            length = struct.unpack(">H", datagram[at + 11:at + 13])[0]
            kind = RECORD_KINDS[first]
        if at + header + length > len(datagram):
            break
        out.append((kind, False, datagram[at:at + header]))
        if length:
            out.append((kind, True, datagram[at + header:at + header + length]))
        at += header + length
    if at < len(datagram):
        out.append(("unframed", False, datagram[at:]))
    return out


def looks_like_dtls(payload):
    """A datagram that starts a DTLS conversation: a handshake record (epoch
    0) holding a ClientHello, ServerHello or HelloVerifyRequest, as
    Wireshark's DTLS heuristic asks; other traffic on random ports can start
    with bytes that look like a record header."""
    return (len(payload) >= 14 and payload[0] == 22 and payload[1] == 0xFE
            and payload[3:5] == b"\x00\x00" and payload[13] in (1, 2, 3))


class DtlsSide:
    """One direction of a DTLS conversation."""

    def __init__(self):
        self.frames = 0
        self.wire = 0
        self.counted = 0
        self.hist = [0] * 256
        self.content = dict.fromkeys(CONTENT_KINDS, 0)
        self.scoped = {scope: [0] * 256 for scope in SCOPES}
        self.messages = {}   # message_seq -> [type, length, {offset: bytes}] (epoch 0 handshake)
        self.complete = []   # (type, body) of whole handshake messages, in order
        self.progress = RecordProgress()

    def add(self, payload):
        """Counts a DTLS datagram; returns its per-scope distributions."""
        frame_scoped = {}
        self.counted += len(payload)
        for byte in payload:
            self.hist[byte] += 1
        for kind, fragment, part in split_dtls(payload):
            self.progress.see(kind)
            self.content[kind] += len(part)
            for scope, scoped_kind in SCOPES.items():
                if fragment and kind == scoped_kind:
                    counts = frame_scoped.setdefault(scope, [0] * 256)
                    for byte in part:
                        self.scoped[scope][byte] += 1
                        counts[byte] += 1
        at = 0
        while at + 13 <= len(payload) and payload[at] in RECORD_KINDS and payload[at + 1] == 0xFE:
            epoch = struct.unpack(">H", payload[at + 3:at + 5])[0]
            length = struct.unpack(">H", payload[at + 11:at + 13])[0]
            if payload[at] == 22 and epoch == 0:
                self.take_handshake(payload[at + 13:at + 13 + length])
            at += 13 + length
        return frame_scoped

    def take_handshake(self, record):
        while len(record) >= 12:
            msg_type, length = record[0], int.from_bytes(record[1:4], "big")
            seq = struct.unpack(">H", record[4:6])[0]
            offset, size = int.from_bytes(record[6:9], "big"), int.from_bytes(record[9:12], "big")
            message = self.messages.setdefault(seq, [msg_type, length, {}, False])
            message[2][offset] = record[12:12 + size]
            body, cursor = b"", 0
            for start in sorted(message[2]):
                if start > cursor:
                    break
                body += message[2][start][cursor - start:]
                cursor = len(body)
            if not message[3] and len(body) >= length:
                message[3] = True
                self.complete.append((msg_type, body[:length]))
            record = record[12 + size:]


class DtlsConversation:
    def __init__(self, stream, first_src):
        self.stream = stream
        self.first_src = first_src
        self.sides = {}
        self.first_time = None
        self.last_time = None
        self.dtls = False

    def side(self, src):
        return self.sides.setdefault(src, DtlsSide())


def settled_server_hello(kept, details):
    """The ServerHello whose details a session reports: the first one, but a
    HelloRetryRequest only until the ServerHello that follows it."""
    return details if kept is None or kept["hello_retry_request"] else kept


def dtls_session(c, other_end):
    """The session figures of a DTLS conversation, as for TLS over TCP."""
    hello_sender, offered, selected = None, [], None
    client_details, server_details, client_hellos = None, None, 0
    for src, side in c.sides.items():
        for msg_type, body in side.complete:
            if msg_type not in (1, 2) or len(body) < 38:
                continue
            kind, value, details = hello_facts(msg_type, body, dtls=True)
            if kind == "client":
                client_hellos += 1
                hello_sender = hello_sender or src
                offered += value
                client_details = client_details or details
            else:
                if selected is None:
                    selected = value
                server_details = settled_server_hello(server_details, details)
    client = hello_sender or c.first_src
    server = next((s for s in c.sides if s != client), other_end)
    if selected is not None:
        version = version_name(selected)
    elif offered:
        version = version_name(max(offered, key=dtls_version_order)) + " (offered)"
    else:
        version = "unknown"
    resumption = ""
    if server_details is not None and not server_details["hello_retry_request"]:
        resumed = server_details["pre_shared_key"] if selected == 0xFEFC else (
            bool(server_details["session_id"]) and client_details is not None
            and server_details["session_id"] == client_details["session_id"])
        resumption = "resumed" if resumed else "full"
    tx, rx = c.sides.get(client, DtlsSide()), c.sides.get(server, DtlsSide())
    return {
        "stream": c.stream, "first_frame": c.first_frame, "transport": "udp", "client_ip": client[0], "client_port": client[1],
        "server_ip": server[0], "server_port": server[1], "version": version,
        "start": c.first_time, "duration": c.last_time - c.first_time,
        "tx_bytes": tx.counted, "rx_bytes": rx.counted,
        "tx_frames": tx.frames, "rx_frames": rx.frames, "tx_wire": tx.wire, "rx_wire": rx.wire,
        "tx_missed": 0, "rx_missed": 0, "tx_hist": tx.hist, "rx_hist": rx.hist,
        "tx_content": tx.content, "rx_content": rx.content, "tx_before_tls": 0, "rx_before_tls": 0,
        "tx_scoped": tx.scoped, "rx_scoped": rx.scoped,
        "resumption": resumption, "client_hellos": client_hellos,
        "handshake_completed": handshake_completed(hello_sender is not None, selected, tx.progress, rx.progress),
        "client_hello": client_details, "server_hello": server_details}


def dtls_version_order(v):
    return 0xFEFF - v + 2 if 0xFEFC <= v <= 0xFEFF else 0


def udp_datagram(version, packet):
    """Returns (src ip, dst ip, src port, dst port, captured payload) or None."""
    try:
        if version == 4:
            ip = dpkt.ip.IP(packet)
            fragment = struct.unpack(">H", packet[6:8])[0]
            if ip.p != 17 or fragment & 0x3FFF:
                return None
            transport = packet[ip.hl * 4:ip.len]
            src, dst = ipaddress.ip_address(ip.src), ipaddress.ip_address(ip.dst)
        else:
            next_header, offset = packet[6], 40
            total = 40 + struct.unpack(">H", packet[4:6])[0]
            while next_header in (0, 43, 60):
                next_header, offset = packet[offset], offset + (packet[offset + 1] + 1) * 8
            if next_header != 17:
                return None
            transport = packet[offset:total]
            src, dst = ipaddress.ip_address(packet[8:24]), ipaddress.ip_address(packet[24:40])
        sport, dport, length = struct.unpack(">HHH", transport[:6])
    except (dpkt.UnpackError, IndexError, struct.error, ValueError):
        return None
    return src, dst, sport, dport, transport[8:length]


# ------------------------------------------------------------ TCP sides
#
# doc/tcp-accounting.md is the contract. Every segment of a connection side
# is collected first; the figures are computed at the end of the file from
# the segments in sequence order, so that they do not depend on the order in
# which the capture holds them (only the per-frame attribution, section 8,
# replays the capture order).

MOD32 = 1 << 32
STRAY_GAP = 1 << 24


class Segment:
    """One TCP segment as captured."""
    __slots__ = ("frame", "seq", "ack", "flags", "payload", "reported")

    def __init__(self, frame, seq, ack, flags, payload, reported):
        self.frame = frame          # frame number (capture order)
        self.seq = seq
        self.ack = ack
        self.flags = flags
        self.payload = payload      # captured payload
        self.reported = reported    # payload length the IP header reports

    def data_seq(self):
        """Sequence number of the first payload byte (a SYN occupies one)."""
        return (self.seq + 1) % MOD32 if self.flags & dpkt.tcp.TH_SYN else self.seq


class Placed:
    """An in-window data segment at its stream position (origin = 0)."""
    __slots__ = ("start", "end", "payload", "frame", "clipped")

    def __init__(self, start, end, payload, frame, clipped=False):
        self.start = start          # position of payload[0]
        self.end = end              # position after the last reported byte
        self.payload = payload      # captured bytes from `start` on
        self.frame = frame
        self.clipped = clipped      # began before the origin: its own start is not in the stream


class Ranges:
    """Sorted, disjoint, non-adjacent [start, end) ranges."""

    def __init__(self):
        self.starts = []
        self.ends = []

    def add(self, a, b):
        """Adds [a, b); returns the parts of it that were not covered yet."""
        if b <= a:
            return []
        i = bisect.bisect_left(self.ends, a)
        j, cursor, low, high, new = i, a, a, b, []
        while j < len(self.starts) and self.starts[j] <= b:
            s, e = self.starts[j], self.ends[j]
            if s > cursor:
                new.append((cursor, min(s, b)))
            cursor = max(cursor, e)
            low, high = min(low, s), max(high, e)
            j += 1
        if cursor < b:
            new.append((cursor, b))
        self.starts[i:j] = [low]
        self.ends[i:j] = [high]
        return new

    def run_end(self, position):
        """End of the covered run that contains `position` (itself if none does)."""
        i = bisect.bisect_right(self.starts, position) - 1
        return self.ends[i] if i >= 0 and self.ends[i] > position else position


def byte_counts(data, into):
    for value, n in collections.Counter(data).items():
        into[value] += n


def walk_records(data):
    """Frames a side's contiguous TLS bytes (from where TLS begins, up to the
    first hole) record by record. Returns ([(offset, end, kind, is_fragment)],
    framed length): 5-byte headers with content type 20..24 and major
    version 3; an SSLv2 2-byte header (high bit set) for the first record
    only. Framing stops at the first header that fails the check: that
    header's bytes (its type byte too) and everything after are unframed."""
    out, i, n = [], 0, len(data)
    while i < n:
        first = data[i]
        if i == 0 and first & 0x80:
            header = min(2, n)
            out.append((0, header, "handshake", False))
            if header < 2:
                return out, header
            length = ((first & 0x7F) << 8) | data[1]
            kind = "handshake"
        else:
            if first not in RECORD_KINDS or (i + 1 < n and data[i + 1] != 3):
                return out, i
            kind = RECORD_KINDS[first]
            header = min(5, n - i)
            out.append((i, i + header, kind, False))
            if header < 5:
                return out, i + header
            length = (data[i + 3] << 8) | data[i + 4]
        i += header
        take = min(length, n - i)
        if take:
            out.append((i, i + take, kind, True))
            i += take
    return out, i


class Side:
    """One side (sender) of a TCP connection."""

    def __init__(self):
        self.frames = 0
        self.wire = 0
        self.segments = []       # every segment the side sent, in capture order
        self.tls_start = None    # p, a stream position
        self.counted = 0         # TLS bytes
        self.before = 0          # bytes before TLS
        self.missed_bytes = 0
        self.span = 0            # highest end of in-window data - origin
        self.hist = [0] * 256
        self.content = dict.fromkeys(CONTENT_KINDS, 0)
        self.scoped = {scope: [0] * 256 for scope in SCOPES}
        self.progress = RecordProgress()
        self.tls_prefix = b""    # contiguous TLS bytes from p (for the hellos)
        self.frame_figures = {}  # frame -> [tls bytes, hist, {scope: distribution}]

    def place(self, peer_acks):
        """Sections 2 and 3: the in-window data segments at their positions
        relative to the sequence origin."""
        origin = None
        for seg in self.segments:
            if seg.flags & dpkt.tcp.TH_SYN:
                isn1 = (seg.seq + 1) % MOD32
                if isn1 in peer_acks or (isn1 + seg.reported) % MOD32 in peer_acks:
                    origin = isn1
                    break
        data = [seg for seg in self.segments if seg.reported > 0]
        if not data:
            return []
        # Unwrap 32-bit sequence numbers: the candidate nearest the highest
        # position reached so far (moved only by steps up to 16 MiB, so that
        # a stray does not move it). Below 2 GiB per side this is the signed
        # 32-bit difference from the reference.
        reference = origin if origin is not None else data[0].data_seq()
        last, placed = 0, []
        for seg in data:
            d = (seg.data_seq() - reference) % MOD32
            u = d + (last - d + MOD32 // 2) // MOD32 * MOD32
            if last < u <= last + STRAY_GAP:
                last = u
            placed.append((u, seg))
        if origin is not None:
            window = []
            for u, seg in placed:
                end = u + seg.reported
                if end <= 0:
                    continue  # ends at or before the origin: a stray
                if u < 0:
                    window.append(Placed(0, end, seg.payload[-u:], seg.frame, clipped=True))
                else:
                    window.append(Placed(u, end, seg.payload, seg.frame))
            window.sort(key=lambda w: (w.start, w.frame))
            highest = 0
            for k, w in enumerate(window):
                if w.start > highest + STRAY_GAP:
                    return window[:k]  # this one and every one beyond: strays
                highest = max(highest, w.end)
            return window
        placed.sort(key=lambda x: (x[0], x[1].frame))
        clusters, highest = [], None
        for u, seg in placed:
            if highest is None or u > highest + STRAY_GAP:
                clusters.append([])
                highest = u
            clusters[-1].append((u, seg))
            highest = max(highest, u + seg.reported)
        # The cluster with the most captured payload bytes; on a tie the lowest.
        best = max(clusters, key=lambda c: (sum(len(seg.payload) for _, seg in c), -c[0][0]))
        base = best[0][0]
        return [Placed(u - base, u - base + seg.reported, seg.payload, seg.frame) for u, seg in best]

    def account(self, peer_acks):
        window = self.place(peer_acks)
        if not window:
            return
        highest_end = self.span = max(w.end for w in window)
        # Section 4: the stream; the first captured copy of each byte wins.
        in_capture_order = sorted(window, key=lambda w: w.frame)
        covered, pieces = Ranges(), []
        for w in in_capture_order:
            for a, b in covered.add(w.start, w.start + len(w.payload)):
                pieces.append((a, w.payload[a - w.start:b - w.start], w.frame))
        pieces.sort(key=lambda x: x[0])
        # Section 5: where TLS begins.
        starts = [w.start for w in window if not w.clipped and looks_like_tls_start(w.payload)]
        if not starts:
            self.before = highest_end
            return
        p = self.tls_start = min(starts)
        tls = []
        for a, data, frame in pieces:
            if a + len(data) > p:
                cut = max(p - a, 0)
                tls.append((a + cut, data[cut:], frame))
        self.counted = sum(len(data) for _, data, _ in tls)
        self.before = p
        self.missed_bytes = (highest_end - p) - self.counted
        # Section 6: framing in sequence order, up to the first hole.
        prefix, position = [], p
        for a, data, _ in tls:
            if a != position:
                break
            prefix.append(data)
            position += len(data)
        self.tls_prefix = b"".join(prefix)
        records, framed = walk_records(self.tls_prefix)
        for a, b, kind, _ in records:
            self.content[kind] += b - a
            self.progress.see(kind)
        self.content["unframed"] = self.counted - framed
        if self.content["unframed"]:
            self.progress.see("unframed")
        scoped = [(p + a, p + b, scope) for a, b, kind, fragment in records if fragment
                  for scope, scoped_kind in SCOPES.items() if kind == scoped_kind]
        # Section 8: the frame each TLS byte is attributed to.
        attributed, edge, seen = [], 0, Ranges()
        for w in in_capture_order:
            seen.add(w.start, w.start + len(w.payload))
            reached = seen.run_end(edge)
            if reached > edge:
                if reached > max(edge, p):
                    attributed.append((max(edge, p), reached, w.frame))
                edge = reached
        for a, data, frame in tls:  # behind a hole never filled: the first carrier
            begin = max(a, edge, p)
            if a + len(data) > begin:
                attributed.append((begin, a + len(data), frame))
        tls_starts = [a for a, _, _ in tls]
        scoped_starts = [a for a, _, _ in scoped]

        def bytes_at(a, b):
            i = bisect.bisect_right(tls_starts, a) - 1
            out = []
            while a < b:
                start, data, _ = tls[i]
                part = data[a - start:b - start]
                out.append(part)
                a += len(part)
                i += 1
            return b"".join(out)

        for a, b, frame in attributed:
            figures = self.frame_figures.setdefault(frame, [0, [0] * 256, {}])
            figures[0] += b - a
            byte_counts(bytes_at(a, b), figures[1])
            i = max(bisect.bisect_right(scoped_starts, a) - 1, 0)
            while i < len(scoped) and scoped[i][0] < b:
                sa, sb, scope = scoped[i]
                lo, hi = max(a, sa), min(b, sb)
                if lo < hi:
                    byte_counts(bytes_at(lo, hi), figures[2].setdefault(scope, [0] * 256))
                i += 1
        for tls_bytes, hist, frame_scoped in self.frame_figures.values():
            for v in range(256):
                self.hist[v] += hist[v]
            for scope, counts in frame_scoped.items():
                for v in range(256):
                    self.scoped[scope][v] += counts[v]

    def missed(self):
        return self.missed_bytes

    def before_tls(self):
        return self.before


class Connection:
    def __init__(self, stream, first_src, first_dst):
        self.stream = stream
        self.first_src = first_src
        self.first_dst = first_dst
        self.sides = {}
        self.first_time = None
        self.last_time = None
        self.syn_sender = None       # first SYN without ACK
        self.synack_receiver = None  # first SYN+ACK
        self.closed = False

    def side(self, src):
        return self.sides.setdefault(src, Side())


def tcp_session(c):
    """The session figures of a TCP connection where TLS begins (sections 1, 7)."""
    ends = [c.first_src, c.first_dst]
    facts = {end: parse_hellos(c.sides[end].tls_prefix) if end in c.sides else [] for end in ends}
    ch_sender = next((e for e in c.sides if any(kind == "client" for kind, _, _ in facts[e])), None)
    sh_sender = next((e for e in c.sides if any(kind == "server" for kind, _, _ in facts[e])), None)
    if c.syn_sender is not None:
        client = c.syn_sender
    elif c.synack_receiver is not None:
        client = c.synack_receiver
    elif ch_sender is not None:
        client = ch_sender
    elif sh_sender is not None:
        client = next(e for e in ends if e != sh_sender) if ends[0] != ends[1] else sh_sender
    elif ends[0][1] != ends[1][1]:
        client = max(ends, key=lambda e: e[1])
    else:
        client = c.first_src
    server = next((e for e in ends if e != client), client)
    offered, client_details, server_details, client_hellos = [], None, None, 0
    hello_seen = False
    for end in (client, server) if server != client else (client,):
        for kind, value, details in facts[end]:
            if kind == "client":
                client_hellos += 1
                hello_seen = True
                offered += value
    for end in (client, server):
        client_details = client_details or next((d for k, _, d in facts[end] if k == "client"), None)
    selected = None
    for end in (server, client):
        for kind, value, details in facts[end]:
            if kind == "server":
                if selected is None:
                    selected = value
                server_details = settled_server_hello(server_details, details)
    if selected is not None:
        version = version_name(selected)
    elif offered:
        version = version_name(max(offered, key=version_order)) + " (offered)"
    else:
        version = "unknown"
    resumption = ""
    if server_details is not None and not server_details["hello_retry_request"]:
        # TLS 1.3 (drafts too): a pre-shared key accepted; before: the session id echoed.
        if is_tls13_family(selected):
            resumed = server_details["pre_shared_key"]
        else:
            resumed = bool(server_details["session_id"]) and client_details is not None and \
                server_details["session_id"] == client_details["session_id"]
        resumption = "resumed" if resumed else "full"
    tx = c.sides.get(client, Side())
    rx = c.sides.get(server, Side()) if server != client else Side()
    return client, {
        "stream": c.stream, "first_frame": c.first_frame, "transport": "tcp", "client_ip": client[0], "client_port": client[1],
        "server_ip": server[0], "server_port": server[1], "version": version,
        "start": c.first_time, "duration": c.last_time - c.first_time,
        "tx_bytes": tx.counted, "rx_bytes": rx.counted,
        "tx_frames": tx.frames, "rx_frames": rx.frames, "tx_wire": tx.wire, "rx_wire": rx.wire,
        "tx_missed": tx.missed(), "rx_missed": rx.missed(),
        "tx_hist": tx.hist, "rx_hist": rx.hist,
        "tx_content": tx.content, "rx_content": rx.content,
        "tx_before_tls": tx.before_tls(), "rx_before_tls": rx.before_tls(),
        "resumption": resumption, "client_hellos": client_hellos,
        "handshake_completed": handshake_completed(hello_seen, selected, tx.progress, rx.progress),
        "tx_scoped": tx.scoped, "rx_scoped": rx.scoped,
        "client_hello": client_details, "server_hello": server_details}


def analyse(path, per_frame):
    connections = {}   # unordered endpoint pair -> Connection
    ordered = []
    conversations = {}  # UDP: unordered endpoint pair -> DtlsConversation (udp.stream order)
    packets = 0
    frames_out = []
    for when, linktype, frame, wirelen in read_frames(path):
        packets += 1
        layer = network_layer(linktype, frame)
        if layer is None:
            continue
        segment = tcp_segment(*layer)
        if segment is None:
            datagram = udp_datagram(*layer)
            if datagram is None:
                continue
            src_ip, dst_ip, sport, dport, payload = datagram
            src, dst = (str(src_ip), sport), (str(dst_ip), dport)
            key = frozenset((src, dst))
            if key not in conversations:
                conversations[key] = DtlsConversation(len(conversations), src)
                conversations[key].first_frame = packets
            c = conversations[key]
            if not c.dtls and not looks_like_dtls(payload):
                continue  # not (yet) DTLS: a frame of the capture only
            if not c.dtls:
                c.dtls, c.first_src = True, src
            t = when[0] + when[1] / 1e9
            c.first_time = t if c.first_time is None else c.first_time
            c.last_time = t
            side = c.side(src)
            side.frames += 1
            side.wire += wirelen
            scoped = side.add(payload)
            if payload:
                hist = [0] * 256
                for byte in payload:
                    hist[byte] += 1
                frames_out.append({"frame": packets, "stream": c.stream, "transport": "udp", "src": src,
                                   "tls_bytes": len(payload), "hist": hist, "scoped": scoped})
            continue
        src_ip, dst_ip, tcp, payload, reported = segment
        src, dst = (str(src_ip), tcp.sport), (str(dst_ip), tcp.dport)
        key = frozenset((src, dst))
        syn = tcp.flags & dpkt.tcp.TH_SYN
        ack = tcp.flags & dpkt.tcp.TH_ACK
        connection = connections.get(key)
        if connection is None or (syn and not ack and connection.closed):
            connection = Connection(len(ordered), src, dst)
            connection.first_frame = packets
            connections[key] = connection
            ordered.append(connection)
        if tcp.flags & (dpkt.tcp.TH_FIN | dpkt.tcp.TH_RST):
            connection.closed = True
        t = when[0] + when[1] / 1e9
        if connection.first_time is None:
            connection.first_time = t
        connection.last_time = t
        if syn and not ack and connection.syn_sender is None:
            connection.syn_sender = src
        if syn and ack and connection.synack_receiver is None:
            connection.synack_receiver = dst
        side = connection.side(src)
        side.frames += 1
        side.wire += wirelen
        side.segments.append(Segment(packets, tcp.seq, tcp.ack, tcp.flags, payload, max(reported, 0)))

    sessions = []
    clients = {}
    for c in ordered:
        acks = {end: {seg.ack for seg in side.segments if seg.flags & dpkt.tcp.TH_ACK}
                for end, side in c.sides.items()}
        for end, side in c.sides.items():
            peer = next((e for e in c.sides if e != end), None)
            side.account(acks.get(peer, set()))
        if not any(side.tls_start is not None for side in c.sides.values()):
            continue
        client, session = tcp_session(c)
        clients[c.stream] = client
        sessions.append(session)
        for end, side in c.sides.items():
            for frame, (count, hist, scoped) in side.frame_figures.items():
                if count:
                    frames_out.append({"frame": frame, "stream": c.stream, "transport": "tcp", "src": end,
                                       "tls_bytes": count, "hist": hist, "scoped": scoped})
        for side in c.sides.values():
            side.segments = None  # done with them

    dtls_clients = {}
    for key, c in conversations.items():
        if c.dtls:
            other_end = next(e for e in key if e != c.first_src) if len(key) == 2 else c.first_src
            session = dtls_session(c, other_end)
            sessions.append(session)
            dtls_clients[c.stream] = (session["client_ip"], session["client_port"])
    sessions.sort(key=lambda s: (s["transport"] == "udp", s["stream"]))
    frames_out.sort(key=lambda f: f["frame"])
    session_frames = [f for f in frames_out
                      if (f["stream"] in dtls_clients if f["transport"] == "udp" else f["stream"] in clients)]
    result = {"packets": packets, "tls_packets": len(session_frames), "sessions": sessions}
    if per_frame:
        for f in session_frames:
            owner = dtls_clients if f["transport"] == "udp" else clients
            f["direction"] = "tx" if f.pop("src") == owner[f["stream"]] else "rx"
        result["frames"] = session_frames
    return result


def main():
    args = [a for a in sys.argv[1:] if a != "--per-frame"]
    if len(args) != 1:
        raise SystemExit("usage: tls_reference.py CAPTURE [--per-frame]")
    json.dump(analyse(args[0], "--per-frame" in sys.argv), sys.stdout)
    print()


if __name__ == "__main__":
    main()
