"""Per-session figures do not depend on capture order nor on Wireshark's TCP
preferences (doc/tcp-accounting.md).

For every shipped capture (captures/) and every capture in
captures/real-world/ (when that folder exists):

- reordered copies (tests/tools/reorder_capture.py: the TCP data segments of
  each connection direction permuted among their frame slots, timestamps left
  in the slots) give the same session CSV, column by column, as the original;
  so does a plain rewrite (the control: pcapng written as pcap);
- the TCP preferences tcp.reassemble_out_of_order, tcp.analyze_sequence_numbers
  and tcp.desegment_tcp_streams give the same session CSV as the defaults,
  except the decrypted byte counts (decryption needs Wireshark's reassembly);
- every run: no negative figure, and per direction before-TLS + TLS + missed
  bytes fit in the direction's sequence span, computed from the capture with
  tshark's raw TCP fields.

The reordered copies are read without key logs: what Wireshark decrypts
depends on the order in which its TLS dissector sees the records, so the
decrypted byte counts of a reordered copy differ (with their key logs,
illustrated-tls12.pcap gives 4 + 4 decrypted bytes and
zeek-tls12-decryption.pcap 323 + 602; every reordered copy of either 0 + 0,
and Follow TLS Stream shows nothing decrypted in them either). The runs with other TCP preferences use the key log shipped beside a
capture (NAME.keylog), to check that decryption changes no other column.

Identical files give identical runs: each distinct file (by content) is run
once per set of options, so a variant that moved nothing, or a rewrite that
is byte for byte the original, reuses the original's run.
"""

import concurrent.futures
import csv
import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import unittest

import tlsdist_env
from tlsdist_env import (CAPTURES_DIR, DEBIAN_PYTHON, SOURCE_DIR, TIMEOUT, TSHARK_DAMAGED_FILE, SandboxTestCase,
                         capture_names)

REORDER_TOOL = os.path.join(SOURCE_DIR, "tests", "tools", "reorder_capture.py")
REAL_WORLD = "real-world"

sys.path.insert(0, os.path.dirname(REORDER_TOOL))
try:
    import reorder_capture
finally:
    sys.path.pop(0)

# Session CSV columns that may legitimately differ between capture orders of
# the same traffic. doc/tcp-accounting.md section 8: only frame-level figures
# (per-packet rows, tlsdist.bytes, "TLS packets") depend on capture order, and
# none of those is a session CSV column: start_time/start_epoch/duration come
# from timestamps, which stay in their slots; frames and wire bytes per
# direction are totals over the same frames. Keep this empty unless a column
# is shown to be frame-level by the rules.
FRAME_LEVEL_COLUMNS = frozenset()

# Columns that may differ between TCP preferences: what Wireshark decrypted
# depends on its own reassembly (tcp.desegment_tcp_streams:FALSE leaves
# records that span segments undecrypted).
PREFERENCE_DEPENDENT_COLUMNS = frozenset({"tx_decrypted_bytes", "rx_decrypted_bytes"})

TCP_PREFERENCES = ("tcp.reassemble_out_of_order:TRUE", "tcp.analyze_sequence_numbers:FALSE",
                   "tcp.desegment_tcp_streams:FALSE")

# Odd, so that a direction with two data segments always ends up swapped.
RANDOM_SWAPS = 25
# Seed 11 puts the second copy of a duplicated flow first in
# real-world/mercury-capture2.pcap stream 99 (two copies of each server
# segment, 808,500,230 apart in sequence space: two clusters of 1,380 bytes).
SEEDS = (1, 2, 11)
# (label, reorder_capture mode, swaps, seed); "identity" is the control.
VARIANTS = (("identity", "identity", 0, None), ("swap-first-two", "swap-first-two", 0, None)) + tuple(
    ("random-adjacent-%d-seed-%d" % (RANDOM_SWAPS, seed), "random-adjacent", RANDOM_SWAPS, seed) for seed in SEEDS)
VARIANT_LABELS = tuple(v[0] for v in VARIANTS)

# Columns holding text; every other column is a number (or empty).
TEXT_COLUMNS = frozenset({"transport", "start_time", "client_ip", "server_ip", "version", "byte_scope", "server_name",
                          "alpn_offered", "alpn_selected", "cipher_suite", "ja3", "ja3s", "ja4", "resumption",
                          "handshake_completed"})
NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")

WORKERS = max(1, int(os.environ.get("TLSDIST_TEST_JOBS", "2")))
CAPTURE_EXTENSIONS = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def real_world_names():
    """The captures in captures/real-world/ (none when the folder is absent)."""
    folder = os.path.join(CAPTURES_DIR, REAL_WORLD)
    if not os.path.isdir(folder):
        return []
    return [REAL_WORLD + "/" + n for n in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, n))
            and (n.endswith(CAPTURE_EXTENSIONS) or reorder_capture.is_capture_file(os.path.join(folder, n)))]


def all_capture_names():
    """capture_names() (which may already list captures/real-world/), then
    any capture in captures/real-world/ it does not list."""
    names = capture_names()
    return names + [n for n in real_world_names() if n not in names]


def decoding_options(name):
    """The preferences a capture needs to be decoded as TLS at all
    (tlsdist_env.DECODING_OPTIONS). Sandbox.tshark adds them for the capture
    itself, found by its path; its reordered copies are elsewhere and get
    them from here."""
    return tuple(getattr(tlsdist_env, "DECODING_OPTIONS", {}).get(name, ()))


def keylog_of(path):
    for suffix in (".pcapng.gz", ".pcap.gz", ".pcapng", ".pcap", ".cap"):
        if path.endswith(suffix):
            keylog = path[:-len(suffix)] + ".keylog"
            return keylog if os.path.exists(keylog) else None
    return None


def parse_rows(text):
    """Session CSV rows as dicts of the raw cells, keyed by (transport, stream)."""
    rows = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        rows[(row["transport"], int(row["stream"]))] = row
    return rows


def header_of(text):
    return next(csv.reader(io.StringIO(text, newline="")), [])


def hist_column(column):
    return re.match(r"^(tx|rx)_[0-9]+$", column) is not None


def differences(before, after, ignored):
    """Per session, the columns that differ (the 512 distribution columns summed up)."""
    found = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            found.append("%s stream %d: %s" % (key[0], key[1], "a session only here" if key in after
                                                else "no session here (%s %s:%s -> %s:%s)" % (
                                                    before[key]["version"], before[key]["client_ip"],
                                                    before[key]["client_port"], before[key]["server_ip"],
                                                    before[key]["server_port"])))
            continue
        a, b = before[key], after[key]
        cells = []
        for column in a:
            if column in ignored or hist_column(column) or a[column] == b.get(column):
                continue
            cells.append("%s %s -> %s" % (column, a[column], b.get(column)))
        for direction in ("tx", "rx"):
            columns = ["%s_%d" % (direction, v) for v in range(256)]
            changed = [c for c in columns if c not in ignored and a.get(c) != b.get(c)]
            if changed:
                cells.append("%s distribution: %d of 256 counts differ" % (direction, len(changed)))
        if cells:
            found.append("%s stream %d: %s" % (key[0], key[1], "; ".join(cells)))
    return found


def signed32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def sequence_spans(fields_text):
    """Per (stream, source ip, source port): the sequence span of the data
    segments, from tshark's raw fields (computed without the plugin).

    Positions are 32-bit differences from the direction's first data segment
    (in capture order), so that a wrap of the sequence numbers is harmless.
    The low end is the lowest data position, or ISN+1 of a SYN of that
    direction when lower (the origin after an acknowledged SYN is ISN+1, even
    when the first data segment was not captured); the high end is the
    highest end of a data segment. A SYN's payload (TCP Fast Open) starts at
    ISN+1."""
    segments = {}
    for line in fields_text.splitlines():
        cells = line.split("\t")
        if len(cells) != 7 or not cells[0] or not cells[4]:
            continue
        stream, ip4, ip6, port, seq, length, flags = cells
        syn = int(flags, 16) & 0x02 if flags else 0
        key = (int(stream), ip4 or ip6, int(port))
        segments.setdefault(key, []).append((int(seq), int(length or 0), bool(syn)))
    spans = {}
    for key, items in segments.items():
        data = [((seq + 1) if syn else seq, length) for seq, length, syn in items if length > 0]
        if not data:
            spans[key] = 0
            continue
        base = data[0][0]
        low = min(signed32(start - base) for start, _ in data)
        high = max(signed32(start - base) + length for start, length in data)
        for seq, _, syn in items:
            if syn:
                low = min(low, signed32(seq + 1 - base))
        spans[key] = high - low
    return spans


