"""Bad input gets a clear message and a sane exit status, never a crash."""

import os
import unittest

from tlsdist_env import TSHARK_READ_ERROR, SandboxTestCase, parse_session_csv, parse_table

USAGE_HINT = "tlsdist,csv[,FILTER]"


class BadInputTests(SandboxTestCase):
    def assertNoCrash(self, done):
        self.assertGreaterEqual(done.returncode, 0, "killed by signal %d" % -done.returncode)
        for sign in ("Segmentation", "Aborted", "core dumped", "AddressSanitizer", "runtime error"):
            self.assertNotIn(sign, done.stderr)

    def test_missing_file(self):
        done = self.box.tshark("-r", os.path.join(self.box.root, "nope.pcap"), "-q", "-z", "tlsdist")
        self.assertNoCrash(done)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("doesn't exist", done.stderr)

    def test_not_a_capture(self):
        done = self.box.tshark("-r", self.box.capture("not-a-capture.pcap"), "-q", "-z", "tlsdist")
        self.assertNoCrash(done)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("isn't a capture file", done.stderr)

    def test_capture_cut_mid_packet_reports_what_it_read(self):
        done = self.box.tshark("-r", self.box.capture("truncated.pcap"), "-q", "-z", "tlsdist")
        self.assertNoCrash(done)
        self.assertEqual(done.returncode, TSHARK_READ_ERROR)
        self.assertIn("cut short in the middle of a packet", done.stderr)
        rows, totals, _ = parse_table(done.stdout)
        self.assertTrue(totals.startswith("Total packets: "))

    def test_capture_without_tls_gives_an_empty_valid_table_and_csv(self):
        path = self.box.capture("no-tls.pcap")
        done = self.box.tshark("-r", path, "-q", "-z", "tlsdist")
        self.assertNoCrash(done)
        self.assertEqual(done.returncode, 0, done.stderr)
        rows, totals, _ = parse_table(done.stdout)
        self.assertEqual(rows, [])
        self.assertRegex(totals, r"^Total packets: [1-9]\d*  Total TLS packets: 0  Total TLS sessions: 0$")
        done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv")
        self.assertEqual(done.returncode, 0)
        self.assertEqual(parse_session_csv(done.stdout), [])
        self.assertTrue(done.stdout.startswith("stream,transport,start_time,"))
        done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,packets")
        self.assertEqual(done.returncode, 0)
        self.assertEqual(done.stdout.count("\n"), 1, "header only")

    def assertRefused(self, cases):
        """Each -z argument is refused with its message and the usage, status 1, no output."""
        path = self.box.capture("tls12-openssl.pcap")
        for argument, expected in cases:
            with self.subTest(argument=argument):
                done = self.box.tshark("-r", path, "-q", "-z", argument)
                self.assertNoCrash(done)
                self.assertEqual(done.returncode, 1)
                self.assertIn(expected, done.stderr)
                self.assertIn(USAGE_HINT, done.stderr)
                self.assertEqual(done.stdout, "")

    def test_malformed_options_are_refused_clearly(self):
        self.assertRefused((("tlsdist,csvx", 'unknown tlsdist view "csvx"'),
                            ("tlsdistx", 'unknown statistic "tlsdistx"'),
                            ("tlsdist,packets,tcp.port==", "invalid display filter"),
                            ("tlsdist,nosuchfield", "invalid display filter"),
                            ("tlsdist,csv,scope=payload", 'unknown byte scope "payload"'),
                            ("tlsdist,scope=", 'unknown byte scope ""')))

    def test_malformed_keys_are_refused_clearly(self):
        self.assertRefused((("tlsdist,csv,out=a.csv,out=b.csv", "repeated key out="),
                            ("tlsdist,html,title=a,scope=all,title=b", "repeated key title="),
                            ("tlsdist,csv,out=", "empty value of out="),
                            ("tlsdist,html,title=,tls", "empty value of title="),
                            ("tlsdist,csv,title=x", "title= is for the HTML report only"),
                            ("tlsdist,totals,captures-from=list", "captures-from= is for the session views"),
                            ("tlsdist,csv,captures=1 a.pcap,captures-from=list",
                             "captures= and captures-from= together"),
                            ("tlsdist,csv,out=a\\b.csv", 'bad escape in the value of out=: "\\b"')))

    def test_out_to_a_file_that_cannot_be_written(self):
        # Refused when the view starts, before the capture is read: the
        # table asked for beside it is never printed.
        path = self.box.capture("tls12-openssl.pcap")
        cases = [(os.path.join(self.box.root, "no-such-folder", "s.csv"), "No such file or directory"),
                 (self.box.home, "Is a directory")]
        if self.box.as_root:  # (tshark runs as nobody: the captures' folder is root's)
            cases.append((os.path.join(self.box.captures, "s.csv"), "Permission denied"))
        for output, reason in cases:
            for view in ("csv", "packets", "html"):
                with self.subTest(output=output, view=view):
                    escaped = output.replace("\\", "\\\\").replace(",", "\\,")
                    done = self.box.tshark("-r", path, "-q", "-z", "tlsdist",
                                           "-z", "tlsdist,%s,out=%s" % (view, escaped))
                    self.assertNoCrash(done)
                    self.assertEqual(done.returncode, 1)
                    self.assertIn("tlsdist: cannot write %s: %s" % (output, reason), done.stderr)
                    self.assertEqual(done.stdout, "")
        # A file that opens but cannot be written: said, and the other views still drawn.
        done = self.box.tshark("-r", path, "-q", "-z", "tlsdist", "-z", "tlsdist,csv,out=/dev/full")
        self.assertNoCrash(done)
        self.assertIn("tlsdist: cannot write /dev/full: No space left on device", done.stderr)
        self.assertTrue(done.stdout.startswith("TLS Sessions\n"), done.stdout)

    def test_plugin_is_listed(self):
        done = self.box.tshark("-G", "plugins")
        self.assertRegex(done.stdout, r"(?m)^tlsdist\.so\s+\S+\s+dissector")
        done = self.box.tshark("-z", "help")
        for view in ("tlsdist", "tlsdist,csv", "tlsdist,packets"):
            self.assertRegex(done.stdout + done.stderr, r"(?m)^\s+%s$" % view)


if __name__ == "__main__":
    unittest.main()
