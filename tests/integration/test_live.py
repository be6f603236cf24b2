"""Live capture: tshark -i with the plugin while real TLS clients (curl) fetch
files of known size from a real TLS server (openssl s_server) on loopback.

No fixed waits: the clients start once tshark says the capture started (when
dumpcap has opened the interface, set the capture filter and created its
file), and the capture is stopped once that file holds the end of every
client's connection."""

import glob
import os
import re
import signal
import socket
import struct
import subprocess
import unittest

import dpkt

from tlsdist_env import SANITIZER_SIGNS, SandboxTestCase, parse_session_csv, parse_table, reference, wait_until

FILE_SIZE = 300_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dumpcap_file(tshark_log):
    """The capture file tshark names on its stderr (in the files matching the
    pattern tshark_log) once dumpcap captures, else None."""
    for path in glob.glob(tshark_log):
        with open(path, errors="replace") as f:
            text = f.read()
        started = re.search(r'Capture started\.\n.*File: "([^"\n]+)"', text)
        if started:
            return started.group(1)
    return None


def closed_connections(path, port):
    """Client ports of the TCP connections to port that the capture file at
    path (possibly still being written) shows closed both ways (a FIN from
    each side) or reset."""
    fins, closed = {}, set()
    try:
        with open(path, "rb") as f:
            for _, frame in dpkt.pcapng.Reader(f):
                ip = dpkt.ethernet.Ethernet(frame).data
                segment = getattr(ip, "data", None)
                if not isinstance(segment, dpkt.tcp.TCP) or port not in (segment.sport, segment.dport):
                    continue
                client = segment.dport if segment.sport == port else segment.sport
                if segment.flags & dpkt.tcp.TH_RST:
                    closed.add(client)
                elif segment.flags & dpkt.tcp.TH_FIN:
                    fins.setdefault(client, set()).add(segment.sport == port)
                    if len(fins[client]) == 2:
                        closed.add(client)
    except (ValueError, struct.error, dpkt.NeedData, dpkt.UnpackError):
        pass  # the block dumpcap is writing: read again later
    return closed


class LiveCaptureTests(SandboxTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.groups = ["wireshark"] if cls.box.as_root else None
        check = subprocess.run(cls.box.command(["dumpcap", "-D"], cls.groups),
                               capture_output=True, text=True)
        if check.returncode != 0 or "lo" not in check.stdout:
            raise RuntimeError(
                "this user cannot capture on lo with dumpcap (%s); see INSTALL.md, "
                "'Live capture'" % check.stderr.strip())
        cls.www = os.path.join(cls.box.root, "www")
        os.mkdir(cls.www)
        with open(os.path.join(cls.www, "payload.bin"), "wb") as f:
            f.write(os.urandom(FILE_SIZE))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-keyout", os.path.join(cls.www, "key.pem"),
                        "-out", os.path.join(cls.www, "cert.pem")], check=True, capture_output=True)
        cls.port = free_port()
        cls.server = subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-WWW", "-accept", "127.0.0.1:%d" % cls.port,
             "-cert", "cert.pem", "-key", "key.pem"], cwd=cls.www,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(cls.server_accepts, 10, "openssl s_server to accept connections")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        cls.server.wait()

    @classmethod
    def server_accepts(cls):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", cls.port)) == 0

    def fetch(self, tls_version):
        flags = {"1.2": ["--tlsv1.2", "--tls-max", "1.2"], "1.3": ["--tlsv1.3"]}[tls_version]
        done = subprocess.run(["curl", "-sS", "-k", "-o", "/dev/null", "-w", "%{size_download}"]
                              + flags + ["https://127.0.0.1:%d/payload.bin" % self.port],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(int(done.stdout), FILE_SIZE)

    def capture_while(self, argv, clients, tshark_log):
        """Runs argv (a live capture) while the clients fetch, then stops it like
        Ctrl-C. tshark_log: a pattern naming the file tshark's stderr goes to,
        where it says "Capture started." and which file dumpcap writes once
        dumpcap has opened the interface and set the capture filter."""
        with open(os.path.join(self.box.root, "stderr.txt"), "w+") as stderr:
            process = subprocess.Popen(self.box.command(argv, self.groups), stdout=subprocess.PIPE,
                                       stderr=stderr, text=True, cwd=self.box.root, start_new_session=True)
            try:
                capture_file = wait_until(lambda: dumpcap_file(tshark_log), 60,
                                          "tshark to report the capture started in " + tshark_log)
                for version in clients:
                    self.fetch(version)
                wait_until(lambda: len(closed_connections(capture_file, self.port)) >= len(clients),
                           60, "the end of %d connections in %s" % (len(clients), capture_file))
            finally:
                os.killpg(process.pid, signal.SIGINT)
                out, _ = process.communicate(timeout=60)
            stderr.seek(0)
            err = stderr.read()
        for sign in SANITIZER_SIGNS:
            self.assertNotIn(sign, err)
        return process.returncode, out, err

    def test_tshark_live_views_see_the_sessions(self):
        saved = os.path.join(self.box.home, "live.pcapng")
        status, out, err = self.capture_while(
            ["tshark", "-i", "lo", "-f", "tcp port %d" % self.port, "-w", saved, "-q",
             "-z", "tlsdist,csv"], ["1.2", "1.3"], os.path.join(self.box.root, "stderr.txt"))
        self.assertEqual(status, 0, err)
        sessions = parse_session_csv(out)
        self.assertEqual([s["version"] for s in sessions], ["TLS 1.2", "TLS 1.3"], out)
        for s in sessions:
            self.assertEqual(int(s["server_port"]), self.port)
            # The file plus HTTP headers, record headers, tags and the handshake.
            self.assertGreater(int(s["rx_bytes"]), FILE_SIZE)
            self.assertLess(int(s["rx_bytes"]), FILE_SIZE * 1.02 + 10_000)
            self.assertGreater(int(s["tx_bytes"]), 100)
        # The frames tshark saw live, re-read from the file it wrote, by the reference.
        theirs = reference(saved)["sessions"]
        self.assertEqual([int(s["rx_bytes"]) for s in sessions], [t["rx_bytes"] for t in theirs])
        self.assertEqual([int(s["tx_bytes"]) for s in sessions], [t["tx_bytes"] for t in theirs])
        self.assertEqual([s["rx_hist"] for s in sessions], [t["rx_hist"] for t in theirs])

    def test_front_end_live(self):
        # The command keeps tshark's stderr in its scratch folder in TMPDIR until tshark ends.
        temporary = self.box.folder("front-end-tmp", 0o777)
        status, out, err = self.capture_while(
            ["env", "TMPDIR=" + temporary, self.box.front_end, "-i", "lo", "-f", "tcp.port==%d" % self.port],
            ["1.3"], os.path.join(temporary, "tlsdist.*", "tshark-errors"))
        self.assertEqual(status, 0, err)
        rows, totals, _ = parse_table(out)
        ours = [r for r in rows if r[3].endswith(":%d" % self.port)]
        self.assertEqual(len(ours), 1, out)
        self.assertEqual(ours[0][4], "TLS 1.3")
        self.assertGreater(int(ours[0][6]), FILE_SIZE)


if __name__ == "__main__":
    unittest.main()
