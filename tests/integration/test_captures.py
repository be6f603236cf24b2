"""Every shipped capture through real tshark with the plugin, compared with an
independent implementation (tests/reference, python3-dpkt)."""

import hashlib
import json
import math
import os
import subprocess
import unittest

from tlsdist_env import (CAPTURES_DIR, DEBIAN_PYTHON, SOURCE_DIR, TSHARK_READ_ERROR, TSHARK_VERSION, SandboxTestCase, TRUNCATED_CAPTURES, parse_packet_csv,
                         parse_session_csv, parse_table, reference, reference_capture_names)


def endpoint(ip, port):
    return ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)


# Snap lengths for test_a_capture_cut_by_a_snap_length_matches_the_reference:
# 62 cuts the options of TCP headers with timestamps after Ethernet and IPv4
# (TCP then stops before its tap, which tshark runs read the stream from) and
# IPv6's TCP header itself, 70 a SYN's options, 74 leaves 8 payload bytes
# after a TCP header with timestamps (a record header and a little more), 100
# and 300 cut most records in the middle (74 leaves no TLS at all behind
# IPv6's longer header);
# captures with IPv6, STARTTLS, retransmissions, and real-world ones (the last three).
SNAP_LENGTHS = (62, 74, 100, 300)
SNAPPED_CAPTURES = ("multi-session.pcapng", "tls12-bigtransfer.pcap", "tls13-gnutls-ipv6.pcapng",
                    "zeek-smtp-starttls.pcap", "tls13-retransmissions.pcap", "real-world/ndpi-teams.pcap",
                    "real-world/ndpi-tls_missing_ch_frag.pcap", "real-world/zeek-tls13draft23-chrome67.pcap")
# And two made here with header layouts the captures lack: IPv4 options, and
# IPv6 extension headers before TCP (tests/tools/rewrite_headers.py).
REWRITTEN_HEADERS = (("multi-session.pcapng", "ipv4-options"), ("tls13-gnutls-ipv6.pcapng", "ipv6-extensions"))
REWRITE_TOOL = os.path.join(SOURCE_DIR, "tests", "tools", "rewrite_headers.py")
# For test_tcp_dissected_inside_a_tunnel_matches_the_reference: Ethernet and
# IPv4 captures (several sessions; STARTTLS; retransmissions), and what the
# tool's amt-tunnel layout adds to each frame (its AMT_FRAME_GROWTH).
TUNNELLED_CAPTURES = ("multi-session.pcapng", "zeek-smtp-starttls.pcap", "tls13-retransmissions.pcap")
AMT_FRAME_GROWTH = 30
# The tunnel test also cuts each frame inside the tunnelled TCP header's
# options: the original capture cut at this snap length, tunnelled. 73 cuts a
# SYN's options (74 bytes) and leaves 7 payload bytes after a header with
# timestamps; not zeek-smtp-starttls, whose SMTP exchange Wireshark then no
# longer reads up to STARTTLS (no session, tunnelled or not).
TUNNELLED_SNAP_LENGTH = 73
TUNNELLED_CUT_CAPTURES = ("multi-session.pcapng", "tls13-retransmissions.pcap")
# For test_an_ipv4_length_of_zero_or_past_the_frame_matches_the_reference: the
# tool's layouts that set the IPv4 total length to what Wireshark does not take
# (it takes the frame's then), each with a display filter for the frames it
# changed (the length is an Ethernet frame's bytes 16 and 17), and Ethernet and
# IPv4 captures whose frames end with their IP packets (no padding, which
# Wireshark would then take for payload).
IPV4_LENGTH_CAPTURES = ("multi-session.pcapng", "tls13-retransmissions.pcap")
IPV4_LENGTH_LAYOUTS = (("ipv4-length-zero", "tcp && frame[16:2] == 00:00"),
                       ("ipv4-length-past-frame", 'tcp && _ws.expert.message contains "exceeds packet length"'))


# For test_a_capture_that_starts_late_matches_the_reference: how many first
# frames to drop (inside the handshakes, just after them, and later), and from
# which captures (several sessions; STARTTLS; retransmissions; real-world).
DROPPED_FRAMES = (2, 6, 10, 30)
LATE_CAPTURES = ("multi-session.pcapng", "zeek-smtp-starttls.pcap", "tls13-retransmissions.pcap",
                 "real-world/ndpi-teams.pcap")


def session_key(row):
    return int(row["stream"])