class Run:
    """One tshark run's outcome."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


class InvarianceTests(SandboxTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.names = all_capture_names()
        cls.variant_dir = cls.box.folder("variants")
        cls.variant_paths = {}    # (name, variant) -> path
        cls.tool = {}             # (name, variant) -> the tool's summary, or why it failed
        cls.csv = {}              # (name, label) -> Run; labels: "original", "defaults", a preference, a variant
        cls.fields = {}           # name -> the raw TCP fields of the original (tshark's CompletedProcess)
        cls.runs = {}             # (content digest, options) -> future of a Run
        cls.digest_of = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
            # The runs on the originals first; the variants are written (in
            # this thread) while they run.
            for name in cls.names:
                original = cls.box.capture(name)
                keylog = keylog_of(original)
                with_keys = ("-o", "tls.keylog_file:" + keylog) if keylog else ()
                cls.csv[(name, "original")] = cls.submit(pool, original)
                cls.csv[(name, "defaults")] = cls.submit(pool, original, *with_keys)  # the original's run, with its key log
                for preference in TCP_PREFERENCES:
                    cls.csv[(name, preference)] = cls.submit(pool, original, "-o", preference, *with_keys)
                cls.fields[name] = pool.submit(
                    cls.box.tshark, "-r", original, "-Y", "tcp && !icmp && !icmpv6", "-T", "fields",
                    "-E", "occurrence=l", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                    "-e", "tcp.seq_raw", "-e", "tcp.len", "-e", "tcp.flags")
            for name in cls.names:
                for variant, path in cls.write_variants(name).items():
                    cls.csv[(name, variant)] = cls.submit(pool, path, *decoding_options(name))
            for key, future in cls.csv.items():
                cls.csv[key] = future.result()
            for name in cls.names:
                cls.fields[name] = cls.fields[name].result()
        cls.distinct_runs = len(cls.runs)

    @classmethod
    def write_variants(cls, name):
        """Writes the reordered copies of one capture; returns their paths."""
        written = {}
        try:
            capture = reorder_capture.read_capture(cls.box.capture(name))
            slots = reorder_capture.data_slots(capture)
        except (OSError, ValueError, struct.error) as e:
            for variant in VARIANT_LABELS:
                cls.tool[(name, variant)] = "%s could not be read: %s" % (name, e)
            return written
        for variant, mode, count, seed in VARIANTS:
            path = os.path.join(cls.variant_dir, "%s.%s.pcap" % (name.replace("/", "_"), variant))
            cls.variant_paths[(name, variant)] = path
            cls.tool[(name, variant)] = reorder_capture.write_variant(capture, path, mode, count, seed, slots)
            os.chmod(path, 0o644)
            written[variant] = path
        return written

    @classmethod
    def submit(cls, pool, path, *options):
        """One tshark run with the session CSV, shared by files with the same content."""
        if path not in cls.digest_of:
            with open(path, "rb") as f:
                cls.digest_of[path] = hashlib.sha256(f.read()).hexdigest()
        key = (cls.digest_of[path], options)
        if key not in cls.runs:
            cls.runs[key] = pool.submit(cls.tlsdist_csv, path, *options)
        return cls.runs[key]

    @classmethod
    def tlsdist_csv(cls, path, *options):
        done = cls.box.tshark("-r", path, *options, "-q", "-z", "tlsdist,csv")
        return Run(done.returncode, done.stdout, done.stderr)

    # ------------------------------------------------------------ helpers

    def truncated(self, name):
        summary = self.tool[(name, "identity")]
        return isinstance(summary, dict) and summary["truncated"]

    def sessions(self, name, label):
        """The parsed session CSV of one run, after checking tshark's status."""
        done = self.csv[(name, label)]
        if label in VARIANT_LABELS and done is not self.csv[(name, "original")]:
            expected = {0}  # the tool writes the complete frames only
        else:
            expected = ({0} | TSHARK_DAMAGED_FILE) if self.truncated(name) else {0}
        self.assertIn(done.returncode, expected, "%s %s: %s" % (name, label, done.stderr))
        self.assertTrue(done.stdout.startswith("stream,transport,"), "%s %s: %r" % (name, label, done.stdout[:200]))
        return parse_rows(done.stdout)

    def presence_notes(self, before, after, before_args, after_args):
        """For a session present in one run only: in how many of that stream's frames
        Wireshark read TLS (TCP: its TLS dissector ran; UDP: a DTLS record), in each
        run (doc/tcp-accounting.md, section 0: a session without a hello needs one)."""
        notes = []
        for transport, stream in sorted(set(before) ^ set(after)):
            counts = []
            read_as_tls = "tls" if transport == "tcp" else "dtls.record"
            for args in (before_args, after_args):
                done = self.box.tshark("-r", args[0], *args[1:], "-Y", "%s.stream==%d && %s" % (transport, stream, read_as_tls),
                                       "-T", "fields", "-e", "frame.number")
                counts.append(len(done.stdout.split()))
            notes.append("%s stream %d: Wireshark reads TLS in %d frame(s) of it in the reference run, %d here"
                         % (transport, stream, counts[0], counts[1]))
        return notes

    def variant_labels(self, name):
        labels = []
        for variant in VARIANT_LABELS:
            summary = self.tool[(name, variant)]
            self.assertIsInstance(summary, dict, "%s %s: %s" % (name, variant, summary))
            labels.append(variant)
        return labels

    # ------------------------------------------------------------ tests

    def test_reordered_copies_keep_every_slot_and_move_segments(self):
        # The tool itself: the same frames, timestamps left in their slots,
        # packets moved only among their direction's slots; and the variants
        # do move data segments.
        moved_captures = 0
        for name in self.names:
            original = reorder_capture.read_capture(self.box.capture(name))
            original_slots = sorted(reorder_capture.data_slots(original))
            for variant in self.variant_labels(name):
                with self.subTest(capture=name, variant=variant):
                    summary = self.tool[(name, variant)]
                    copy = reorder_capture.read_capture(self.variant_paths[(name, variant)])
                    self.assertEqual(len(copy.frames), len(original.frames))
                    self.assertEqual([f.ts_ns for f in copy.frames], [f.ts_ns for f in original.frames])
                    self.assertEqual(sorted((f.data, f.wirelen) for f in copy.frames),
                                     sorted((f.data, f.wirelen) for f in original.frames))
                    # Each direction's data segments still fill exactly that direction's slots.
                    self.assertEqual(sorted(reorder_capture.data_slots(copy)), original_slots)
                    moved = sum(1 for a, b in zip(original.frames, copy.frames) if (a.data, a.wirelen) != (b.data, b.wirelen))
                    self.assertLessEqual(moved, summary["moved"])
                    if variant == "identity":
                        self.assertEqual(summary["moved"], 0)
                    elif variant == "swap-first-two":
                        self.assertEqual(summary["moved"] > 0, summary["data_segments"] > summary["directions"])
                        moved_captures += moved > 0
        self.assertGreaterEqual(moved_captures, 15, "the swaps moved data segments in too few captures")

    def test_reorder_tool_command_line(self):
        # The command line writes what the test wrote in-process (pcapng
        # input, pcap output), and refuses a file that is not a capture.
        name = "multi-session.pcapng"
        for variant, mode, count, seed in VARIANTS:
            with self.subTest(variant=variant):
                out = os.path.join(self.variant_dir, "command-line.pcap")
                options = {"identity": ["--identity"], "swap-first-two": ["--swap-first-two"],
                           "random-adjacent": ["--random-adjacent", str(count), "--seed", str(seed)]}[mode]
                done = subprocess.run([DEBIAN_PYTHON, REORDER_TOOL, self.box.capture(name), out] + options,
                                      capture_output=True, text=True, timeout=TIMEOUT)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(json.loads(done.stdout), self.tool[(name, variant)])
                with open(out, "rb") as a, open(self.variant_paths[(name, variant)], "rb") as b:
                    self.assertTrue(a.read() == b.read(), "%s: the command line wrote another file" % variant)
        done = subprocess.run([DEBIAN_PYTHON, REORDER_TOOL, self.box.capture("not-a-capture.pcap"),
                               os.path.join(self.variant_dir, "none.pcap"), "--swap-first-two"],
                              capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("not a pcap or pcapng file", done.stderr)

    def test_reordered_captures_give_the_same_sessions(self):
        checked = 0
        for name in self.names:
            before = None
            with self.subTest(capture=name):
                before = self.sessions(name, "original")
                header = header_of(self.csv[(name, "original")].stdout)
            if before is None:
                continue
            for variant in self.variant_labels(name):
                with self.subTest(capture=name, variant=variant):
                    after = self.sessions(name, variant)
                    self.assertEqual(header_of(self.csv[(name, variant)].stdout), header)
                    # Only data segments moved, within their connection: Wireshark
                    # keeps its stream numbers (the same endpoints under each).
                    ends = lambda r: sorted([(r["client_ip"], r["client_port"]), (r["server_ip"], r["server_port"])])
                    for key in set(before) & set(after):
                        self.assertEqual(ends(before[key]), ends(after[key]), "%s %s: stream renumbered" % (name, variant))
                    found = differences(before, after, FRAME_LEVEL_COLUMNS)
                    found += self.presence_notes(before, after, (self.box.capture(name),),
                                                 (self.variant_paths[(name, variant)],) + decoding_options(name))
                    if found:
                        self.fail("%s, %s %s differs from the original:\n  %s"
                                  % (name, variant, json.dumps(self.tool[(name, variant)]), "\n  ".join(found)))
                    checked += len(before)
        self.assertGreater(checked, 0)

    def test_tcp_preferences_give_the_same_sessions(self):
        for name in self.names:
            for preference in TCP_PREFERENCES:
                with self.subTest(capture=name, preference=preference):
                    before = self.sessions(name, "defaults")
                    after = self.sessions(name, preference)
                    self.assertEqual(header_of(self.csv[(name, preference)].stdout),
                                     header_of(self.csv[(name, "defaults")].stdout))
                    found = differences(before, after, PREFERENCE_DEPENDENT_COLUMNS)
                    found += self.presence_notes(before, after, (self.box.capture(name),),
                                                 (self.box.capture(name), "-o", preference))
                    if found:
                        self.fail("%s with -o %s differs from the defaults:\n  %s"
                                  % (name, preference, "\n  ".join(found)))

    def test_figures_are_not_negative_and_fit_in_the_sequence_span(self):
        labels = ["original", "defaults"] + list(TCP_PREFERENCES)
        bounded = 0
        for name in self.names:
            fields = self.fields[name]
            with self.subTest(capture=name, run="tcp fields"):
                self.assertIn(fields.returncode, ({0} | TSHARK_DAMAGED_FILE) if self.truncated(name) else {0},
                              fields.stderr)
            spans = sequence_spans(fields.stdout)
            for label in labels + [v for v in VARIANT_LABELS if isinstance(self.tool[(name, v)], dict)]:
                with self.subTest(capture=name, run=label):
                    problems = []
                    for (transport, stream), row in sorted(self.sessions(name, label).items()):
                        where = "%s stream %d" % (transport, stream)
                        for column, value in row.items():
                            if column in TEXT_COLUMNS or value == "":
                                continue
                            if not NUMBER.match(value):
                                problems.append("%s: %s = %r" % (where, column, value))
                        if transport != "tcp":
                            continue
                        for direction, ip, port in (("tx", row["client_ip"], row["client_port"]),
                                                    ("rx", row["server_ip"], row["server_port"])):
                            counted = sum(int(row["%s_%s" % (direction, c)]) for c in ("before_tls_bytes", "bytes",
                                                                                       "missed_bytes"))
                            span = spans.get((stream, ip, int(port)))
                            bounded += 1
                            if span is None and counted:
                                problems.append("%s %s: %d bytes counted, but tshark shows no TCP segment from %s:%s"
                                                % (where, direction, counted, ip, port))
                            elif span is not None and counted > span:
                                problems.append("%s %s: before_tls %s + bytes %s + missed %s = %d > sequence span %d"
                                                % (where, direction, row[direction + "_before_tls_bytes"],
                                                   row[direction + "_bytes"], row[direction + "_missed_bytes"],
                                                   counted, span))
                    if problems:
                        self.fail("%s %s:\n  %s" % (name, label, "\n  ".join(problems)))
        self.assertGreater(bounded, 0)


if __name__ == "__main__":
    unittest.main()
