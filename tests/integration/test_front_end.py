"""The tlsdist command: the original pcap_analyzer's shape on top of tshark."""

import os
import subprocess
import unittest

from tlsdist_env import Sandbox, parse_session_csv


class FrontEndTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.path = cls.box.capture("multi-session.pcapng")

    @classmethod
    def tearDownClass(cls):
        cls.box.close()

    def test_prints_the_table_like_tshark(self):
        done = self.box.tlsdist(self.path)
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = self.box.tshark("-r", self.path, "-q", "-z", "tlsdist").stdout
        self.assertEqual(done.stdout, expected)
        self.assertTrue(done.stdout.startswith("TLS Sessions\n"))

    def test_writes_session_and_packet_csv_files(self):
        out = os.path.join(self.box.home, "sessions.csv")
        packets = os.path.join(self.box.home, "packets.csv")
        done = self.box.tlsdist("-o", out, "-p", packets, self.path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "")
        # (text mode on both sides: the CSVs end lines with CRLF)
        with open(out) as f:
            self.assertEqual(f.read(), self.box.tshark("-r", self.path, "-q", "-z", "tlsdist,csv").stdout)
        with open(packets) as f:
            self.assertEqual(f.read(), self.box.tshark("-r", self.path, "-q", "-z", "tlsdist,packets").stdout)

    def test_filter_narrows(self):
        everything = parse_session_csv(self.box.tlsdist("-o", "-", self.path).stdout)
        self.assertGreater(len(everything), 1)
        first = everything[0]
        done = self.box.tlsdist("-o", "-", "-f", "tcp.stream==%s" % first["stream"], self.path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(parse_session_csv(done.stdout), [first])

    def test_tls_on_an_unusual_port(self):
        # Wireshark's tls_tcp heuristic finds the handshake on port 8443; without
        # it, only decode-as makes the connection TLS.
        path = self.box.capture("tls12-port8443.pcap")
        found = parse_session_csv(self.box.tlsdist("-o", "-", path).stdout)
        self.assertEqual([s["version"] for s in found], ["TLS 1.2"])
        no_heuristic = self.box.tshark("--disable-heuristic", "tls_tcp", "-r", path, "-q", "-z", "tlsdist,csv")
        self.assertEqual(parse_session_csv(no_heuristic.stdout), [])
        decoded = self.box.tshark("--disable-heuristic", "tls_tcp", "-d", "tcp.port==8443,tls",
                                  "-r", path, "-q", "-z", "tlsdist,csv")
        self.assertEqual(parse_session_csv(decoded.stdout), found)
        via_front_end = parse_session_csv(
            self.box.tlsdist("-o", "-", "-d", "tcp.port==8443,tls", path).stdout)
        self.assertEqual(via_front_end, found)

    def test_errors(self):
        cases = [
            (["nope.pcap"], 2, 'cannot read "nope.pcap": no such file'),
            ([self.box.capture("not-a-capture.pcap")], 2, "isn't a capture file"),
            ([self.box.capture("truncated.pcap")], 2, "cut short"),
            (["-f", "tcp.port==", self.path], 1, "invalid display filter"),
            (["--bogus", self.path], 1, "unknown option --bogus"),
            ([], 1, "Usage: tlsdist"),
            (["-a", "5", self.path], 1, "live capture (-i) only"),
        ]
        for argv, status, message in cases:
            with self.subTest(argv=argv):
                done = self.box.tlsdist(*argv)
                self.assertEqual(done.returncode, status, done.stderr)
                self.assertIn(message, done.stderr)

    def test_plugin_not_loaded_is_explained(self):
        # A plugin folder without the plugin (it replaces the global one too).
        empty = os.path.join(self.box.root, "no-plugins")
        os.makedirs(empty, mode=0o755, exist_ok=True)
        argv = [("WIRESHARK_PLUGIN_DIR=" + empty) if a.startswith("WIRESHARK_PLUGIN_DIR=") else a
                for a in self.box.command([self.box.front_end, self.path])]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=self.box.root)
        self.assertEqual(done.returncode, 2)
        self.assertIn("did not load the tlsdist plugin", done.stderr)

    def test_help(self):
        done = self.box.tlsdist("--help")
        self.assertEqual(done.returncode, 0)
        for option in ("--out", "--packets", "--filter", "--interface", "--decode-as"):
            self.assertIn(option, done.stdout)


if __name__ == "__main__":
    unittest.main()
