"""Live capture: tshark -i with the plugin while real TLS clients (curl) fetch
files of known size from a real TLS server (openssl s_server) on loopback."""

import os
import signal
import socket
import subprocess
import time
import unittest

from tlsdist_env import SANITIZER_SIGNS, Sandbox, parse_session_csv, parse_table, reference

FILE_SIZE = 300_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveCaptureTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
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
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", cls.port)) == 0:
                    break
            time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        cls.server.wait()
        cls.box.close()

    def fetch(self, tls_version):
        flags = {"1.2": ["--tlsv1.2", "--tls-max", "1.2"], "1.3": ["--tlsv1.3"]}[tls_version]
        done = subprocess.run(["curl", "-sS", "-k", "-o", "/dev/null", "-w", "%{size_download}"]
                              + flags + ["https://127.0.0.1:%d/payload.bin" % self.port],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(int(done.stdout), FILE_SIZE)

    def capture_while(self, argv, clients):
        """Runs argv (a live capture) until the clients are done, then stops it like Ctrl-C."""
        process = subprocess.Popen(self.box.command(argv, self.groups), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=self.box.root,
                                   start_new_session=True)
        # dumpcap announces itself on stderr once it captures; give it time instead of
        # reading the pipe (reading would block): poll for the capture file instead.
        time.sleep(3)
        for version in clients:
            self.fetch(version)
        time.sleep(1)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
        for sign in SANITIZER_SIGNS:
            self.assertNotIn(sign, err)
        return process.returncode, out, err

    def test_tshark_live_views_see_the_sessions(self):
        saved = os.path.join(self.box.home, "live.pcapng")
        status, out, err = self.capture_while(
            ["tshark", "-i", "lo", "-f", "tcp port %d" % self.port, "-w", saved, "-q",
             "-z", "tlsdist,csv"], ["1.2", "1.3"])
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
        status, out, err = self.capture_while(
            [self.box.front_end, "-i", "lo", "-f", "tcp.port==%d" % self.port], ["1.3"])
        self.assertEqual(status, 0, err)
        rows, totals, _ = parse_table(out)
        ours = [r for r in rows if r[3].endswith(":%d" % self.port)]
        self.assertEqual(len(ours), 1, out)
        self.assertEqual(ours[0][4], "TLS 1.3")
        self.assertGreater(int(ours[0][6]), FILE_SIZE)


if __name__ == "__main__":
    unittest.main()
