"""Runs the built plugin in real tshark, the way an analyst would, and parses
what it prints.

tshark ignores the personal plugin folder and WIRESHARK_PLUGIN_DIR when it runs
as root, so under root every tshark here runs as an unprivileged user
(nobody) from a scratch folder that user can read, with the plugin copied in.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE_DIR = os.environ.get(
    "TLSDIST_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
PLUGIN_DIR = os.environ.get("TLSDIST_PLUGIN_DIR", os.path.join(SOURCE_DIR, "build", "wireshark-plugins"))
CAPTURES_DIR = os.environ.get("TLSDIST_CAPTURES_DIR", os.path.join(SOURCE_DIR, "captures"))
REFERENCE = os.path.join(SOURCE_DIR, "tests", "reference", "tls_reference.py")
FRONT_END = os.path.join(SOURCE_DIR, "plugin", "tlsdist.sh")
# The programs installed with the command, put beside it: the dataset
# report's writer (tlsdist --each --html), the file-set helper (which also
# splits a capture into shards) and the shards' merge (tlsdist --shards).
HELPERS = {
    "tlsdist-dataset-report": os.environ.get("TLSDIST_DATASET_REPORT",
                                             os.path.join(SOURCE_DIR, "build", "tlsdist-dataset-report")),
    "tlsdist-file-set": os.environ.get("TLSDIST_FILE_SET", os.path.join(SOURCE_DIR, "build", "tlsdist-file-set")),
    "tlsdist-shard-merge": os.environ.get("TLSDIST_SHARD_MERGE",
                                          os.path.join(SOURCE_DIR, "build", "tlsdist-shard-merge")),
}
DEBIAN_PYTHON = "/usr/bin/python3"  # has python3-dpkt

# With the sanitized plugin: the ASan runtime to preload into tshark/Wireshark.
PRELOAD = os.environ.get("TLSDIST_PRELOAD", "")
# tshark itself leaks at exit by design; leaks are checked with valgrind instead.
SANITIZER_ENV = ["ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_odr_violation=0",
                 "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"]
SANITIZER_SIGNS = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")

# Files in captures/ that are deliberately not (whole) captures.
BAD_CAPTURES = {"not-a-capture.pcap"}
TRUNCATED_CAPTURES = {"truncated.pcap"}
TIMEOUT = 300


def _tshark_version():
    first_line = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    found = re.search(r"(\d+)\.(\d+)\.\d+", first_line)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


# tshark's exit status for a capture it could read only in part (cut short,
# damaged): 2 up to 4.4, WS_EXIT_READ_ERROR (14) from 4.6 on.
TSHARK_VERSION = _tshark_version()  # (major, minor)
TSHARK_READ_ERROR = 14 if TSHARK_VERSION >= (4, 6) else 2
# Every status with which tshark says a file is damaged: from 4.4 on, a file
# it cannot even open as a capture gives WS_EXIT_INVALID_FILE (3).
TSHARK_DAMAGED_FILE = {TSHARK_READ_ERROR} | ({3} if TSHARK_VERSION >= (4, 4) else set())


REAL_WORLD = "real-world"


def capture_names():
    """The shipped captures: ours at the top of captures/, then the messy
    ones recorded on real networks by other projects (captures/real-world/)."""
    def listed(folder):
        return sorted(n for n in os.listdir(os.path.join(CAPTURES_DIR, folder))
                      if n.endswith((".pcap", ".pcapng")) and n not in BAD_CAPTURES)
    names = listed("")
    # The sanitized copy of the suite and the smoke matrix leave them out for
    # time (the plain suite, the fuzzer and the full matrix run them).
    if os.environ.get("TLSDIST_REAL_WORLD_CAPTURES", "1") != "0":
        names += [REAL_WORLD + "/" + n for n in listed(REAL_WORLD)]
    if not names:
        raise RuntimeError("no captures found in " + CAPTURES_DIR)
    return names


# Wireshark 4.4 and later start a new tcp.stream where 4.0 keeps one (a
# SYN+ACK with a new initial sequence number; TCP Fast Open's SYN), and
# tlsdist's sessions are Wireshark's connections. The reference groups
# segments into connections as 4.0 does, so with later versions these
# captures are compared with it only where the grouping agrees: not here
# (the invariance and third-party tests still run on them).
GROUPED_DIFFERENTLY_AFTER_4_0 = {REAL_WORLD + "/mercury-capture2.pcap",
                                 REAL_WORLD + "/ndpi-tls_multiple_synack_different_seq.pcapng",
                                 REAL_WORLD + "/suricata-tcp-fastopen-10.pcap"}


def reference_capture_names():
    """The captures whose sessions the reference can name as this
    Wireshark's tcp.stream does (see GROUPED_DIFFERENTLY_AFTER_4_0)."""
    names = capture_names()
    if TSHARK_VERSION >= (4, 4):
        left_out = sorted(GROUPED_DIFFERENTLY_AFTER_4_0)
        print("compared with the reference on Wireshark 4.0 only (connections grouped differently): "
              + ", ".join(left_out), file=sys.stderr)
        names = [n for n in names if n not in GROUPED_DIFFERENTLY_AFTER_4_0]
    return names