class CaptureTests(SandboxTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.csv = {}
        for name in reference_capture_names():
            done = cls.box.tshark("-r", cls.box.capture(name), "-q", "-z", "tlsdist,csv")
            cls.csv[name] = done

    def sessions(self, name):
        done = self.csv[name]
        expected_status = TSHARK_READ_ERROR if name in TRUNCATED_CAPTURES else 0
        self.assertEqual(done.returncode, expected_status, done.stderr)
        return parse_session_csv(done.stdout)

    def test_sessions_match_the_reference(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                self.assertSameAsReference(name, self.sessions(name), reference(self.box.capture(name))["sessions"])

    def test_a_capture_cut_by_a_snap_length_matches_the_reference(self):
        """editcap -s cuts every frame after N bytes, as a capture's snap length does:
        a segment still spans what its IP header reports (Wireshark 4.0 and 4.4's
        TCP item holds only what was captured: session 31 found the plugin taking
        that for the length), and the bytes not captured are missed."""
        names = [n for n in SNAPPED_CAPTURES if n in reference_capture_names()]
        self.assertGreaterEqual(len(names), 5)  # the real-world ones are left out where they all are
        folder = self.box.folder("snapped")
        sources = [(name, self.box.capture(name)) for name in names]
        for name, layout in REWRITTEN_HEADERS:
            rewritten = os.path.join(folder, layout + "-" + os.path.splitext(name)[0] + ".pcap")
            subprocess.run([DEBIAN_PYTHON, REWRITE_TOOL, layout, self.box.capture(name), rewritten],
                           check=True, capture_output=True)
            sources.append((os.path.basename(rewritten), rewritten))
        for name, source in sources:
            cut_sessions = 0
            for length in SNAP_LENGTHS:
                with self.subTest(capture=name, snap_length=length):
                    target = os.path.join(folder, "%d-%s" % (length, os.path.basename(name)))
                    ours, theirs = self.derived_sessions(["editcap", "-s", str(length), source, target], target)
                    cut_sessions += sum(1 for s in theirs if s["tx_missed"] + s["rx_missed"] > 0)
                    self.assertSameAsReference(os.path.basename(target), ours, theirs)
            self.assertGreater(cut_sessions, 0, name + ": no cut left a session with bytes missed")

    def test_a_capture_that_starts_late_matches_the_reference(self):
        """The capture began after the connections did: its first N frames are dropped
        (editcap -r), handshakes with them. A connection caught without its hellos
        is a session in the plugin only where Wireshark read TLS on it
        (doc/tcp-accounting.md, section 0); the reference takes every connection
        where TLS begins, so one it has alone must have no hello and no frame that
        Wireshark read as TLS."""
        names = [n for n in LATE_CAPTURES if n in reference_capture_names()]
        self.assertGreaterEqual(len(names), 3)
        folder = self.box.folder("late")
        left_out = 0
        for name in names:
            for dropped in DROPPED_FRAMES:
                with self.subTest(capture=name, dropped=dropped):
                    target = os.path.join(folder, "%d-%s" % (dropped, os.path.basename(name)))
                    ours, theirs = self.derived_sessions(
                        ["editcap", "-r", self.box.capture(name), target, "%d-%d" % (dropped + 1, 10 ** 9)], target)
                    streams = {session_key(r) for r in ours}
                    for alone in [s for s in theirs if s["stream"] not in streams]:
                        self.assertIsNone(alone["client_hello"], alone)
                        self.assertIsNone(alone["server_hello"], alone)
                        read_as_tls = self.box.tshark("-r", target, "-Y", "tcp.stream==%d && tls" % alone["stream"],
                                                      "-T", "fields", "-e", "frame.number")
                        self.assertEqual(read_as_tls.stdout.split(), [], alone)
                        left_out += 1
                    self.assertSameAsReference(os.path.basename(target), ours,
                                               [s for s in theirs if s["stream"] in streams])
        self.assertLess(left_out, len(names) * len(DROPPED_FRAMES))

    def test_tcp_dissected_inside_a_tunnel_matches_the_reference(self):
        """Each IPv4 packet carried in AMT (over UDP): Wireshark dissects the
        packet under AMT's item, not at the tree's root, as it does under PIM
        register, PDCP and Mobile IP, so a hidden tree fakes the TCP item the
        plugin looks for at the root unless tcp is wanted. The plugin then reads
        that frame's segment without the item and wants tcp from the next frame
        on (first_pass.cpp). Every figure is the reference's for the capture as
        it was, each frame AMT_FRAME_GROWTH bytes longer on the wire; and
        again with every frame cut TUNNELLED_SNAP_LENGTH bytes after the
        tunnelled packet's start, inside the TCP options, where TCP stops
        before its tap and the plugin finds the header after its IP header.
        The reference reads the original capture cut as much."""
        folder = self.box.folder("tunnelled")
        for name in TUNNELLED_CAPTURES:
            for snap_length in (None, TUNNELLED_SNAP_LENGTH) if name in TUNNELLED_CUT_CAPTURES else (None,):
                with self.subTest(capture=name, snap_length=snap_length):
                    original = self.box.capture(name)
                    tunnelled = os.path.join(folder, "amt-" + os.path.splitext(name)[0] + ".pcap")
                    subprocess.run([DEBIAN_PYTHON, REWRITE_TOOL, "amt-tunnel", original, tunnelled],
                                   check=True, capture_output=True)
                    target = tunnelled
                    if snap_length:
                        original = os.path.join(folder, "%d-%s" % (snap_length, name))
                        subprocess.run(["editcap", "-s", str(snap_length), self.box.capture(name), original],
                                       check=True, capture_output=True)
                        os.chmod(original, 0o644)
                        target = os.path.join(folder, "%d-amt-%s.pcap" % (snap_length, os.path.splitext(name)[0]))
                        subprocess.run(["editcap", "-s", str(snap_length + AMT_FRAME_GROWTH), tunnelled, target],
                                       check=True, capture_output=True)
                    os.chmod(target, 0o644)
                    done = self.box.tshark("-r", target, "-q", "-z", "tlsdist,csv")
                    self.assertEqual(done.returncode, 0, done.stderr)
                    amt = self.box.tshark("-r", target, "-Y", "amt && tcp", "-T", "fields", "-e", "frame.number")
                    self.assertGreater(len(amt.stdout.split()), 0, "Wireshark read no TCP inside AMT")
                    theirs = []
                    for session in reference(original)["sessions"]:
                        session = dict(session)
                        session["tx_wire"] += AMT_FRAME_GROWTH * session["tx_frames"]
                        session["rx_wire"] += AMT_FRAME_GROWTH * session["rx_frames"]
                        theirs.append(session)
                    self.assertGreater(len(theirs), 0)
                    if snap_length:
                        self.assertGreater(sum(s["tx_missed"] + s["rx_missed"] for s in theirs), 0)
                    self.assertSameAsReference(os.path.basename(target), parse_session_csv(done.stdout), theirs)

    def test_an_ipv4_length_of_zero_or_past_the_frame_matches_the_reference(self):
        """Every IPv4 header with a TCP segment claims a total length of 0 (a
        capture from a host whose network card does the segmenting) or 8 bytes
        more than the frame holds. Wireshark then takes the segment's length from
        the frame, and so must the plugin: it reads the length from the IP header
        only where the frame holds all that header claims (first_pass.cpp). Every
        figure is the reference's for the capture as it was."""
        folder = self.box.folder("ipv4-length")
        for name in IPV4_LENGTH_CAPTURES:
            padded = self.box.tshark("-r", self.box.capture(name), "-Y", "tcp && frame.len != ip.len + 14",
                                     "-T", "fields", "-e", "frame.number")
            self.assertEqual(padded.stdout.split(), [], name + ": frames with more than Ethernet and IP")
            for layout, changed in IPV4_LENGTH_LAYOUTS:
                with self.subTest(capture=name, layout=layout):
                    target = os.path.join(folder, layout + "-" + os.path.splitext(name)[0] + ".pcap")
                    subprocess.run([DEBIAN_PYTHON, REWRITE_TOOL, layout, self.box.capture(name), target],
                                   check=True, capture_output=True)
                    os.chmod(target, 0o644)
                    rewritten = self.box.tshark("-r", target, "-Y", changed, "-T", "fields", "-e", "frame.number")
                    self.assertGreater(len(rewritten.stdout.split()), 0, "no frame has the changed length")
                    done = self.box.tshark("-r", target, "-q", "-z", "tlsdist,csv")
                    self.assertEqual(done.returncode, 0, done.stderr)
                    theirs = reference(self.box.capture(name))["sessions"]
                    self.assertGreater(len(theirs), 0)
                    self.assertSameAsReference(os.path.basename(target), parse_session_csv(done.stdout), theirs)

    def derived_sessions(self, make, target):
        """Runs make (a command that writes the capture target), then returns
        target's session CSV rows and the reference's sessions for it."""
        subprocess.run(make, check=True, capture_output=True)
        os.chmod(target, 0o644)
        done = self.box.tshark("-r", target, "-q", "-z", "tlsdist,csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        return parse_session_csv(done.stdout), reference(target)["sessions"]

    def assertSameAsReference(self, name, ours, theirs):
        """Our session CSV rows against the reference's sessions, figure by figure."""
        self.assertEqual([session_key(r) for r in ours], [s["stream"] for s in theirs])
        for row, ref in zip(ours, theirs):
            where = "%s stream %s" % (name, ref["stream"])
            self.assertEqual(row["transport"], ref["transport"], where)
            self.assertEqual(row["client_ip"], ref["client_ip"], where)
            self.assertEqual(int(row["client_port"]), ref["client_port"], where)
            self.assertEqual(row["server_ip"], ref["server_ip"], where)
            self.assertEqual(int(row["server_port"]), ref["server_port"], where)
            self.assertEqual(row["version"], ref["version"], where)
            for field in ("tx_bytes", "rx_bytes", "tx_frames", "rx_frames"):
                self.assertEqual(int(row[field]), ref[field], where + " " + field)
            self.assertEqual(int(row["tx_wire_bytes"]), ref["tx_wire"], where)
            self.assertEqual(int(row["rx_wire_bytes"]), ref["rx_wire"], where)
            self.assertEqual(int(row["tx_missed_bytes"]), ref["tx_missed"], where)
            self.assertEqual(int(row["rx_missed_bytes"]), ref["rx_missed"], where)
            self.assertEqual(row["tx_hist"], ref["tx_hist"], where + " tx distribution")
            self.assertEqual(row["rx_hist"], ref["rx_hist"], where + " rx distribution")
            self.assertAlmostEqual(float(row["start_epoch"]), ref["start"], delta=2e-6)
            self.assertAlmostEqual(float(row["duration"]), ref["duration"], delta=2e-6)

    def test_sessions_match_the_traffic_that_was_generated(self):
        with open(os.path.join(CAPTURES_DIR, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertGreaterEqual(len(manifest), 10)
        for name, made in sorted(manifest.items()):
            with self.subTest(capture=name):
                sessions = self.sessions(name)
                self.assertEqual(sorted(s["version"] for s in sessions), made["versions"])
                for s in sessions:
                    self.assertEqual(int(s["server_port"]), made["server_port"])
                    self.assertEqual(int(s["tx_missed_bytes"]) + int(s["rx_missed_bytes"]), 0)
                # Server to client: the bodies plus HTTP headers, record headers,
                # MACs or tags, and the handshake; nothing near double.
                rx = sum(int(s["rx_bytes"]) for s in sessions)
                body = made["response_body_bytes"]
                if sessions:
                    self.assertGreater(rx, body)
                    self.assertLess(rx, body * 1.03 + 6000 * len(sessions))

    def test_distributions_sum_to_byte_counts(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                for row in self.sessions(name):
                    self.assertEqual(sum(row["tx_hist"]), int(row["tx_bytes"]))
                    self.assertEqual(sum(row["rx_hist"]), int(row["rx_bytes"]))

    def test_per_packet_rows_sum_to_sessions_and_match_reference(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                path = self.box.capture(name)
                done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,packets")
                self.assertIn(done.returncode, (0, TSHARK_READ_ERROR), done.stderr)
                # Rows of bytes that joined after their frame was read come last
                # (README: Capture order); compare in frame order.
                rows = sorted(parse_packet_csv(done.stdout), key=lambda r: int(r["frame"]))
                sums = {}
                for row in rows:
                    self.assertEqual(sum(row["hist"]), int(row["tls_bytes"]))
                    key = (row["transport"], int(row["stream"]), row["direction"])
                    acc = sums.setdefault(key, [0] * 256)
                    for v in range(256):
                        acc[v] += row["hist"][v]
                for session in self.sessions(name):
                    stream = session_key(session)
                    transport = session["transport"]
                    self.assertEqual(sums.pop((transport, stream, "tx"), [0] * 256), session["tx_hist"])
                    self.assertEqual(sums.pop((transport, stream, "rx"), [0] * 256), session["rx_hist"])
                self.assertEqual(sums, {}, "rows of frames outside any session")
                theirs = reference(path, per_frame=True)["frames"]
                self.assertEqual([int(r["frame"]) for r in rows], [f["frame"] for f in theirs])
                for row, ref in zip(rows, theirs):
                    self.assertEqual(int(row["stream"]), ref["stream"])
                    self.assertEqual(row["transport"], ref["transport"])
                    self.assertEqual(row["direction"], ref["direction"], "frame %s" % ref["frame"])
                    self.assertEqual(row["hist"], ref["hist"], "frame %s" % ref["frame"])

    CONTENT_KINDS = ("handshake", "change_cipher_spec", "alert", "application_data", "heartbeat", "unframed")

    def test_bytes_by_content_type_match_the_reference(self):
        # The reference walks the records itself (tests/reference: RecordWalker).
        for name in reference_capture_names():
            with self.subTest(capture=name):
                theirs = reference(self.box.capture(name))["sessions"]
                for row, ref in zip(self.sessions(name), theirs):
                    for direction in ("tx", "rx"):
                        where = "%s stream %s %s" % (name, ref["stream"], direction)
                        split = {kind: int(row["%s_%s_bytes" % (direction, kind)]) for kind in self.CONTENT_KINDS}
                        self.assertEqual(split, ref[direction + "_content"], where)
                        self.assertEqual(sum(split.values()), int(row[direction + "_bytes"]), where)
                    self.assertEqual(row["byte_scope"], "all")
                    self.assertEqual(int(row["tx_scope_bytes"]), int(row["tx_bytes"]))

    def test_scoped_distributions_match_the_reference(self):
        for name in reference_capture_names():
            path = self.box.capture(name)
            theirs = reference(path)["sessions"]
            frames = reference(path, per_frame=True)["frames"]
            for scope in ("appdata", "handshake"):
                with self.subTest(capture=name, scope=scope):
                    done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv,scope=" + scope)
                    self.assertIn(done.returncode, (0, TSHARK_READ_ERROR), done.stderr)
                    ours = parse_session_csv(done.stdout)
                    self.assertEqual([session_key(r) for r in ours], [s["stream"] for s in theirs])
                    for row, ref in zip(ours, theirs):
                        where = "%s stream %s" % (name, ref["stream"])
                        self.assertEqual(row["byte_scope"], scope)
                        for direction in ("tx", "rx"):
                            self.assertEqual(row[direction + "_hist"], ref[direction + "_scoped"][scope], where)
                            self.assertEqual(int(row[direction + "_scope_bytes"]),
                                             sum(ref[direction + "_scoped"][scope]), where)
                            # All TLS bytes are still counted in full.
                            self.assertEqual(int(row[direction + "_bytes"]), ref[direction + "_bytes"], where)

                    done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,packets,scope=" + scope)
                    self.assertIn(done.returncode, (0, TSHARK_READ_ERROR), done.stderr)
                    self.assertTrue(done.stdout.startswith(
                        "frame,time,src_ip,src_port,dst_ip,dst_port,stream,transport,direction,%s_bytes," % scope))
                    rows = sorted(parse_packet_csv(done.stdout), key=lambda r: int(r["frame"]))
                    expected = [f for f in frames if sum(f["scoped"].get(scope, [0]))]
                    self.assertEqual([int(r["frame"]) for r in rows], [f["frame"] for f in expected])
                    for row, ref in zip(rows, expected):
                        self.assertEqual(row["hist"], ref["scoped"][scope], "frame %s" % ref["frame"])
                        self.assertEqual(int(row[scope + "_bytes"]), sum(ref["scoped"][scope]))

    def test_handshake_facts_and_bytes_before_tls_match_the_reference(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                theirs = reference(self.box.capture(name))["sessions"]
                for row, ref in zip(self.sessions(name), theirs):
                    where = "%s stream %s" % (name, ref["stream"])
                    self.assertEqual(row["resumption"], ref["resumption"], where)
                    self.assertEqual(int(row["client_hellos"]), ref["client_hellos"], where)
                    self.assertEqual(row["handshake_completed"], ref["handshake_completed"], where)
                    self.assertEqual(int(row["tx_before_tls_bytes"]), ref["tx_before_tls"], where)
                    self.assertEqual(int(row["rx_before_tls_bytes"]), ref["rx_before_tls"], where)

    def test_handshake_facts_and_bytes_before_tls_by_hand(self):
        # What make-captures did: per version a full handshake, then a resumed one.
        rows = self.sessions("tls-resumption.pcap")
        self.assertEqual([(r["version"], r["resumption"]) for r in rows],
                         [("TLS 1.2", "full"), ("TLS 1.2", "resumed"), ("TLS 1.3", "full"), ("TLS 1.3", "resumed")])
        self.assertEqual([r["handshake_completed"] for r in rows], ["yes"] * 4)
        # zeek-hrr: a HelloRetryRequest, so two ClientHellos (frames 4 and 8);
        # the server's flight arrives out of order (frame 9, seq 1468, before
        # frame 11, seq 100): framed in sequence order, both sides' records
        # show the handshake completed.
        self.assertEqual([(r["client_hellos"], r["handshake_completed"]) for r in self.sessions("zeek-hrr.pcap")],
                         [("2", "yes")])
        # mercury-sll-tls: a ClientHello and no ServerHello.
        self.assertEqual([r["handshake_completed"] for r in self.sessions("mercury-sll-tls.pcap")], ["no"])
        # zeek-smtp-starttls: the SMTP dialogue before TLS, as its frames show
        # it: the client sends "EHLO openssl.client.net" and "STARTTLS"; the
        # server its 54-byte banner, 140-byte EHLO reply and "220 2.0.0 Ready
        # to start TLS".
        (row,) = self.sessions("zeek-smtp-starttls.pcap")
        self.assertEqual(int(row["tx_before_tls_bytes"]), len(b"EHLO openssl.client.net\r\n") + len(b"STARTTLS\r\n"))
        self.assertEqual(int(row["rx_before_tls_bytes"]), 54 + 140 + len(b"220 2.0.0 Ready to start TLS\r\n"))
        (row,) = self.sessions("tls12-openssl.pcap")
        self.assertEqual((row["tx_before_tls_bytes"], row["rx_before_tls_bytes"]), ("0", "0"))

    HELLO_RETRY_REQUEST_RANDOM = hashlib.sha256(b"HelloRetryRequest").hexdigest()

    def wireshark_server_hellos(self, path, protocol="tls"):
        """Per stream, (random, JA3S) of each ServerHello as Wireshark's own
        dissector shows it, in frame order."""
        done = self.box.tshark("-r", path, "-Y", "%s.handshake.type == 2" % protocol, "-T", "fields",
                               "-e", "tcp.stream" if protocol == "tls" else "udp.stream",
                               "-e", protocol + ".handshake.random", "-e", protocol + ".handshake.ja3s")
        self.assertEqual(done.returncode, 0, done.stderr)
        hellos = {}
        for line in done.stdout.splitlines():
            stream, random, ja3s = line.split("\t")
            hellos.setdefault(stream, []).append((random, ja3s))
        return hellos

    def test_the_server_hello_after_a_hello_retry_request_decides(self):
        # tls13-hrr-resumption: make-extra-captures had the server accept only
        # P-256 and the client send a key share for X25519 only, so each
        # handshake begins with a HelloRetryRequest (no pre_shared_key) and a
        # second ClientHello; the second session resumes the first's session
        # (PSK). Resumption and JA3S are the real ServerHello's, the JA3S
        # Wireshark computes for it.
        path = self.box.capture("tls13-hrr-resumption.pcap")
        rows = self.sessions("tls13-hrr-resumption.pcap")
        self.assertEqual([(r["version"], r["client_hellos"], r["resumption"], r["handshake_completed"]) for r in rows],
                         [("TLS 1.3", "2", "full", "yes"), ("TLS 1.3", "2", "resumed", "yes")])
        hellos = self.wireshark_server_hellos(path)
        for row in rows:
            (retry_random, retry_ja3s), (random, ja3s) = hellos[row["stream"]]
            self.assertEqual(retry_random, self.HELLO_RETRY_REQUEST_RANDOM)
            self.assertNotEqual(random, self.HELLO_RETRY_REQUEST_RANDOM)
            self.assertEqual(row["ja3s"], ja3s, "stream " + row["stream"])
        self.assertNotEqual(rows[1]["ja3s"], retry_ja3s)  # (pre_shared_key makes them differ)
        # zeek-hrr: the retry's extensions are supported_versions, key_share;
        # the ServerHello's (frame 11, not dissected by Wireshark: captured
        # out of order) key_share, supported_versions: JA3S "771,4866,51-43".
        (row,) = self.sessions("zeek-hrr.pcap")
        self.assertEqual(row["ja3s"], hashlib.md5(b"771,4866,51-43").hexdigest())
        self.assertEqual(row["resumption"], "full")

    def test_dtls_by_hand(self):
        # zeek-dtls1_2.pcap: every datagram is DTLS; the byte counts are the
        # UDP payloads (udp.length - 8) of each side's datagrams.
        (row,) = self.sessions("zeek-dtls1_2.pcap")
        self.assertEqual((row["transport"], row["version"], row["server_port"]), ("udp", "DTLS 1.2", "4400"))
        self.assertEqual(int(row["tx_bytes"]), sum(n - 8 for n in (236, 117, 236, 137, 174, 47)))
        self.assertEqual(int(row["rx_bytes"]), sum(n - 8 for n in [56] + [236] * 6 + [150, 213, 69]))
        self.assertEqual((int(row["tx_frames"]), int(row["rx_frames"])), (6, 10))
        self.assertEqual(row["client_hellos"], "2")  # the second one carries the cookie
        # dtls-openssl.pcap, as make-captures made it: DTLS 1.0 then 1.2, each
        # client sending one 1,000-byte message in one application_data record
        # (13-byte header, then IV or nonce, the data, MAC or tag, padding).
        rows = self.sessions("dtls-openssl.pcap")
        self.assertEqual([(r["transport"], r["version"], r["server_port"]) for r in rows],
                         [("udp", "DTLS 1.0", "4433"), ("udp", "DTLS 1.2", "4433")])
        for r in rows:
            self.assertEqual(r["client_hellos"], "2")
            self.assertGreaterEqual(int(r["tx_application_data_bytes"]), 13 + 1000 + 16)
            self.assertLessEqual(int(r["tx_application_data_bytes"]), 13 + 1000 + 64)
            self.assertEqual(int(r["rx_application_data_bytes"]), 0)

    def follow_tls(self, path, keylog, stream):
        """tshark's own Follow TLS Stream (raw): the decrypted application data
        of one session, as (node 0's "host:port", [bytes node 0 sent, bytes node 1 sent])."""
        done = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q",
                               "-z", "follow,tls,raw,%s" % stream)
        self.assertEqual(done.returncode, 0, done.stderr)
        first, sent = None, [b"", b""]
        for line in done.stdout.splitlines():
            if line.startswith("Node 0: "):
                first = line[len("Node 0: "):]
            elif line and not line.startswith(("=", "Follow:", "Filter:", "Node ")):
                sent[1 if line.startswith("\t") else 0] += bytes.fromhex(line.strip())
        return first, sent

    def test_plaintext_scope_equals_follow_tls_stream(self):
        # Captures shipped with their key log: the decrypted distributions
        # equal those of Wireshark's Follow TLS Stream (TLS over TCP: DTLS has
        # no Follow stream, see test_plaintext_scope_of_dtls_is_what_each_side_sent);
        # without the key log nothing is decrypted and the table says "no keys".
        # tls13-many-records has frames of more than 32 decrypted records.
        keylogs = [n for n in reference_capture_names() if os.path.exists(self.box.capture(n).rsplit(".", 1)[0] + ".keylog")]
        self.assertGreaterEqual(len(keylogs), 4, keylogs)
        for name in keylogs:
            with self.subTest(capture=name):
                path = self.box.capture(name)
                keylog = path.rsplit(".", 1)[0] + ".keylog"
                done = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q",
                                       "-z", "tlsdist,csv,scope=plaintext")
                self.assertEqual(done.returncode, 0, done.stderr)
                rows = parse_session_csv(done.stdout)
                self.assertTrue(rows)
                for row in (r for r in rows if r["transport"] == "tcp"):
                    first, sent = self.follow_tls(path, keylog, row["stream"])
                    client = endpoint(row["client_ip"], row["client_port"])
                    server = endpoint(row["server_ip"], row["server_port"])
                    self.assertIn(first, (client, server))
                    by_end = {first: sent[0], (server if first == client else client): sent[1]}
                    for direction, end in (("tx", client), ("rx", server)):
                        data = by_end[end]
                        self.assertTrue(data, "%s %s: nothing decrypted" % (name, direction))
                        self.assertEqual(row[direction + "_hist"], [data.count(bytes([v])) for v in range(256)],
                                         "%s %s" % (name, direction))
                        self.assertEqual(int(row[direction + "_decrypted_bytes"]), len(data))
                        self.assertEqual(int(row[direction + "_scope_bytes"]), len(data))
                without_keys = self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv,scope=plaintext")
                for row in parse_session_csv(without_keys.stdout):
                    self.assertEqual((row["tx_decrypted_bytes"], row["rx_decrypted_bytes"]), ("0", "0"))
                    self.assertEqual(sum(row["tx_hist"]) + sum(row["rx_hist"]), 0)
                table = self.box.tshark("-r", path, "-q", "-z", "tlsdist,scope=plaintext").stdout
                self.assertTrue(table.startswith("TLS Sessions (entropy of decrypted application data bytes)\n"))
                table_rows, _, _ = parse_table(table)
                self.assertTrue(all(r[-2:] == ["no keys", "no keys"] for r in table_rows), table_rows)

    def test_plaintext_scope_of_dtls_is_what_each_side_sent(self):
        # dtls12-openssl-keys: make-extra-captures had the client send every
        # byte value 0..255 four times and the server every value twice, over
        # DTLS 1.2, with the client's key log.
        path = self.box.capture("dtls12-openssl-keys.pcap")
        keylog = self.box.capture("dtls12-openssl-keys.keylog")
        done = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q", "-z", "tlsdist,csv,scope=plaintext")
        self.assertEqual(done.returncode, 0, done.stderr)
        (row,) = parse_session_csv(done.stdout)
        self.assertEqual((row["transport"], row["version"]), ("udp", "DTLS 1.2"))
        self.assertEqual(row["tx_hist"], [4] * 256)
        self.assertEqual(row["rx_hist"], [2] * 256)
        self.assertEqual((row["tx_decrypted_bytes"], row["rx_decrypted_bytes"]), ("1024", "512"))
        self.assertEqual((row["tx_scope_bytes"], row["rx_scope_bytes"]), ("1024", "512"))
        table = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q", "-z", "tlsdist,scope=plaintext")
        (cells,), _, _ = parse_table(table.stdout)
        self.assertEqual(cells[-2:], ["8.000", "8.000"])  # uniform: every value equally often
        table = self.box.tshark("-r", path, "-q", "-z", "tlsdist,scope=plaintext")
        (cells,), _, _ = parse_table(table.stdout)
        self.assertEqual(cells[-2:], ["no keys", "no keys"])

    def test_plaintext_of_frames_with_more_than_32_records(self):
        # tls13-many-records: the server wrote the bytes 0..149 as 150
        # application data records of one byte each into a corked socket, so
        # its 1448-byte segments hold some 62 records each (Wireshark shows
        # how many); each record is one decrypted byte in its frame.
        path = self.box.capture("tls13-many-records.pcap")
        keylog = self.box.capture("tls13-many-records.keylog")
        done = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-Y", "tls.record.content_type == 23",
                               "-T", "fields", "-e", "frame.number", "-e", "tls.record.content_type")
        self.assertEqual(done.returncode, 0, done.stderr)
        records = {int(line.split("\t")[0]): line.split("\t")[1].count(",") + 1 for line in done.stdout.splitlines()}
        crowded = [frame for frame, count in records.items() if count > 32]
        self.assertGreaterEqual(len(crowded), 2, records)
        done = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q", "-z", "tlsdist,csv,scope=plaintext")
        self.assertEqual(done.returncode, 0, done.stderr)
        (row,) = parse_session_csv(done.stdout)
        self.assertEqual(row["rx_decrypted_bytes"], "150")
        self.assertEqual(row["rx_hist"], [1] * 150 + [0] * 106)
        self.assertEqual(row["tx_hist"], [0] * 33 + [1] + [0] * 222)  # the client's "!"
        done = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q", "-z", "tlsdist,packets,scope=plaintext")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = {int(r["frame"]): r for r in parse_packet_csv(done.stdout)}
        for frame in crowded:
            self.assertEqual(sum(rows[frame]["hist"]), records[frame], "frame %d" % frame)

    def test_plaintext_from_keys_inside_a_pcapng(self):
        # The key log carried in the capture (a pcapng Decryption Secrets Block,
        # editcap --inject-secrets), with no key preference: the decrypted bytes
        # are what the generator sent, as with the key log given by -o. With no
        # key preference tshark reads a pcap without the decrypted messages'
        # fields; a pcapng keeps them, since its secrets may come at any point.
        folder = self.box.folder("secrets")
        expected = {"tls13-many-records": ([0] * 33 + [1] + [0] * 222, [1] * 150 + [0] * 106),
                    "dtls12-openssl-keys": ([4] * 256, [2] * 256)}
        for name, (tx_hist, rx_hist) in expected.items():
            with self.subTest(capture=name):
                with_secrets = os.path.join(folder, name + ".pcapng")
                subprocess.run(["editcap", "--inject-secrets", "tls," + self.box.capture(name + ".keylog"),
                                self.box.capture(name + ".pcap"), with_secrets], check=True, capture_output=True)
                done = self.box.tshark("-r", with_secrets, "-q", "-z", "tlsdist,csv,scope=plaintext")
                self.assertEqual(done.returncode, 0, done.stderr)
                (row,) = parse_session_csv(done.stdout)
                self.assertEqual((row["tx_hist"], row["rx_hist"]), (tx_hist, rx_hist))
                self.assertEqual((int(row["tx_decrypted_bytes"]), int(row["rx_decrypted_bytes"])),
                                 (sum(tx_hist), sum(rx_hist)))

    def test_dialog_table_follows_the_scope_preference(self):
        # The Sessions dialog's table (also printed by tshark -z tlsdist,sessions)
        # counts what the preference tlsdist.byte_scope says.
        path = self.box.capture("multi-session.pcapng")
        for scope in ("all", "appdata", "handshake"):
            with self.subTest(scope=scope):
                done = self.box.tshark("-r", path, "-o", "tlsdist.byte_scope:" + scope, "-q", "-z", "tlsdist,sessions")
                self.assertEqual(done.returncode, 0, done.stderr)
                lines = [l for l in done.stdout.splitlines() if l.count("|") >= 16]
                header = [c.strip() for c in lines[0].split("|")]
                stream = header.index("Stream")
                rows = {int(cells[stream]): cells for cells in ([c.strip() for c in l.split("|")] for l in lines[1:])}
                csv_rows = parse_session_csv(
                    self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv,scope=" + scope).stdout)
                self.assertEqual(sorted(rows), [session_key(r) for r in csv_rows])
                for session in csv_rows:
                    cells = rows[session_key(session)]
                    self.assertEqual(cells[header.index("TX Counted")], session["tx_scope_bytes"])
                    self.assertEqual(cells[header.index("RX Counted")], session["rx_scope_bytes"])
                    self.assertEqual(cells[header.index("TX Entropy")], "%.3f" % float(session["tx_entropy"]))

    # Names from the IANA TLS Cipher Suites registry, for the suites the
    # shipped captures select.
    # Names from IANA's TLS Cipher Suites registry.
    IANA_CIPHER_SUITES = {
        0x0004: "TLS_RSA_WITH_RC4_128_MD5",
        0x0005: "TLS_RSA_WITH_RC4_128_SHA",
        0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x1301: "TLS_AES_128_GCM_SHA256",
        0x1303: "TLS_CHACHA20_POLY1305_SHA256",
        0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0x1302: "TLS_AES_256_GCM_SHA384",
        0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    }

    def test_metadata_matches_the_reference(self):
        # SNI, ALPN, cipher suite, JA3/JA3S and JA4 (hashed by the reference
        # from the hello bytes, per the JA3 and JA4 specifications). tlsdist
        # reads TLS and DTLS hellos itself, so JA4 is there with every
        # Wireshark (Wireshark's own DTLS JA4 begins with 4.4).
        checked = set()
        for name in reference_capture_names():
            with self.subTest(capture=name):
                theirs = reference(self.box.capture(name))["sessions"]
                for row, ref in zip(self.sessions(name), theirs):
                    where = "%s stream %s" % (name, ref["stream"])
                    client, server = ref["client_hello"] or {}, ref["server_hello"] or {}
                    self.assertEqual(row["server_name"], client.get("server_name", ""), where)
                    self.assertEqual(row["alpn_offered"], client.get("alpn", ""), where)
                    self.assertEqual(row["ja3"], client.get("ja3", ""), where)
                    self.assertEqual(row["ja4"], client.get("ja4", ""), where)
                    self.assertEqual(row["alpn_selected"], server.get("alpn", ""), where)
                    self.assertEqual(row["ja3s"], server.get("ja3s", ""), where)
                    suite = server.get("cipher_suite")
                    self.assertEqual(row["cipher_suite"], "" if suite is None else self.IANA_CIPHER_SUITES[suite], where)
                    checked.update(k for k in ("server_name", "alpn_offered", "alpn_selected", "ja3", "ja3s",
                                               "cipher_suite", "ja4") if row[k])
        # Every column was non-empty somewhere (the mixed capture selects h2 in TLS 1.2).
        self.assertEqual(len(checked), 7, checked)

    def test_randomness_matches_an_independent_computation(self):
        # Entropy and chi-square from the reference's distributions, the
        # p-value from SciPy's chi-square distribution.
        from scipy.stats import chi2
        checked = 0
        for name in reference_capture_names():
            with self.subTest(capture=name):
                theirs = reference(self.box.capture(name))["sessions"]
                for row, ref in zip(self.sessions(name), theirs):
                    for direction in ("tx", "rx"):
                        counts = ref[direction + "_hist"]
                        n = sum(counts)
                        cells = [row["%s_%s" % (direction, f)] for f in ("entropy", "chi_square", "chi_square_p")]
                        if n == 0:
                            self.assertEqual(cells, ["", "", ""])
                            continue
                        entropy = -sum(c / n * math.log2(c / n) for c in counts if c)
                        expected = n / 256
                        chi_square = sum((c - expected) ** 2 / expected for c in counts)
                        where = "%s stream %s %s" % (name, ref["stream"], direction)
                        self.assertAlmostEqual(float(cells[0]), entropy, delta=1e-6, msg=where)
                        self.assertAlmostEqual(float(cells[1]), chi_square, delta=1e-3 + 1e-9 * chi_square, msg=where)
                        p = chi2.sf(chi_square, 255)
                        self.assertAlmostEqual(float(cells[2]), p, delta=1e-5 * p + 1e-300, msg=where)
                        checked += 1
        self.assertGreater(checked, 40)
        # What the figures are for: 1.5 MB of ciphertext looks uniform.
        big = max(self.sessions("tls12-bigtransfer.pcap"), key=lambda r: int(r["rx_bytes"]))
        self.assertGreater(float(big["rx_entropy"]), 7.999)
        self.assertGreater(float(big["rx_chi_square_p"]), 0.001)

    def test_totals_and_table_agree_with_csv_and_reference(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                path = self.box.capture(name)
                done = self.box.tshark("-r", path, "-q", "-z", "tlsdist")
                rows, totals, _ = parse_table(done.stdout)
                ref = reference(path)
                self.assertEqual(
                    totals, "Total packets: %d  Total TLS packets: %d  Total TLS sessions: %d"
                    % (ref["packets"], ref["tls_packets"], len(ref["sessions"])))
                sessions = self.sessions(name)
                self.assertEqual(len(rows), len(sessions))
                for cells, row in zip(rows, sessions):
                    ip = lambda a: "[%s]" % a if ":" in a else a
                    self.assertEqual(cells[2], "%s:%s" % (ip(row["client_ip"]), row["client_port"]))
                    self.assertEqual(cells[3], "%s:%s" % (ip(row["server_ip"]), row["server_port"]))
                    self.assertEqual(cells[4], row["version"])
                    self.assertEqual(cells[5], row["tx_bytes"])
                    self.assertEqual(cells[6], row["rx_bytes"])
                    self.assertEqual(cells[0].replace(" ", "T"), row["start_time"][:23])
                    for cell, direction in ((cells[7], "tx"), (cells[8], "rx")):
                        entropy = row[direction + "_entropy"]
                        if entropy:
                            self.assertRegex(cell, r"^\d\.\d{3}$")
                            self.assertAlmostEqual(float(cell), float(entropy), delta=0.0005 + 1e-9)
                        else:
                            self.assertEqual(cell, "-")

    def test_two_pass_gives_the_same_figures(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                done = self.box.tshark("-2", "-r", self.box.capture(name), "-q", "-z", "tlsdist,csv")
                self.assertEqual(done.stdout, self.csv[name].stdout)

    def test_a_segment_quoted_in_an_icmp_error_is_not_a_segment(self):
        """An ICMP error quotes the packet it answers: IP and TCP headers and,
        from Linux, up to 548 bytes of payload. Wireshark dissects the quote as
        TCP (and TLS), but it is not a frame of the connection. Appended to a
        capture, an error quoting one of the client's data segments (ICMPv4
        host unreachable, ICMPv6 address unreachable) must leave every
        session figure as it was."""
        make = r"""
import sys
import dpkt
source, target = sys.argv[1], sys.argv[2]
with open(source, "rb") as f:
    reader = dpkt.pcapng.Reader(f) if source.endswith(".pcapng") else dpkt.pcap.Reader(f)
    frames = [(ts, bytes(buf)) for ts, buf in reader]
def tcp_of(buf):
    ip = dpkt.ethernet.Ethernet(buf).data
    return ip, ip.data if isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)) and isinstance(ip.data, dpkt.tcp.TCP) else None
client = next(t.sport for _, b in frames for ip, t in [tcp_of(b)] if t and t.flags & dpkt.tcp.TH_SYN and not t.flags & dpkt.tcp.TH_ACK)
_, quoted = next((b, (ip, t)) for _, b in frames for ip, t in [tcp_of(b)] if t and t.sport == client and len(t.data) > 0)
ip, tcp = quoted
frame = dpkt.ethernet.Ethernet(next(b for _, b in frames))
if isinstance(ip, dpkt.ip.IP):
    icmp = dpkt.icmp.ICMP(type=3, code=1, data=dpkt.icmp.ICMP.Unreach(data=bytes(ip)[:548]))
    error = dpkt.ip.IP(src=ip.dst, dst=ip.src, p=dpkt.ip.IP_PROTO_ICMP, ttl=64, data=icmp)
    kind = dpkt.ethernet.ETH_TYPE_IP
else:
    icmp = dpkt.icmp6.ICMP6(type=1, code=3, data=dpkt.icmp6.ICMP6.Unreach(data=bytes(ip)[:1232]))
    error = dpkt.ip6.IP6(src=ip.dst, dst=ip.src, nxt=dpkt.ip.IP_PROTO_ICMP6, hlim=64, data=icmp,
                         plen=len(bytes(icmp)))
    kind = dpkt.ethernet.ETH_TYPE_IP6
with open(target, "wb") as f:
    writer = dpkt.pcap.Writer(f, nano=True)
    for ts, buf in frames:
        writer.writepkt(buf, ts)
    writer.writepkt(bytes(dpkt.ethernet.Ethernet(src=frame.dst, dst=frame.src, type=kind, data=error)),
                    frames[-1][0] + 0.001)
print(len(tcp.data))
"""
        folder = self.box.folder("icmp-quotes")
        ignored = {"start_time", "start_epoch", "duration"}  # (pcapng times rewritten as nanosecond pcap)
        for name in ("tls12-openssl.pcap", "tls13-gnutls-ipv6.pcapng"):
            with self.subTest(capture=name):
                target = os.path.join(folder, name + "-with-icmp-error.pcap")
                made = subprocess.run([DEBIAN_PYTHON, "-c", make, self.box.capture(name), target],
                                      capture_output=True, text=True, timeout=120)
                self.assertEqual(made.returncode, 0, made.stderr)
                self.assertGreater(int(made.stdout), 0)  # the quote holds TLS bytes
                os.chmod(target, 0o644)
                quoted_as_tcp = self.box.tshark("-r", target, "-Y", "icmp || icmpv6", "-T", "fields",
                                                "-e", "tcp.srcport", "-e", "tls.record.content_type")
                self.assertRegex(quoted_as_tcp.stdout.strip(), r"^\d+\t\d",
                                 "Wireshark no longer dissects the quote as TCP and TLS: the test proves nothing")
                done = self.box.tshark("-r", target, "-q", "-z", "tlsdist,csv")
                self.assertEqual(done.returncode, 0, done.stderr)
                ours = parse_session_csv(done.stdout)
                before = self.sessions(name)
                self.assertEqual(len(ours), len(before))
                for row, original in zip(ours, before):
                    for column in original:
                        if column not in ignored:
                            self.assertEqual(row[column], original[column], "%s %s" % (name, column))

    def test_filter_on_a_stream_gives_exactly_that_session(self):
        for name in reference_capture_names():
            with self.subTest(capture=name):
                for session in self.sessions(name):
                    stream = session["stream"]
                    done = self.box.tshark("-r", self.box.capture(name), "-q", "-z",
                                           "tlsdist,csv,%s.stream==%s" % (session["transport"], stream))
                    only = parse_session_csv(done.stdout)
                    self.assertEqual([r["stream"] for r in only], [stream])
                    self.assertEqual(only[0], session)


if __name__ == "__main__":
    unittest.main()
