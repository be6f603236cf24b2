"""The tlsdist command on many captures: a capture cut into several files
(a file set) read as one, datasets of independent captures (--each), merging
session CSVs (tlsdist merge) and the progress display."""

import csv
import gzip
import io
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import unittest
from decimal import Decimal

import dpkt
from selenium.webdriver.common.by import By

import test_report
from tlsdist_env import (BAD_CAPTURES, DEBIAN_PYTHON, SOURCE_DIR, TRUNCATED_CAPTURES, Sandbox, parse_session_csv,
                         parse_packet_csv, parse_table, reference, wait_until)

# Captures to cut, with a time slice (editcap -i) giving a few files each
# (they last 0.1 s, 0.019 s and 0.016 s).
SPLIT_CAPTURES = {"multi-session.pcapng": "0.02", "tls12-bigtransfer.pcap": "0.004",
                  "tls13-retransmissions.pcap": "0.003"}


def frame_count(path):
    """Frames in a capture, counted with dpkt (not Wireshark)."""
    with open(path, "rb") as f:
        magic = f.read(4)
        f.seek(0)
        reader = dpkt.pcapng.Reader(f) if magic == b"\x0a\x0d\x0d\x0a" else dpkt.pcap.Reader(f)
        return sum(1 for _ in reader)


def pcapng_interface_blocks(path):
    """The interface description blocks of a little-endian pcapng file,
    counted by walking its blocks."""
    count = 0
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        block_type, length = struct.unpack_from("<II", data, at)
        if block_type == 0x0A0D0D0A:
            assert data[at + 8:at + 12] == b"\x4d\x3c\x2b\x1a", "not a little-endian section"
        count += block_type == 1
        at += length
    return count


def file_of_frame(pieces, frame):
    """The piece holding a frame number of the whole capture, from the pieces'
    frame counts in order."""
    last = 0
    for name, count in pieces:
        last += count
        if frame <= last:
            return name
    raise AssertionError("frame %d beyond the pieces" % frame)


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def first_and_last_times(path):
    """The first and last frame's times (seconds since the epoch), with dpkt."""
    with open(path, "rb") as f:
        magic = f.read(4)
        f.seek(0)
        reader = dpkt.pcapng.Reader(f) if magic == b"\x0a\x0d\x0d\x0a" else dpkt.pcap.Reader(f)
        times = [float(ts) for ts, _ in reader]
    return times[0], times[-1]


def report_data(path):
    """The JSON data of an HTML report."""
    with open(path) as f:
        page = f.read()
    start = page.index('<script type="application/json" id="tlsdist-data">')
    start = page.index(">", start) + 1
    return json.loads(page[start:page.index("</script>", start)])


def endpoint(ip, port):
    return ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)


def expected_chart(pairs):
    """A report's chart of (label, TLS bytes) pairs, one a session: bars of
    [label, bytes, sessions] by bytes (then label), the first 15 kept and the
    rest summed into others."""
    groups = {}
    for label, size in pairs:
        bar = groups.setdefault(label, [label, 0, 0])
        bar[1] += size
        bar[2] += 1
    bars = sorted(groups.values(), key=lambda bar: (-bar[1], bar[0]))
    return {"bars": bars[:15], "others": [sum(b[1] for b in bars[15:]), sum(b[2] for b in bars[15:])]}


def expected_starts(sessions, first, last):
    """Sessions started in each 60th of a capture's time, from the reference's
    session starts and the capture's first and last frame."""
    starts = [0] * 60
    for s in sessions:
        part = (s["start"] - first) / (last - first) * 60 if last > first else 0
        starts[min(59, max(0, int(part)))] += 1
    return starts


def drawn_bars(browser, figure):
    """The bars a chart of the page draws, as [label, bytes, sessions], from
    their tooltips ("label: N bytes in M sessions")."""
    titles = browser.js("return Array.from(document.querySelectorAll('#' + arguments[0] + ' rect title'))"
                        ".map(function (t) { return t.textContent; });", figure)
    bars = []
    for title in titles:
        label, size, sessions = re.fullmatch(r"(.*): ([\d,]+) bytes in ([\d,]+) sessions?", title).groups()
        bars.append([label, int(size.replace(",", "")), int(sessions.replace(",", ""))])
    return bars


class ManyTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()

    @classmethod
    def tearDownClass(cls):
        cls.box.close()

    def folder(self, name):
        path = os.path.join(self.box.root, name)
        os.mkdir(path)
        os.chmod(path, 0o777)  # (tshark runs as nobody and writes outputs here)
        return path

    def split(self, capture, how, folder):
        """Cuts a shipped capture with editcap (-c FRAMES or -i SECONDS) into
        folder; returns [(path, frames)] in capture order."""
        return self.split_file(self.box.capture(capture), how, folder)

    def split_file(self, path, how, folder):
        subprocess.run(["editcap"] + how + [path, os.path.join(folder, "piece" + os.path.splitext(path)[1])],
                       check=True, capture_output=True)
        names = sorted(os.listdir(folder))
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)
        return [(os.path.join(folder, name), frame_count(os.path.join(folder, name))) for name in names]

    def run_ok(self, *argv):
        done = self.box.tlsdist(*argv)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done

    def read(self, path):
        with open(path, newline="") as f:
            return f.read()

    def test_file_set_equals_the_whole_file(self):
        for capture in SPLIT_CAPTURES:
            whole = self.box.capture(capture)
            total = frame_count(whole)
            expected_sessions = {(s["transport"], s["stream"]): s["first_frame"] for s in reference(whole)["sessions"]}
            whole_out = os.path.join(self.box.home, capture + ".csv")
            whole_packets = os.path.join(self.box.home, capture + ".packets.csv")
            self.run_ok("-o", whole_out, "-p", whole_packets, whole)
            whole_rows = parse_session_csv(self.read(whole_out))
            whole_frames = parse_packet_csv(self.read(whole_packets))
            self.assertEqual(len(whole_rows), len(expected_sessions))
            # Cuts every few frames (inside handshakes and records spanning
            # segments), in two, and by time.
            for how in (["-c", "3"], ["-c", "7"], ["-c", str(total // 2 + 1)], ["-i", SPLIT_CAPTURES[capture]]):
                with self.subTest(capture=capture, how=how):
                    folder = self.folder("%s%s" % (capture, "".join(how)))
                    pieces = self.split(capture, how, folder)
                    self.assertEqual(sum(count for _, count in pieces), total)
                    self.assertGreater(len(pieces), 10 if how == ["-c", "3"] else 1)
                    # the files given in shuffled order, then as a folder
                    shuffled = [path for path, _ in pieces]
                    random.Random(18).shuffle(shuffled)
                    out = os.path.join(folder, "sessions.csv")
                    packets = os.path.join(folder, "packets.csv")
                    self.run_ok("-o", out, "-p", packets, *shuffled)
                    rows = parse_session_csv(self.read(out))
                    self.assertEqual(len(rows), len(whole_rows))
                    for row, whole_row in zip(rows, whole_rows):
                        first_frame = expected_sessions[(row["transport"], int(row["stream"]))]
                        self.assertEqual(row.pop("capture"), file_of_frame(pieces, first_frame))
                        self.assertEqual(row, whole_row)
                    frames = parse_packet_csv(self.read(packets))
                    self.assertEqual(len(frames), len(whole_frames))
                    for frame, whole_frame in zip(frames, whole_frames):
                        self.assertEqual(frame.pop("capture"), file_of_frame(pieces, int(frame["frame"])))
                        self.assertEqual(frame, whole_frame)
                    if how == ["-c", "7"]:
                        # the folder: the same rows, its files named as listed
                        from_files = self.read(out)
                        os.remove(out)
                        os.remove(packets)
                        from_folder = os.path.join(self.box.home, "from-folder.csv")
                        self.run_ok("-o", from_folder, folder + "/")
                        self.assertEqual(self.read(from_folder), from_files)

    def test_file_set_order_without_file_set_names(self):
        """Names that are not dumpcap file-set names: the files go by their
        first packet's time, whatever the names and argument order say."""
        folder = self.folder("renamed")
        pieces = self.split("multi-session.pcapng", ["-c", "40"], folder)
        renamed = []
        for index, (path, count) in enumerate(pieces):
            name = os.path.join(folder, "z%02d.pcapng" % (len(pieces) - index))  # names in reverse time order
            os.rename(path, name)
            renamed.append((name, count))
        out = os.path.join(folder, "sessions.csv")
        self.run_ok("-o", out, *[path for path, _ in renamed])
        whole_out = os.path.join(folder, "whole.csv")
        self.run_ok("-o", whole_out, self.box.capture("multi-session.pcapng"))
        rows = parse_session_csv(self.read(out))
        expected = {(s["transport"], s["stream"]): s["first_frame"]
                    for s in reference(self.box.capture("multi-session.pcapng"))["sessions"]}
        for row, whole_row in zip(rows, parse_session_csv(self.read(whole_out))):
            first_frame = expected[(row["transport"], int(row["stream"]))]
            self.assertEqual(row.pop("capture"), file_of_frame(renamed, first_frame))
            self.assertEqual(row, whole_row)

    def test_file_set_table_has_a_capture_column(self):
        folder = self.folder("table")
        pieces = self.split("multi-session.pcapng", ["-c", "100"], folder)
        done = self.run_ok(folder)
        rows, totals, _ = parse_table(done.stdout)
        self.assertEqual(done.stdout.split("\n")[1].split()[0], "CAPTURE")
        expected = reference(self.box.capture("multi-session.pcapng"))
        self.assertEqual(len(rows), len(expected["sessions"]))
        self.assertEqual([row[0] for row in rows],
                         [file_of_frame(pieces, s["first_frame"]) for s in expected["sessions"]])
        self.assertIn("Total packets: %d " % expected["packets"], totals)

    def test_one_file_has_no_capture_column(self):
        """One FILE keeps the columns it always had (scripts read them by
        position); --capture-name adds the column to it."""
        path = self.box.capture("tls12-openssl.pcap")
        plain = csv_rows(self.run_ok("-o", "-", path).stdout)
        self.assertNotIn("capture", plain[0])
        named = self.run_ok("--capture-name", "lab, run 1", "-o", "-", path).stdout
        self.assertTrue(named.startswith("capture,stream,"))
        named_rows = csv_rows(named)
        self.assertEqual([row.pop("capture") for row in named_rows], ["lab, run 1"] * len(plain))
        self.assertEqual(named_rows, plain)

    def test_capture_list_from_a_file(self):
        """captures-from=: tshark run directly with a list in a file gives
        the capture column the frame counts say (the reference's first
        frames) and the same outputs as the list given inline; a list that
        cannot be read leaves the view's file empty, with a message."""
        folder = self.folder("capture-list")
        capture = self.box.capture("multi-session.pcapng")
        pieces = [("first, piece.pcapng", 40), ("second.pcapng", frame_count(capture) - 40)]
        listing = os.path.join(folder, "list")
        with open(listing, "w") as f:
            f.write("".join("%d %s\n" % (count, name) for name, count in pieces))
        os.chmod(listing, 0o644)
        inline = "".join("%d %s\n" % (count, name) for name, count in pieces).replace(",", "\\,")
        outputs = {}
        for how, key in (("file", "captures-from=" + listing), ("inline", "captures=" + inline.rstrip("\n"))):
            done = self.box.tshark("-r", capture, "-q",
                                   "-z", "tlsdist,csv,out=%s/%s.csv,%s" % (folder, how, key),
                                   "-z", "tlsdist,packets,out=%s/%s.packets.csv,%s" % (folder, how, key),
                                   "-z", "tlsdist,html,out=%s/%s.html,%s" % (folder, how, key))
            self.assertEqual(done.returncode, 0, done.stderr)
            outputs[how] = [self.read(os.path.join(folder, how + suffix)) for suffix in (".csv", ".packets.csv", ".html")]
        self.assertEqual(outputs["file"], outputs["inline"])
        sessions, frames, html = outputs["file"]
        expected = {(s["transport"], s["stream"]): s["first_frame"] for s in reference(capture)["sessions"]}
        rows = parse_session_csv(sessions)
        self.assertEqual(len(rows), len(expected))
        self.assertEqual({row["capture"] for row in rows}, {name for name, _ in pieces})
        for row in rows:
            self.assertEqual(row["capture"], file_of_frame(pieces, expected[(row["transport"], int(row["stream"]))]))
        for frame in parse_packet_csv(frames):
            self.assertEqual(frame["capture"], file_of_frame(pieces, int(frame["frame"])))
        self.assertIn("<title>tlsdist: first, piece.pcapng and 1 more file(s)</title>", html)

        missing = os.path.join(folder, "no-such-list")
        out = os.path.join(folder, "unlisted.csv")
        done = self.box.tshark("-r", capture, "-q", "-z", "tlsdist,csv,out=%s,captures-from=%s" % (out, missing))
        self.assertIn("tlsdist: cannot read the list of captures in %s: No such file or directory" % missing,
                      done.stderr)
        self.assertEqual(self.read(out), "")

    def test_file_set_errors(self):
        folder = self.folder("bad-set")
        pieces = self.split("multi-session.pcapng", ["-c", "200"], folder)
        broken = os.path.join(folder, "not-a-capture.pcap")
        shutil.copy(self.box.capture("not-a-capture.pcap"), broken)
        os.chmod(broken, 0o644)
        done = self.box.tlsdist(pieces[0][0], broken)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn('cannot read "%s" as part of one capture' % broken, done.stderr)
        empty = self.folder("empty-folder")
        done = self.box.tlsdist(empty)
        self.assertEqual(done.returncode, 2)
        self.assertIn('no files in the directory "%s"' % empty, done.stderr)

    def test_folder_listing_and_names_as_given(self):
        """A folder's captures are its regular files and links to them, in
        byte order of their names, hidden files and subfolders left out; a
        FILE argument is a name, never a pattern."""
        folder = self.folder("listing")
        placed = {"a1.pcap": "multi-session.pcapng", "a[1].pcap": "tls13-openssl.pcap",
                  "b.pcap": "tls12-openssl.pcap", ".hidden.pcap": "zeek-tls1.2.pcap",
                  os.path.join("sub", "c.pcap"): "zeek-tls1.2.pcap"}
        os.mkdir(os.path.join(folder, "sub"))
        for name, capture in placed.items():
            shutil.copy(self.box.capture(capture), os.path.join(folder, name))
            os.chmod(os.path.join(folder, name), 0o644)
        os.symlink(self.box.capture("zeek-tls1.2.pcap"), os.path.join(folder, "c-link.pcap"))
        out = os.path.join(self.box.home, "listing.csv")
        self.run_ok("--each", "-o", out, folder + "/")
        rows = csv_rows(self.read(out))
        captures = list(dict.fromkeys(row["capture"] for row in rows))
        expected = [("a1.pcap", "multi-session.pcapng"), ("a[1].pcap", "tls13-openssl.pcap"),
                    ("b.pcap", "tls12-openssl.pcap"), ("c-link.pcap", "zeek-tls1.2.pcap")]
        self.assertEqual(captures, [os.path.join(folder, name) for name, _ in expected])
        for name, capture in expected:
            self.assertEqual(sum(row["capture"] == os.path.join(folder, name) for row in rows),
                             len(reference(self.box.capture(capture))["sessions"]), name)
        # "a[1].pcap" as a pattern would be a1.pcap
        literal = os.path.join(self.box.home, "literal.csv")
        self.run_ok("-o", literal, os.path.join(folder, "a[1].pcap"))
        self.assertEqual(len(csv_rows(self.read(literal))),
                         len(reference(self.box.capture("tls13-openssl.pcap"))["sessions"]))
        self.assertNotEqual(len(reference(self.box.capture("tls13-openssl.pcap"))["sessions"]),
                            len(reference(self.box.capture("multi-session.pcapng"))["sessions"]))

    def assert_file_set_equals(self, whole, pieces, paths=None):
        """The file set of pieces (given as paths, in shuffled order unless
        given) reads as the capture whole: every session and packet row as
        in the whole file's run, plus the capture column naming the piece
        of its first frame (of its frame, per packet) by the pieces' frame
        counts (dpkt's)."""
        self.assertEqual(sum(count for _, count in pieces), frame_count(whole))
        if paths is None:
            paths = [path for path, _ in pieces]
            random.Random(18).shuffle(paths)
        home = self.box.home
        self.run_ok("-o", os.path.join(home, "whole.csv"), "-p", os.path.join(home, "whole.packets.csv"), whole)
        self.run_ok("-o", os.path.join(home, "set.csv"), "-p", os.path.join(home, "set.packets.csv"), *paths)
        first_frames = {(s["transport"], s["stream"]): s["first_frame"] for s in reference(whole)["sessions"]}
        rows = parse_session_csv(self.read(os.path.join(home, "set.csv")))
        whole_rows = parse_session_csv(self.read(os.path.join(home, "whole.csv")))
        self.assertEqual(len(rows), len(first_frames))
        self.assertEqual(len(rows), len(whole_rows))
        for row, whole_row in zip(rows, whole_rows):
            first_frame = first_frames[(row["transport"], int(row["stream"]))]
            self.assertEqual(row.pop("capture"), file_of_frame(pieces, first_frame))
            self.assertEqual(row, whole_row)
        frames = parse_packet_csv(self.read(os.path.join(home, "set.packets.csv")))
        whole_frames = parse_packet_csv(self.read(os.path.join(home, "whole.packets.csv")))
        self.assertEqual(len(frames), len(whole_frames))
        for frame, whole_frame in zip(frames, whole_frames):
            self.assertEqual(frame.pop("capture"), file_of_frame(pieces, int(frame["frame"])))
            self.assertEqual(frame, whole_frame)

    def test_file_set_of_pcapng_files_with_two_interfaces(self):
        """pcapng files are read one after the other as they are: each
        piece holds two interfaces (two captures merged with mergecap -I
        none keep theirs apart), and the capture column still goes by the
        pieces' frame counts."""
        whole = os.path.join(self.folder("two-interfaces"), "two.pcapng")
        subprocess.run(["mergecap", "-I", "none", "-w", whole, self.box.capture("multi-session.pcapng"),
                        self.box.capture("tls12-bigtransfer.pcap")], check=True, capture_output=True)
        os.chmod(whole, 0o644)
        folder = self.folder("two-interfaces-set")
        pieces = self.split_file(whole, ["-c", "9"], folder)
        self.assertGreater(len(pieces), 10)
        for path, _ in pieces:
            self.assertEqual(pcapng_interface_blocks(path), 2, path)
        self.assert_file_set_equals(whole, pieces)

    def test_file_set_of_other_formats_through_mergecap(self):
        """Pieces in pcap format, or a compressed pcapng piece among plain
        ones, go through mergecap: the same rows and capture column."""
        whole = self.box.capture("multi-session.pcapng")
        folder = self.folder("pcap-set")
        pieces = self.split("multi-session.pcapng", ["-F", "pcap", "-c", "25"], folder)
        with open(pieces[0][0], "rb") as f:
            self.assertEqual(f.read(4), b"\xd4\xc3\xb2\xa1")  # (classic pcap, little-endian)
        self.assert_file_set_equals(whole, pieces)
        folder = self.folder("gzip-set")
        pieces = self.split("multi-session.pcapng", ["-c", "25"], folder)
        compressed = pieces[2][0] + ".gz"
        subprocess.run(["gzip", pieces[2][0]], check=True)
        os.chmod(compressed, 0o644)
        pieces[2] = (compressed, pieces[2][1])
        self.assert_file_set_equals(whole, pieces)

    def test_file_set_with_a_damaged_file(self):
        """A piece cut short in a packet, among good ones: refused by name
        before tshark reads anything, exit status 2."""
        folder = self.folder("damaged-set")
        pieces = self.split("multi-session.pcapng", ["-c", "40"], folder)
        damaged = pieces[1][0]
        with open(damaged, "r+b") as f:
            f.truncate(os.path.getsize(damaged) - 10)
        out = os.path.join(folder, "sessions.csv")
        done = self.box.tlsdist("-o", out, *[path for path, _ in pieces])
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn('cannot read "%s" as part of one capture' % damaged, done.stderr)
        self.assertEqual(os.path.getsize(out) if os.path.exists(out) else 0, 0)

    def test_file_set_helper_agrees_with_capinfos(self):
        """tlsdist-file-set's facts, from the record headers alone, against
        capinfos (Wiretap reading every packet) and dpkt's frame count on
        every shipped capture; the damaged ones it leaves to capinfos."""
        helper = os.path.join(self.box.root, "tlsdist-file-set")
        self.assertTrue(os.access(helper, os.X_OK), "tlsdist-file-set is not built")
        real_world = os.path.join(self.box.captures, "real-world")
        names = sorted(name for name in os.listdir(self.box.captures) if name.endswith((".pcap", ".pcapng")))
        names += sorted(os.path.join("real-world", name) for name in os.listdir(real_world))
        declined = []
        for name in names:
            path = self.box.capture(name)
            done = subprocess.run([helper, "facts", path], capture_output=True, text=True)
            if done.returncode == 3:
                self.assertEqual(done.stdout, "", name)
                declined.append(name)
                continue
            self.assertEqual(done.returncode, 0, done.stderr)
            capinfos = subprocess.run(["capinfos", "-T", "-r", "-t", "-c", "-a", "-S", "-M", path],
                                      capture_output=True, text=True, check=True)
            got, expected = done.stdout.rstrip("\n").split("\t"), capinfos.stdout.rstrip("\n").split("\t")
            self.assertEqual(got[:3], expected[:3], name)
            # (capinfos writes as many decimals as the file's time precision)
            self.assertEqual(Decimal(got[3]), Decimal(expected[3]), name)
            self.assertEqual(int(got[2]), frame_count(path), name)
        self.assertGreater(len(names), 40)
        self.assertEqual(declined, ["not-a-capture.pcap", "truncated.pcap"])
        for name in declined:
            capinfos = subprocess.run(["capinfos", "-c", self.box.capture(name)], capture_output=True, text=True)
            self.assertRegex(capinfos.stderr, "capinfos: ", name)

    def test_file_set_without_the_helper(self):
        """Where tlsdist-file-set is not installed, capinfos counts the
        frames and cat joins the pcapng files: the same outputs."""
        folder = self.folder("no-helper-set")
        paths = [path for path, _ in self.split("multi-session.pcapng", ["-c", "30"], folder)]
        alone = self.box.folder("command-alone")
        command = os.path.join(alone, "tlsdist")
        shutil.copy(self.box.front_end, command)
        os.chmod(command, 0o755)
        outputs = {}
        for how, front_end in (("with", self.box.front_end), ("without", command)):
            out, packets = os.path.join(folder, how + ".csv"), os.path.join(folder, how + ".packets.csv")
            done = self.box.run([front_end, "-o", out, "-p", packets] + paths)
            self.assertEqual(done.returncode, 0, done.stderr)
            outputs[how] = (self.read(out), self.read(packets))
        self.assertGreater(len(outputs["with"][0].splitlines()), 3)
        self.assertEqual(outputs["without"], outputs["with"])

    def dataset(self, name):
        folder = self.folder(name)
        names = ["tls12-openssl.pcap", "multi-session.pcapng", "not-a-capture.pcap", "tls13-openssl.pcap",
                 "zeek-tls1.2.pcap"]
        for name in names:
            shutil.copy(self.box.capture(name), os.path.join(folder, name))
            os.chmod(os.path.join(folder, name), 0o644)
        return folder, sorted(names)

    def test_dataset_equals_each_file_alone(self):
        folder, names = self.dataset("dataset")
        out = os.path.join(self.box.home, "dataset-sessions.csv")
        packets = os.path.join(self.box.home, "dataset-packets.csv")
        done = self.box.tlsdist("--each", "-j", "2", "-o", out, "-p", packets, folder)
        self.assertEqual(done.returncode, 2, done.stderr)
        broken = os.path.join(folder, "not-a-capture.pcap")
        self.assertRegex(done.stderr, r"tlsdist: %s: tshark: .*isn't a capture file" % re.escape(broken))
        self.assertIn("1 of 5 captures could not be read", done.stderr)
        sessions = csv_rows(self.read(out))
        frames = csv_rows(self.read(packets))
        expected_sessions, expected_frames = [], []
        for name in names:
            if name == "not-a-capture.pcap":
                continue
            path = os.path.join(folder, name)
            alone_out = os.path.join(self.box.home, "alone-" + name + ".csv")
            alone_packets = os.path.join(self.box.home, "alone-" + name + ".packets.csv")
            self.run_ok("-o", alone_out, "-p", alone_packets, path)
            alone = csv_rows(self.read(alone_out))
            self.assertEqual(len(alone), len(reference(path)["sessions"]))
            expected_sessions += [dict(row, capture=path) for row in alone]
            expected_frames += [dict(row, capture=path) for row in csv_rows(self.read(alone_packets))]
        self.assertEqual(sessions, expected_sessions)
        self.assertEqual(frames, expected_frames)
        self.assertEqual(list(sessions[0])[0], "capture")

    def test_dataset_html_report(self):
        """One report over a dataset with a capture that is not one and one
        cut short: each capture's figures as that file alone (the independent
        reference), the dataset's as their sums, the charts over every
        session of the dataset's session CSV, the failures named."""
        folder, names = self.dataset("dataset-html")
        shutil.copy(self.box.capture("truncated.pcap"), os.path.join(folder, "truncated.pcap"))
        os.chmod(os.path.join(folder, "truncated.pcap"), 0o644)
        names = sorted(names + ["truncated.pcap"])
        html = os.path.join(self.box.home, "dataset.html")
        out = os.path.join(self.box.home, "dataset-html.csv")
        done = self.box.tlsdist("--each", "-j", "2", "--html", html, "-o", out, folder)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("2 of 6 captures could not be read", done.stderr)
        data = report_data(html)
        self.assertEqual(data["title"], "6 captures in dataset-html")
        captures = data["captures"]
        self.assertEqual([c[0] for c in captures], [os.path.join(folder, name) for name in names])
        sums = {"frames": 0, "tls_frames": 0, "sessions": 0, "tx_bytes": 0, "rx_bytes": 0}
        references = {}
        for name, (capture_name, failure, totals, tx, rx, figures) in zip(names, captures):
            with self.subTest(capture=name):
                path = os.path.join(folder, name)
                if name == "not-a-capture.pcap":
                    self.assertIn("isn't a capture file", failure)
                    self.assertIsNone(totals)
                    continue
                if name == "truncated.pcap":
                    self.assertIn("cut short", failure)
                else:
                    self.assertIsNone(failure)
                    first, last = first_and_last_times(path)
                    self.assertAlmostEqual(totals[3], first, places=5)
                    self.assertAlmostEqual(totals[5], last, places=5)
                expected = references[name] = reference(path)
                sessions = expected["sessions"]
                self.assertEqual(totals[:3], [expected["packets"], expected["tls_packets"], len(sessions)])
                self.assertEqual((tx, rx), (sum(s["tx_bytes"] for s in sessions), sum(s["rx_bytes"] for s in sessions)))
                # The capture's own charts: its sessions only (the dataset's
                # have other servers and versions).
                self.assertEqual(figures["versions"], expected_chart(
                    (s["version"], s["tx_bytes"] + s["rx_bytes"]) for s in sessions))
                self.assertEqual(figures["by_server"], expected_chart(
                    (endpoint(s["server_ip"], s["server_port"]), s["tx_bytes"] + s["rx_bytes"]) for s in sessions))
                self.assertEqual(figures["by_port"], expected_chart(
                    (str(s["server_port"]), s["tx_bytes"] + s["rx_bytes"]) for s in sessions))
                self.assertEqual(figures["starts"], expected_starts(sessions, totals[3], totals[5]))
                for key, value in zip(("frames", "tls_frames", "sessions", "tx_bytes", "rx_bytes"),
                                      totals[:3] + [tx, rx]):
                    sums[key] += value
        self.assertEqual(data["totals"], dict(sums, captures=6, failed=2))

        # The charts, over every row of the dataset's session CSV.
        rows = csv_rows(self.read(out))
        self.assertEqual(len(rows), sums["sessions"])
        for chart, label in (("by_server", lambda r: endpoint(r["server_ip"], r["server_port"])),
                             ("versions", lambda r: r["version"])):
            groups = {}
            for row in rows:
                bar = groups.setdefault(label(row), [label(row), 0, 0])
                bar[1] += int(row["tx_bytes"]) + int(row["rx_bytes"])
                bar[2] += 1
            bars = sorted(groups.values(), key=lambda bar: (-bar[1], bar[0]))
            self.assertGreater(len(bars), 1)
            self.assertEqual(data[chart]["bars"], bars[:15], chart)
            self.assertEqual(data[chart]["others"], [sum(b[1] for b in bars[15:]), sum(b[2] for b in bars[15:])])
        # Every session in the table, with its capture.
        self.assertEqual(sorted((captures[s[17]][0], s[0], s[16], s[8], s[9]) for s in data["sessions"]),
                         sorted((r["capture"], int(r["stream"]), r["transport"], int(r["tx_bytes"]),
                                 int(r["rx_bytes"])) for r in rows))

        # Drawn in a browser: no script errors, the captures table, and the
        # session table narrowed to one capture.
        browser = test_report.Browser()
        self.addCleanup(browser.close)
        browser.open(html)
        browser.screenshot("dataset-report.png")
        self.assertEqual(browser.errors(), [])
        summary = browser.js("""var out = {}; document.querySelectorAll('#summary dt').forEach(
            function (dt) { out[dt.textContent] = dt.nextElementSibling.textContent; }); return out;""")
        self.assertEqual(summary["Captures"], "6 (2 could not be read fully)")
        self.assertEqual(summary["TLS sessions"], "{:,}".format(sums["sessions"]))
        table = browser.js("""return Array.from(document.querySelectorAll('#capture-table tbody tr')).map(
            function (tr) { return [tr.className, tr.cells[0].textContent, tr.cells[3].textContent,
                                    tr.cells[9].textContent]; });""")
        self.assertEqual([row[1] for row in table], [c[0] for c in captures])
        self.assertEqual([row[0] for row in table], ["failed" if c[1] else "read" for c in captures])
        self.assertTrue(table[names.index("not-a-capture.pcap")][3].startswith("could not be read: "))
        index = names.index("tls13-openssl.pcap")
        self.assertEqual(table[index][2], str(captures[index][2][2]))

        # Each capture's own view: the summary, version mix, charts,
        # sessions over time and table of that file alone (the reference's
        # figures), chosen at the top of the page or from the captures table.
        def summary_now():
            return browser.js("""var out = {}; document.querySelectorAll('#summary dt').forEach(
                function (dt) { out[dt.textContent] = dt.nextElementSibling.textContent; }); return out;""")

        def shown_view(view):
            wait_until(lambda: browser.js("return document.body.getAttribute('data-view')") == view, 30, view)
            self.assertEqual(browser.errors(), [])

        def plural(count, word):
            return "%s %s%s" % ("{:,}".format(count), word, "" if count == 1 else "s")

        for name in ("tls13-openssl.pcap", "multi-session.pcapng"):
            with self.subTest(view=name):
                index = names.index(name)
                sessions = references[name]["sessions"]
                browser.js("var s = document.getElementById('capture-filter'); s.value = arguments[0]; "
                           "s.dispatchEvent(new Event('change'));", str(index))
                shown_view("capture-%d" % index)
                summary = summary_now()
                self.assertEqual(summary["Status"], "read")
                self.assertEqual(summary["Packets"], "{:,}".format(references[name]["packets"]))
                self.assertEqual(summary["TLS sessions"], "{:,}".format(len(sessions)))
                tx, rx = sum(s["tx_bytes"] for s in sessions), sum(s["rx_bytes"] for s in sessions)
                self.assertEqual(summary["TLS bytes"], "{:,} (TX {:,}, RX {:,})".format(tx + rx, tx, rx))
                versions = expected_chart((s["version"], s["tx_bytes"] + s["rx_bytes"]) for s in sessions)["bars"]
                self.assertEqual(browser.js("return Array.from(document.querySelectorAll('#version-mix span'))"
                                            ".map(function (s) { return s.textContent; });"),
                                 ["%s: %s, %s bytes" % (v[0], plural(v[2], "session"), "{:,}".format(v[1]))
                                  for v in versions])
                self.assertEqual(drawn_bars(browser, "by-server"), expected_chart(
                    (endpoint(s["server_ip"], s["server_port"]), s["tx_bytes"] + s["rx_bytes"]) for s in sessions)["bars"])
                starts = browser.js("return Array.from(document.querySelectorAll('#session-starts rect title'))"
                                    ".map(function (t) { return t.textContent; });")
                self.assertEqual([int(re.search(r" s: ([\d,]+) sessions? started$", t).group(1)) for t in starts],
                                 expected_starts(sessions, *first_and_last_times(os.path.join(folder, name))))
                self.assertEqual(browser.js("return document.querySelectorAll('#timeline rect[data-stream]').length"),
                                 len(sessions))
                browser.wait_for("page-1")
                self.assertEqual([row[0] for row in browser.page()["rows"]], [captures[index][0]] * len(sessions))
                browser.screenshot("dataset-report-%s.png" % name)

        # Back to the whole dataset (the captures table unfolds again); a
        # capture that could not be read, from its link in that table: its
        # message, and nothing drawn for it.
        browser.js("var s = document.getElementById('capture-filter'); s.value = '-1'; "
                   "s.dispatchEvent(new Event('change'));")
        shown_view("dataset")
        self.assertEqual(summary_now()["TLS sessions"], "{:,}".format(sums["sessions"]))
        self.assertEqual(len(browser.page()["rows"]), sums["sessions"])
        index = names.index("not-a-capture.pcap")
        browser.driver.find_element(By.CSS_SELECTOR, '#capture-table tr[data-capture="%d"] a' % index).click()
        shown_view("capture-%d" % index)
        status = summary_now()["Status"]
        self.assertEqual(status, "could not be read: " + captures[index][1])
        self.assertIn("isn't a capture file", status)
        self.assertEqual(browser.js("return document.querySelector('#charts p').textContent"),
                         "Nothing to show: this capture could not be read.")
        self.assertEqual(browser.page()["rows"], [])
        browser.screenshot("dataset-report-failed-capture.png")
        # A link to one capture's section opens the page on it.
        index = names.index("zeek-tls1.2.pcap")
        browser.open(html + "#capture-%d" % index)
        shown_view("capture-%d" % index)
        self.assertEqual(summary_now()["TLS sessions"], "{:,}".format(len(references["zeek-tls1.2.pcap"]["sessions"])))

    def test_dataset_html_report_with_filter_and_scope(self):
        """-f and -s reach every capture's run and the page: each capture's
        totals are those of tshark's totals view on that file alone with the
        same filter and scope, its sessions the reference's that pass it."""
        folder = self.folder("dataset-filtered")
        names = ["multi-session.pcapng", "tls12-openssl.pcap"]
        for name in names:
            shutil.copy(self.box.capture(name), os.path.join(folder, name))
            os.chmod(os.path.join(folder, name), 0o644)
        html = os.path.join(self.box.home, "filtered.html")
        self.run_ok("--each", "--html", html, "-f", "tcp.stream==1", "-s", "appdata", folder)
        data = report_data(html)
        self.assertEqual((data["title"], data["filter"]), ("2 captures in dataset-filtered", "tcp.stream==1"))
        self.assertIn('<p id="byte-scope">', self.read(html))
        for name, capture in zip(names, data["captures"]):
            path = os.path.join(folder, name)
            alone = csv_rows(self.box.tshark("-r", path, "-q", "-z", "tlsdist,totals,scope=appdata,tcp.stream==1").stdout)
            self.assertEqual(capture[2][:3], [int(alone[0][k]) for k in ("frames", "tls_frames", "tls_sessions")])
            self.assertEqual(capture[3:5], [int(alone[0]["tx_bytes"]), int(alone[0]["rx_bytes"])])
            passing = [s for s in reference(path)["sessions"] if s["transport"] == "tcp" and s["stream"] == 1]
            self.assertEqual(capture[2][2], len(passing))
        self.assertEqual(data["totals"]["sessions"], 1)

    def test_dataset_report_refuses_outputs_that_disagree(self):
        """tlsdist-dataset-report on a capture's outputs that cannot be whole:
        a session CSV cut short, or totals that count other sessions, stop it
        with a message naming the file (exit 2), not with a wrong page."""
        folder = self.folder("disagree")
        prefix = os.path.join(folder, "000001")
        self.run_ok("--capture-name", "one.pcap", "-o", prefix + ".csv", self.box.capture("tls12-openssl.pcap"))
        csv_text = self.read(prefix + ".csv")
        listing = os.path.join(folder, "captures")
        with open(listing, "w") as f:
            f.write("0\t%s\tone.pcap\n" % prefix)
        program = os.path.join(self.box.root, "tlsdist-dataset-report")
        page = os.path.join(folder, "r.html")
        session = csv_rows(csv_text)[0]
        for totals, csv_cut, message in (
                ("20,10,2,%s,%s,1.000000,2.000000" % (session["tx_bytes"], session["rx_bytes"]), csv_text,
                 "has 1 sessions with %s and %s TLS bytes, where %s.totals says 2" % (
                     session["tx_bytes"], session["rx_bytes"], prefix)),
                ("20,10,1,%s,%s,1.000000,2.000000" % (session["tx_bytes"], session["rx_bytes"]), csv_text[:-100],
                 "%s.csv: line 2: the row does not end with a line break" % prefix)):
            with self.subTest(message=message):
                with open(prefix + ".totals", "w", newline="") as f:
                    f.write("frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch\r\n"
                            + totals + "\r\n")
                with open(prefix + ".csv", "w", newline="") as f:
                    f.write(csv_cut)
                done = self.box.run([program, "-o", page, listing])
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn("tlsdist: the outputs of one.pcap cannot be read: ", done.stderr)
                self.assertIn(message, done.stderr)
        # Whole and agreeing, the same outputs give the page.
        with open(prefix + ".csv", "w", newline="") as f:
            f.write(csv_text)
        with open(prefix + ".totals", "w", newline="") as f:
            f.write("frames,tls_frames,tls_sessions,tx_bytes,rx_bytes,first_frame_epoch,last_frame_epoch\r\n"
                    "20,10,1,%s,%s,1.000000,2.000000\r\n" % (session["tx_bytes"], session["rx_bytes"]))
        done = self.box.run([program, "-o", page, "--title", "t", listing])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(report_data(page)["totals"]["sessions"], 1)

    def test_dataset_table_sections(self):
        folder = self.folder("dataset-table")
        for name in ("tls12-openssl.pcap", "tls13-openssl.pcap"):
            shutil.copy(self.box.capture(name), os.path.join(folder, name))
            os.chmod(os.path.join(folder, name), 0o644)
        done = self.run_ok("--each", folder)
        sections = done.stdout.split("Capture: ")[1:]
        self.assertEqual([section.split("\n")[0] for section in sections],
                         [os.path.join(folder, "tls12-openssl.pcap"), os.path.join(folder, "tls13-openssl.pcap")])
        for section, name in zip(sections, ("tls12-openssl.pcap", "tls13-openssl.pcap")):
            rows, _, _ = parse_table(section.split("\n", 1)[1])
            self.assertEqual(len(rows), len(reference(self.box.capture(name))["sessions"]))

    def test_merge(self):
        paths = [self.box.capture(name) for name in ("tls12-openssl.pcap", "multi-session.pcapng", "zeek-tls1.2.pcap",
                                                      "joy-tls12.pcap", "illustrated-tls12.pcap")]
        parts = []
        for index, path in enumerate(paths):
            part = os.path.join(self.box.home, "part%d.csv" % index)
            self.run_ok("--capture-name", os.path.basename(path), "-o", part, path)
            parts.append(part)
        merged_file = os.path.join(self.box.home, "merged.csv")
        self.run_ok("merge", "-o", merged_file, *parts)
        merged = self.read(merged_file)
        texts = [self.read(part) for part in parts]
        self.assertEqual(csv_rows(merged), [row for text in texts for row in csv_rows(text)])
        self.assertEqual(merged, texts[0] + "".join(text.split("\r\n", 1)[1] for text in texts[1:]))
        rows = csv_rows(merged)
        for by, key_columns in (("server", ["server_ip", "server_port"]), ("sni", ["server_name"])):
            with self.subTest(by=by):
                self.run_ok("merge", "--by", by, "-o", merged_file, *parts)
                summed = csv_rows(self.read(merged_file))
                expected = {}
                for row in rows:
                    key = tuple(row[c] for c in key_columns)
                    entry = expected.setdefault(key, {"sessions": 0, "tx_bytes": 0, "rx_5": 0, "tx_255": 0})
                    entry["sessions"] += 1
                    for column in ("tx_bytes", "rx_5", "tx_255"):
                        entry[column] += int(row[column])
                got = {tuple(row[c] for c in key_columns):
                       {c: int(row[c]) for c in ("sessions", "tx_bytes", "rx_5", "tx_255")} for row in summed}
                self.assertEqual(got, expected)
                self.assertGreater(len(got), 1)
        # columns that differ are refused
        plain = os.path.join(self.box.home, "plain.csv")
        self.run_ok("-o", plain, paths[0])
        done = self.box.tlsdist("merge", parts[0], plain)
        self.assertEqual(done.returncode, 1)
        self.assertIn("has other columns", done.stderr)

    def run_in_terminal(self, argv, env_extra=()):
        """Runs tlsdist with a pseudo-terminal as its standard error (and
        output); returns (exit status, everything it wrote there)."""
        command = self.box.command([self.box.front_end] + list(argv))
        if env_extra:
            at = command.index("env") + 2  # (after env -i)
            command[at:at] = [*env_extra]
        main, terminal = pty.openpty()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
                                   cwd=self.box.root)
        os.close(terminal)
        written = b""
        while True:
            ready, _, _ = select.select([main], [], [], 300)
            self.assertTrue(ready, "no output for 300 s")
            try:
                chunk = os.read(main, 65536)
            except OSError:  # (EIO: the terminal's last writer closed it)
                break
            if not chunk:
                break
            written += chunk
        os.close(main)
        return process.wait(timeout=300), written.decode("utf-8", "replace")

    def test_progress_on_a_terminal_only(self):
        folder = self.folder("progress")
        names = ["tls12-openssl.pcap", "tls13-openssl.pcap"]
        for name in names:
            shutil.copy(self.box.capture(name), os.path.join(folder, name))
            os.chmod(os.path.join(folder, name), 0o644)
        total = sum(os.path.getsize(os.path.join(folder, name)) for name in names)
        out = os.path.join(self.box.home, "progress.csv")
        # (shown after TLSDIST_PROGRESS_AFTER seconds, 2 unless set)
        status, written = self.run_in_terminal(["--each", "-j", "1", "-o", out, folder],
                                               ["TLSDIST_PROGRESS_AFTER=0"])
        self.assertEqual(status, 0, written)
        lines = re.findall(r"tlsdist: ([0-9.]+) MB of ([0-9.]+) MB read \((\d+)%\), (\d+)/(\d+) files, "
                           r"0:\d\d elapsed, (\S+) left", written)
        self.assertTrue(lines, written)
        for done_mb, total_mb, _, done_files, files, _ in lines:
            self.assertEqual(total_mb, "%.1f" % (total / 1e6))
            self.assertEqual(int(files), len(names))
            self.assertLessEqual(int(done_files), len(names))
            self.assertLessEqual(float(done_mb), float(total_mb))
        self.assertTrue(written.endswith("\r\x1b[K"), repr(written[-40:]))
        # one file, file set: the same display
        status, written = self.run_in_terminal(["-o", out, os.path.join(folder, names[0])],
                                               ["TLSDIST_PROGRESS_AFTER=0"])
        self.assertEqual(status, 0, written)
        self.assertRegex(written, r"MB read \(\d+%\), [01]/1 files")
        # (a file set's display waits for its order, known once tshark has started)
        status, written = self.run_in_terminal(["-o", out] + [os.path.join(folder, name) for name in names],
                                               ["TLSDIST_PROGRESS_AFTER=0"])
        self.assertEqual(status, 0, written)
        self.assertRegex(written, r"MB of %.1f MB read \(\d+%%\), [012]/2 files" % (total / 1e6))
        # --quiet, or not a terminal: nothing
        status, written = self.run_in_terminal(["--quiet", "--each", "-o", out, folder], ["TLSDIST_PROGRESS_AFTER=0"])
        self.assertEqual((status, written), (0, ""))
        done = self.box.run(["env", "TLSDIST_PROGRESS_AFTER=0", self.box.front_end, "--each", "-o", out, folder])
        self.assertEqual((done.returncode, done.stderr), (0, ""))

    def test_stopped_run_leaves_nothing_behind(self):
        """TERM, HUP or Ctrl-C (INT) while tshark runs: the command stops at
        once with 128 + the signal, and no process it started and no
        temporary file is left. TSHARK is a stand-in that, for the main run
        (the one with -q), notes its pid and sleeps in tshark's place."""
        marks = self.folder("stop-marks")
        scratch = self.folder("stop-tmp")
        stand_in = os.path.join(self.box.root, "sleeping-tshark")
        with open(stand_in, "w") as f:
            f.write('#!/bin/sh\nif [ "$1" = -q ]; then echo $$ >"%s/$$"; exec sleep 300; fi\n'
                    'exec tshark "$@"\n' % marks)
        os.chmod(stand_in, 0o755)
        data = self.folder("stop-data")
        for name in ("tls12-openssl.pcap", "tls13-openssl.pcap", "multi-session.pcapng"):
            shutil.copy(self.box.capture(name), os.path.join(data, name))
            os.chmod(os.path.join(data, name), 0o644)
        one = os.path.join(data, "tls12-openssl.pcap")

        def alive(pid):
            try:
                with open("/proc/%d/stat" % pid) as f:
                    return f.read().rsplit(")", 1)[1].split()[0] != "Z"
            except FileNotFoundError:
                return False

        def ours():
            """Processes whose command line names the test's data folder."""
            found = []
            for entry in os.listdir("/proc"):
                try:
                    with open("/proc/%s/cmdline" % entry, "rb") as f:
                        if data.encode() in f.read() and alive(int(entry)):
                            found.append(int(entry))
                except (FileNotFoundError, ProcessLookupError, NotADirectoryError, PermissionError):
                    pass
            return found

        for argv, waits_for, sign, status in (
                (["--each", "-j", "2", "-o", os.path.join(self.box.home, "stop.csv"), data], 2, signal.SIGINT, 130),
                (["-o", os.path.join(self.box.home, "stop.csv"), one], 1, signal.SIGTERM, 143),
                (["-o", os.path.join(self.box.home, "stop.csv"), data], 1, signal.SIGHUP, 129),
                (["--shards", "2", "-o", os.path.join(self.box.home, "stop.csv"),
                  os.path.join(data, "multi-session.pcapng")], 2, signal.SIGTERM, 143)):
            with self.subTest(argv=argv[:-1], signal=sign):
                for mark in os.listdir(marks):
                    os.remove(os.path.join(marks, mark))
                command = self.box.command([self.box.front_end] + argv)
                at = command.index("env") + 2  # (after env -i)
                command[at:at] = ["TSHARK=" + stand_in, "TMPDIR=" + scratch]
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.PIPE, cwd=self.box.root)
                try:
                    wait_until(lambda: len(os.listdir(marks)) >= waits_for, 120,
                               "%d stand-in tshark(s) started by %s" % (waits_for, argv))
                    sleepers = [int(mark) for mark in os.listdir(marks)]
                    process.send_signal(sign)
                    _, err = process.communicate(timeout=30)
                finally:
                    if process.poll() is None:
                        process.kill()
                self.assertEqual(process.returncode, status, err)
                wait_until(lambda: not any(alive(pid) for pid in sleepers), 30, "the stand-in tsharks to end")
                wait_until(lambda: not ours(), 30, "no process naming the data folder (mergecap, jobs)")
                try:
                    wait_until(lambda: not os.listdir(scratch), 30, "the temporary files to be removed")
                except AssertionError as error:
                    raise AssertionError("%s: %s left" % (error, os.listdir(scratch))) from None

    def test_help_and_usage(self):
        done = self.run_ok("--help")
        for option in ("--each", "--jobs", "--quiet", "--capture-name", "tlsdist merge", "--by server|sni", "--shards"):
            self.assertIn(option, done.stdout)
        for argv, message in ((["-j", "2", self.box.capture("tls12-openssl.pcap")], "-j applies to --each only"),
                              (["--each", "-j", "0", self.box.root], "-j needs a number"),
                              (["merge"], "needs session CSV files"),
                              (["merge", "--by", "port", "x.csv"], "--by takes server or sni"),
                              (["--each", "-o", "/proc/no.csv", self.box.root], "cannot write /proc/no.csv"),
                              (["--each", "--html", "/proc/no.html", self.box.root], "cannot write /proc/no.html")):
            with self.subTest(argv=argv):
                done = self.box.tlsdist(*argv)
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn(message, done.stderr)


class ShardTests(unittest.TestCase):
    """tlsdist --shards N: one capture split by flow into N parts read at
    once, and their outputs merged back. Every output must be byte for byte
    what one run over the whole capture writes (the whole run's figures are
    checked against the independent reference by test_captures.py)."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.splitter = os.path.join(cls.box.root, "tlsdist-file-set")
        # Many connections between many address pairs: a synthetic capture,
        # and shipped ones (several link types) one after another in one pcapng.
        cls.synthetic = os.path.join(cls.box.root, "synthetic.pcap")
        subprocess.run([DEBIAN_PYTHON, os.path.join(SOURCE_DIR, "bench", "synth_capture.py"), cls.synthetic,
                        "--size", "2M", "--seed", "36", "--profile", "mixed"], check=True, capture_output=True)
        cls.joined = os.path.join(cls.box.root, "joined.pcapng")
        subprocess.run(["mergecap", "-a", "-w", cls.joined] +
                       [cls.box.capture(name) for name in ("multi-session.pcapng", "mercury-sll-tls.pcap",
                                                           "tls13-gnutls-ipv6.pcapng", "zeek-dtls1_2.pcap",
                                                           "real-world/ndpi-teams.pcap", "tls13-retransmissions.pcap")],
                       check=True, capture_output=True)
        for path in (cls.synthetic, cls.joined):
            os.chmod(path, 0o644)

    @classmethod
    def tearDownClass(cls):
        cls.box.close()

    def outputs(self, path, *options):
        """Every output of one run (table, session CSV, per-packet CSV, HTML
        report), as bytes: two runs, since the table goes to standard output
        only when no file is asked for."""
        folder = tempfile.mkdtemp(dir=self.box.root)
        os.chmod(folder, 0o777)
        keylog = os.path.splitext(path)[0] + ".keylog"
        keys = ["-k", keylog] if os.path.exists(keylog) else []
        files = {name: os.path.join(folder, name) for name in ("sessions.csv", "packets.csv", "report.html")}
        done = self.box.tlsdist(*keys, *options, "-o", files["sessions.csv"], "-p", files["packets.csv"],
                                "--html", files["report.html"], path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("note:", done.stderr)  # (not read whole instead)
        table = self.box.tlsdist(*keys, *options, path)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertNotIn("note:", table.stderr)
        result = {"table": table.stdout.encode()}
        for name, file in files.items():
            with open(file, "rb") as f:
                result[name] = f.read()
        shutil.rmtree(folder)
        return result

    def parts_with_frames(self, path, count):
        """How many of the splitter's parts of a capture hold frames."""
        folder = tempfile.mkdtemp(dir=self.box.root)
        subprocess.run([self.splitter, "shard", str(count), folder, path], check=True)
        with_frames = 0
        for part in range(count):
            with open(os.path.join(folder, "shard-%d.frames" % part)) as f:
                with_frames += bool(f.read())
        shutil.rmtree(folder)
        return with_frames

    def assert_shards_equal_the_whole(self, path, counts, *options):
        whole = self.outputs(path, *options)
        for count in counts:
            with self.subTest(capture=os.path.basename(path), shards=count, options=options):
                sharded = self.outputs(path, "--shards", str(count), *options)
                for name in whole:
                    self.assertEqual(sharded[name], whole[name], name)

    def test_many_address_pairs_split_and_merge_exactly(self):
        for path in (self.synthetic, self.joined):
            # (the test is void unless the parts really share the work)
            self.assertEqual(self.parts_with_frames(path, 3), 3)
            self.assert_shards_equal_the_whole(path, (2, 3, 7))
        reference_sessions = reference(self.synthetic)["sessions"]
        rows = parse_session_csv(self.outputs(self.synthetic, "--shards", "3")["sessions.csv"].decode())
        self.assertEqual(len(rows), len(reference_sessions))
        self.assertGreaterEqual(len(rows), 20)

    def test_filters_and_scopes_split_and_merge_exactly(self):
        self.assert_shards_equal_the_whole(self.synthetic, (3,), "-f", "tcp.srcport != 443")
        self.assert_shards_equal_the_whole(self.joined, (2,), "-s", "appdata")

    def test_every_shipped_capture_splits_and_merges_exactly(self):
        """Every shipped and real-world capture (few address pairs each: the
        parts are mostly empty, which must work too), with its key log."""
        names = sorted(name for name in os.listdir(self.box.captures) if name.endswith((".pcap", ".pcapng")))
        names += sorted("real-world/" + name for name in os.listdir(self.box.capture("real-world")))
        for name in names:
            if name in BAD_CAPTURES or name in TRUNCATED_CAPTURES:
                continue
            self.assert_shards_equal_the_whole(self.box.capture(name), (2,))

    def test_a_capture_the_splitter_does_not_vouch_for_is_read_whole(self):
        """A compressed capture and one cut short are read whole, with a
        note, and give what one run gives."""
        compressed = os.path.join(self.box.root, "multi-session.pcapng.gz")
        with open(self.box.capture("multi-session.pcapng"), "rb") as f, open(compressed, "wb") as out:
            out.write(gzip.compress(f.read()))
        os.chmod(compressed, 0o644)
        for path, status in ((compressed, 0), (self.box.capture("truncated.pcap"), 2)):
            with self.subTest(capture=os.path.basename(path)):
                whole = self.box.tlsdist("-o", "-", path)
                sharded = self.box.tlsdist("--shards", "2", "-o", "-", path)
                self.assertEqual(whole.returncode, status, whole.stderr)
                self.assertEqual(sharded.returncode, status, sharded.stderr)
                self.assertIn("is read whole: --shards splits intact, uncompressed pcap and pcapng files only",
                              sharded.stderr)
                self.assertEqual(sharded.stdout, whole.stdout)

    def test_a_split_that_fails_is_read_whole(self):
        """A split that fails (here a stand-in splitter, as when the
        temporary folder has no room for the parts) reads the file whole,
        with the splitter's message."""
        folder = tempfile.mkdtemp(dir=self.box.root)
        os.chmod(folder, 0o755)
        command = os.path.join(folder, "tlsdist")
        shutil.copy(self.box.front_end, command)
        shutil.copy(os.path.join(self.box.root, "tlsdist-shard-merge"), folder)
        with open(os.path.join(folder, "tlsdist-file-set"), "w") as f:
            f.write('#!/bin/sh\necho "tlsdist-file-set: $3/shard-0.cap: No space left on device" >&2\nexit 1\n')
        for name in ("tlsdist", "tlsdist-file-set", "tlsdist-shard-merge"):
            os.chmod(os.path.join(folder, name), 0o755)
        path = self.box.capture("multi-session.pcapng")
        done = self.box.run([command, "--shards", "2", "-o", "-", path])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stderr, r'note: ".*multi-session.pcapng" is read whole: .*/shard-0.cap: '
                                      r'No space left on device')
        self.assertEqual(done.stdout, self.box.tlsdist("-o", "-", path).stdout)

    def test_what_shards_refuse(self):
        path = self.box.capture("tls12-openssl.pcap")
        for argv, message in ((["--shards", "0", path], "--shards needs a number of parts from 1 to 64"),
                              (["--shards", "65", path], "--shards needs a number of parts from 1 to 64"),
                              (["--shards", "two", path], "--shards needs a number of parts from 1 to 64"),
                              (["--shards", "2", "-f", "frame.number < 10", path], "frame or stream numbers"),
                              (["--shards", "2", "-f", "frame.time_delta > 1", path], "frame or stream numbers"),
                              (["--shards", "2", "-f", "tcp.stream == 3", path], "stream numbers"),
                              (["--shards", "2", "--each", path], "--shards splits one capture file"),
                              (["--shards", "2", path, path], "--shards splits one capture file"),
                              (["--shards", "2", "-i", "lo"], "--shards splits one capture file"),
                              (["--shards", "2", "--capture-name", "x", path], "leave out --capture-name")):
            with self.subTest(argv=argv):
                done = self.box.tlsdist(*argv)
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn(message, done.stderr)


if __name__ == "__main__":
    unittest.main()