def wait_until(condition, seconds, what):
    """Polls condition() until it returns something true, which it returns;
    fails with "timed out after N s waiting for <what>" past the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %g s waiting for %s" % (seconds, what))
        time.sleep(0.05)


class Sandbox:
    """A scratch folder holding the plugin and copies of the captures."""

    def __init__(self):
        if not os.path.isdir(PLUGIN_DIR):
            raise RuntimeError("plugin not built: %s is missing" % PLUGIN_DIR)
        self.root = tempfile.mkdtemp(prefix="tlsdist-test-")
        os.chmod(self.root, 0o755)
        self.home = os.path.join(self.root, "home")
        os.mkdir(self.home)
        self.plugins = os.path.join(self.root, "plugins")
        shutil.copytree(PLUGIN_DIR, self.plugins)
        self.captures = os.path.join(self.root, "captures")
        shutil.copytree(CAPTURES_DIR, self.captures)
        self.no_extcap = os.path.join(self.root, "no-extcap")
        os.mkdir(self.no_extcap)
        self.front_end = os.path.join(self.root, "tlsdist")
        shutil.copy(FRONT_END, self.front_end)
        for name, path in HELPERS.items():
            if os.path.exists(path):
                shutil.copy(path, os.path.join(self.root, name))
        self.as_root = os.geteuid() == 0
        for folder, dirs, files in os.walk(self.root):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o755 if name in ("tlsdist", "tlsdist.so", *HELPERS) else 0o644)
        if self.as_root:
            os.chown(self.home, 65534, 65534)

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def capture(self, name):
        return os.path.join(self.captures, name)

    def folder(self, name, mode=0o755):
        """A new folder in the sandbox that the user tshark runs as can read
        (with mode 0o777 also write into)."""
        path = os.path.join(self.root, name)
        os.mkdir(path)
        os.chmod(path, mode)
        return path

    def command(self, argv, extra_groups=None):
        env = ["env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + self.home,
               "WIRESHARK_PLUGIN_DIR=" + self.plugins, "TZ=UTC", "LC_ALL=C"]
        if PRELOAD:
            # The preload is inherited by the extcap helpers Wireshark spawns to list
            # interfaces, and androiddump deadlocks under ASan: point extcap at nothing.
            env += ["LD_PRELOAD=" + PRELOAD, "WIRESHARK_EXTCAP_DIR=" + self.no_extcap] + SANITIZER_ENV
        if not self.as_root:
            return env + argv
        groups = ["--groups=" + ",".join(extra_groups)] if extra_groups else ["--clear-groups"]
        return ["setpriv", "--reuid=65534", "--regid=65534"] + groups + env + argv

    def run(self, argv, timeout=TIMEOUT, **kwargs):
        done = subprocess.run(self.command(argv), capture_output=True, text=True,
                              timeout=timeout, cwd=self.root, **kwargs)
        for sign in SANITIZER_SIGNS:
            if sign in done.stderr:
                raise AssertionError("sanitizer report from %s:\n%s" % (argv, done.stderr))
        return done

    def tshark(self, *args, **kwargs):
        return self.run(["tshark"] + list(args), **kwargs)

    def tlsdist(self, *args, **kwargs):
        return self.run([self.front_end] + list(args), **kwargs)



class SandboxTestCase(unittest.TestCase):
    """Tests that share one Sandbox, self.box, made once for their class and
    removed after it (after the class's own tearDownClass). A class with more
    set-up calls super().setUpClass() first."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.addClassCleanup(cls.box.close)


_reference_cache = {}


def wireshark_stream_numbers(path):
    """Wireshark's tcp.stream and udp.stream of each frame: the names the
    plugin's sessions go by (only the numbering, none of the figures)."""
    done = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "tcp.stream",
                           "-e", "udp.stream"], capture_output=True, text=True, timeout=TIMEOUT)
    numbers = {}
    for line in done.stdout.splitlines():
        frame, tcp, udp = (line.split("\t") + ["", ""])[:3]
        numbers[int(frame)] = {"tcp": int(tcp.split(",")[0]) if tcp else None,
                               "udp": int(udp.split(",")[0]) if udp else None}
    return numbers


def reference(path, per_frame=False):
    """The independent implementation's figures for a capture (python3-dpkt),
    its sessions numbered as Wireshark numbers the connections (the
    reference numbers them in order of appearance, which differs where
    Wireshark starts a new tcp.stream for a reused port pair)."""
    key = (path, per_frame)
    if key not in _reference_cache:
        argv = [DEBIAN_PYTHON, REFERENCE, path] + (["--per-frame"] if per_frame else [])
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=True)
        result = json.loads(done.stdout)
        numbers = wireshark_stream_numbers(path)
        renumbered = {}
        for session in result["sessions"]:
            wireshark = numbers.get(session["first_frame"], {}).get(session["transport"])
            if wireshark is not None:
                renumbered[(session["transport"], session["stream"])] = wireshark
                session["stream"] = wireshark
        result["sessions"].sort(key=lambda s: (s["transport"] == "udp", s["stream"]))
        for frame in result.get("frames", []):
            frame["stream"] = renumbered.get((frame["transport"], frame["stream"]), frame["stream"])
        _reference_cache[key] = result
    return _reference_cache[key]


def parse_session_csv(text):
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        row["tx_hist"] = [int(row.pop("tx_%d" % v)) for v in range(256)]
        row["rx_hist"] = [int(row.pop("rx_%d" % v)) for v in range(256)]
    return rows


def parse_packet_csv(text):
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        row["hist"] = [int(row.pop(str(v))) for v in range(256)]
    return rows


def parse_table(text):
    """The text table: (rows as lists of cells, totals line)."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("TLS Sessions"), lines[0]
    header = lines[1]
    starts = [header.index(t) for t in ("TIME", "DURATION", "SRC:Port", "DST:Port",
                                         "TLS Version", "TX Bytes", "RX Bytes")]
    rows = []
    for line in lines[2:-1]:
        # Numbers are right-aligned and text left-aligned: split on runs of 2+ spaces.
        rows.append([cell for cell in line.split("  ") if cell.strip()])
        rows[-1] = [c.strip() for c in rows[-1]]
    return rows, lines[-1], starts
