"""The tlsdist.* display-filter fields agree with the CSV views."""

import unittest

from tlsdist_env import TSHARK_READ_ERROR, SandboxTestCase, capture_names, parse_packet_csv, parse_session_csv

TRACK = ("-o", "tlsdist.track_always:TRUE")


class FieldTests(SandboxTestCase):
    def fields(self, path, *args):
        done = self.box.tshark("-r", path, *TRACK, *args, "-T", "fields", "-e", "frame.number",
                               "-e", "tlsdist.session", "-e", "tlsdist.direction",
                               "-e", "tlsdist.bytes", "-e", "tlsdist.version")
        self.assertIn(done.returncode, (0, TSHARK_READ_ERROR), done.stderr)
        return [line.split("\t") for line in done.stdout.splitlines()]

    # Fields are final with two passes: in one pass a frame whose bytes wait
    # for an earlier segment, or for the origin of a connection caught without
    # its SYN, shows none (README: Display-filter fields).

    def test_fields_equal_per_packet_rows(self):
        for name in capture_names():
            with self.subTest(capture=name):
                path = self.box.capture(name)
                rows = parse_packet_csv(self.box.tshark("-r", path, "-q", "-z", "tlsdist,packets").stdout)
                expected = sorted([[r["frame"], r["stream"], "0" if r["direction"] == "tx" else "1", r["tls_bytes"]]
                                   for r in rows], key=lambda r: int(r[0]))
                got = [f[:4] for f in self.fields(path, "-2", "-Y", "tlsdist")]
                self.assertEqual(got, expected)

    def test_filter_on_direction_sums_to_session_bytes(self):
        for name in capture_names():
            with self.subTest(capture=name):
                path = self.box.capture(name)
                sessions = parse_session_csv(self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv").stdout)
                for direction, column in (("0", "tx_bytes"), ("1", "rx_bytes")):
                    sums = {}
                    for f in self.fields(path, "-2", "-Y", "tlsdist.direction == " + direction):
                        sums[f[1]] = sums.get(f[1], 0) + int(f[3])
                    expected = {s["stream"]: int(s[column]) for s in sessions if int(s[column]) > 0}
                    self.assertEqual(sums, expected)

    def test_two_pass_shows_the_final_version_on_every_frame(self):
        for name in capture_names():
            with self.subTest(capture=name):
                path = self.box.capture(name)
                sessions = parse_session_csv(self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv").stdout)
                versions = {s["stream"]: s["version"] for s in sessions}
                for f in self.fields(path, "-2", "-Y", "tlsdist"):
                    self.assertEqual(f[4], versions[f[1]], "frame " + f[0])

    def test_without_a_view_or_preference_tshark_does_no_work(self):
        path = self.box.capture("tls12-openssl.pcap")
        done = self.box.tshark("-r", path, "-Y", "tlsdist", "-T", "fields", "-e", "frame.number")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "")
        self.assertNotEqual(self.fields(path, "-Y", "tlsdist"), [])

    def test_fields_are_documented(self):
        done = self.box.tshark("-G", "fields")
        lines = [l.split("\t") for l in done.stdout.splitlines() if "\ttlsdist." in l]
        self.assertEqual(sorted(l[2] for l in lines),
                         ["tlsdist.bytes", "tlsdist.direction", "tlsdist.session", "tlsdist.version"])
        for line in lines:
            self.assertGreater(len(line[-1]), 20, line)  # a description


if __name__ == "__main__":
    unittest.main()
