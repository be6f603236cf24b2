"""The tlsdist command: the original pcap_analyzer's shape on top of tshark."""

import html
import os
import re
import shutil
import subprocess
import unittest

from tlsdist_env import SandboxTestCase, TRUNCATED_CAPTURES, capture_names, parse_session_csv


class FrontEndTests(SandboxTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.path = cls.box.capture("multi-session.pcapng")

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

    def counting_tshark(self, name):
        """A tshark wrapper for the TSHARK variable that logs each run reading
        a capture or an interface: "r FILE" (or "i IF"), "z ARG" for each
        tlsdist view, then "--"; the list of the disabled dissectors also
        reads a capture (an empty one)."""
        log = os.path.join(self.box.home, name + ".log")
        wrapper = os.path.join(self.box.root, name)
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\n'
                    'case " $* " in *" -r "* | *" -i "*)\n'
                    '    previous=\n'
                    '    for a; do\n'
                    '        case $previous in -r) echo "r $a" ;; -i) echo "i $a" ;; esac\n'
                    '        case $a in tlsdist*) echo "z $a" ;; esac\n'
                    '        previous=$a\n'
                    '    done >>%s\n'
                    '    echo -- >>%s ;;\n'
                    'esac\n'
                    'exec tshark "$@"\n' % (log, log))
        os.chmod(wrapper, 0o755)
        return wrapper, log

    def runs_reading(self, log, path):
        """The logged runs that read the capture at path: their views."""
        with open(log) as f:
            runs = [run.split("\n")[:-1] for run in f.read().split("--\n")[:-1]]
        return [[line[2:] for line in run if line.startswith("z ")] for run in runs if "r " + path in run]

    def test_one_tshark_run_for_every_output(self):
        # Every output from one pass over the capture, each byte-identical
        # to what the command writes when asked for it alone.
        wrapper, log = self.counting_tshark("tshark-counted")
        for name, options in (("multi-session.pcapng", []),
                              ("mixed-protocols.pcapng", []),
                              ("multi-session.pcapng", ["-s", "appdata", "-f", "tcp.stream<=2"]),
                              ("real-world/zeek-dtls13-wolfssl.pcap", [])):
            with self.subTest(capture=name, options=options):
                path = self.box.capture(name)
                outputs = {flag: os.path.join(self.box.home, "together" + suffix)
                           for flag, suffix in (("-o", ".csv"), ("-p", ".packets.csv"), ("--html", ".html"))}
                argv = [a for flag, output in outputs.items() for a in (flag, output)] + options + [path]
                if os.path.exists(log):
                    os.remove(log)
                done = self.box.run(["env", "TSHARK=" + wrapper, self.box.front_end] + argv)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(done.stdout, "")
                runs = self.runs_reading(log, path)
                self.assertEqual(len(runs), 1, runs)
                self.assertEqual(len(runs[0]), 3, runs)
                for flag, output in outputs.items():
                    alone = os.path.join(self.box.home, "alone")
                    done = self.box.tlsdist(flag, alone, *options, path)
                    self.assertEqual(done.returncode, 0, done.stderr)
                    with open(output, "rb") as together, open(alone, "rb") as by_itself:
                        self.assertEqual(together.read(), by_itself.read(), flag)
                # one output alone: one run too
                only_packets = self.box.run(["env", "TSHARK=" + wrapper, self.box.front_end,
                                             "-p", outputs["-p"], *options, path])
                self.assertEqual(only_packets.returncode, 0, only_packets.stderr)
                self.assertEqual(only_packets.stdout, "")
                self.assertEqual(self.runs_reading(log, path)[1:], [[runs[0][1]]])
                # "-o -" stays on standard output, beside a file
                csv_out = self.box.tlsdist("-o", "-", "--html", outputs["--html"], *options, path)
                self.assertEqual(csv_out.returncode, 0, csv_out.stderr)
                self.assertEqual(csv_out.stdout, self.box.tlsdist("-o", "-", *options, path).stdout)

    def test_paths_and_titles_with_commas_and_backslashes(self):
        folder = os.path.join(self.box.home, "a,b\\c,")
        os.mkdir(folder)
        if self.box.as_root:
            os.chown(folder, 65534, 65534)
        capture = os.path.join(self.box.root, "multi,session \\ copy.pcapng")
        shutil.copy(self.path, capture)
        os.chmod(capture, 0o644)
        outputs = [os.path.join(folder, name) for name in ("s,1.csv", "p\\,2.csv", "r\\.html")]
        done = self.box.tlsdist("-o", outputs[0], "-p", outputs[1], "--html", outputs[2], capture)
        self.assertEqual(done.returncode, 0, done.stderr)
        for output, view in zip(outputs, ("csv", "packets")):
            with open(output) as f:
                self.assertEqual(f.read(), self.box.tshark("-r", self.path, "-q", "-z", "tlsdist," + view).stdout)
        with open(outputs[2]) as f:
            report = f.read()
        self.assertIn('<span id="capture-name">%s</span>' % html.escape(os.path.basename(capture), quote=False),
                      report)
        self.assertIn("<title>tlsdist: multi,session \\ copy.pcapng</title>", report)

    def test_filter_narrows(self):
        everything = parse_session_csv(self.box.tlsdist("-o", "-", self.path).stdout)
        self.assertGreater(len(everything), 1)
        first = everything[0]
        done = self.box.tlsdist("-o", "-", "-f", "tcp.stream==%s" % first["stream"], self.path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(parse_session_csv(done.stdout), [first])

    def test_scope_reaches_every_view(self):
        out = os.path.join(self.box.home, "appdata.csv")
        packets = os.path.join(self.box.home, "appdata-packets.csv")
        done = self.box.tlsdist("-s", "appdata", "-o", out, "-p", packets, "-f", "tcp.stream<=2", self.path)
        self.assertEqual(done.returncode, 0, done.stderr)
        for path, view in ((out, "csv"), (packets, "packets")):
            with open(path) as f:
                self.assertEqual(f.read(), self.box.tshark(
                    "-r", self.path, "-q", "-z", "tlsdist,%s,scope=appdata,tcp.stream<=2" % view).stdout)
        table = self.box.tlsdist("--scope", "handshake", self.path)
        self.assertTrue(table.stdout.startswith("TLS Sessions (entropy of handshake bytes)\n"), table.stdout)

    def test_key_log_and_plaintext_scope(self):
        path = self.box.capture("zeek-tls12-decryption.pcap")
        keylog = self.box.capture("zeek-tls12-decryption.keylog")
        done = self.box.tlsdist("-k", keylog, "-s", "plaintext", "-o", "-", path)
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = self.box.tshark("-r", path, "-o", "tls.keylog_file:" + keylog, "-q",
                                   "-z", "tlsdist,csv,scope=plaintext").stdout
        self.assertEqual(done.stdout, expected)
        (row,) = parse_session_csv(done.stdout)
        self.assertGreater(int(row["rx_decrypted_bytes"]), 0)

    def test_tls_on_an_unusual_port(self):
        # tlsdist finds TLS by its records and hellos on any port: Wireshark's
        # tls_tcp heuristic (which finds the handshake on port 8443) or
        # decode-as changes nothing in the figures.
        path = self.box.capture("tls12-port8443.pcap")
        found = parse_session_csv(self.box.tlsdist("-o", "-", path).stdout)
        self.assertEqual([s["version"] for s in found], ["TLS 1.2"])
        no_heuristic = self.box.tshark("--disable-heuristic", "tls_tcp", "-r", path, "-q", "-z", "tlsdist,csv")
        self.assertEqual(parse_session_csv(no_heuristic.stdout), found)
        wireshark_sees = self.box.tshark("--disable-heuristic", "tls_tcp", "-r", path, "-Y", "tls")
        self.assertEqual(wireshark_sees.stdout, "")  # while Wireshark itself shows no TLS there
        decoded = self.box.tshark("--disable-heuristic", "tls_tcp", "-d", "tcp.port==8443,tls",
                                  "-r", path, "-q", "-z", "tlsdist,csv")
        self.assertEqual(parse_session_csv(decoded.stdout), found)
        via_front_end = parse_session_csv(
            self.box.tlsdist("-o", "-", "-d", "tcp.port==8443,tls", path).stdout)
        self.assertEqual(via_front_end, found)

    def test_reduced_dissectors_give_identical_figures(self):
        # The front end turns off the application-layer dissectors that cannot
        # lead to TLS; every view must equal tshark with all dissectors.
        for name in capture_names():
            if name in TRUNCATED_CAPTURES:
                continue
            with self.subTest(capture=name):
                path = self.box.capture(name)
                packets = os.path.join(self.box.home, "packets.csv")
                reduced = self.box.tlsdist("-o", "-", "-p", packets, path)
                self.assertEqual(reduced.returncode, 0, reduced.stderr)
                full = self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv")
                self.assertEqual(reduced.stdout, full.stdout)
                with open(packets) as f:
                    self.assertEqual(f.read(), self.box.tshark("-r", path, "-q", "-z", "tlsdist,packets").stdout)
                table = self.box.tlsdist(path)
                self.assertEqual(table.stdout, self.box.tshark("-r", path, "-q", "-z", "tlsdist").stdout)

    def test_heap_tunables_for_tshark(self):
        # tshark gets glibc's huge-page heap unless the user set
        # GLIBC_TUNABLES (even empty); the figures are the same either way.
        log = os.path.join(self.box.home, "tunables.log")
        wrapper = os.path.join(self.box.root, "tshark-tunables")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\n'
                    'echo "${GLIBC_TUNABLES-(unset)}" >>%s\n'
                    'exec tshark "$@"\n' % log)
        os.chmod(wrapper, 0o755)
        outputs = {}
        for setting, expected in ((None, "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"),
                                  ("", ""),
                                  ("glibc.malloc.arena_max=1", "glibc.malloc.arena_max=1")):
            with self.subTest(setting=setting):
                if os.path.exists(log):
                    os.remove(log)
                environment = ["TSHARK=" + wrapper] + ([] if setting is None else ["GLIBC_TUNABLES=" + setting])
                done = self.box.run(["env"] + environment + [self.box.front_end, "-o", "-", self.path])
                self.assertEqual(done.returncode, 0, done.stderr)
                with open(log) as f:
                    seen = set(f.read().splitlines())
                self.assertEqual(seen, {expected})
                outputs[setting] = done.stdout
        self.assertEqual(outputs[None], self.box.tshark("-r", self.path, "-q", "-z", "tlsdist,csv").stdout)
        self.assertEqual(len(set(outputs.values())), 1)

    def test_reduced_dissector_set(self):
        self.assertEqual(self.box.tlsdist(self.path).returncode, 0)
        cache = os.path.join(self.box.home, ".cache", "tlsdist")
        files = os.listdir(cache)
        self.assertEqual(len(files), 1, files)
        # one list per libwireshark build: the one ldd finds for tshark
        ldd = subprocess.run(["ldd", shutil.which("tshark")], capture_output=True, text=True, check=True).stdout
        library = re.search(r"libwireshark\.so\S* => (\S+)", ldd).group(1)
        status = os.stat(library)
        self.assertEqual(files, ["disabled-protocols-%d-%d-%d-%d" % (status.st_dev, status.st_ino, status.st_size,
                                                                      int(status.st_mtime))])
        with open(os.path.join(cache, files[0])) as f:
            disabled = set(f.read().split())
        # Off: application protocols of the mixed capture that never carry TLS.
        self.assertTrue({"dns", "quic", "http", "mdns", "ntp", "ssh"} <= disabled, disabled)
        # On: TLS, what carries it or hands over to it, and the lower layers.
        for protocol in ("tls", "tcp", "udp", "ip", "ipv6", "eth", "vlan", "smtp", "imap",
                         "ftp", "ldap", "xmpp", "pgsql", "vxlan", "gre", "socks", "rdp", "sctp", "dtls",
                         "proxy"):
            self.assertNotIn(protocol, disabled)

    def test_mixed_capture_and_proxy_tunnel(self):
        # The mixed capture holds DNS, QUIC and plain HTTP beside 4 HTTPS
        # sessions; the proxy capture has TLS after an HTTP CONNECT, which the
        # front end finds with http off (tls_tcp heuristic).
        for name, versions in (("mixed-protocols.pcapng", ["TLS 1.2", "TLS 1.3", "TLS 1.3", "TLS 1.3"]),
                               ("tls13-http-connect.pcap", ["TLS 1.3"])):
            with self.subTest(capture=name):
                found = parse_session_csv(self.box.tlsdist("-o", "-", self.box.capture(name)).stdout)
                self.assertEqual(sorted(s["version"] for s in found), versions)
                everything = parse_session_csv(
                    self.box.tlsdist("--all-dissectors", "-o", "-", self.box.capture(name)).stdout)
                self.assertEqual(found, everything)

    def test_errors(self):
        cases = [
            (["nope.pcap"], 2, 'cannot read "nope.pcap": no such file'),
            ([self.box.capture("not-a-capture.pcap")], 2, "isn't a capture file"),
            ([self.box.capture("truncated.pcap")], 2, "cut short"),
            (["-f", "tcp.port==", self.path], 1, "invalid display filter"),
            (["--bogus", self.path], 1, "unknown option --bogus"),
            ([], 1, "Usage: tlsdist"),
            (["-a", "5", self.path], 1, "live capture (-i) only"),
            (["-s", "ciphertext", self.path], 1, 'unknown scope "ciphertext"'),
            (["-k", "no-such.keylog", self.path], 1, 'cannot read the key log "no-such.keylog"'),
            (["-o", "no-such-folder/s.csv", self.path], 1,
             "tlsdist: cannot write no-such-folder/s.csv: No such file or directory"),
            (["-p", os.path.join(self.box.home, "p.csv"), "--html", self.box.root, self.path], 1,
             "tlsdist: cannot write %s: Is a directory" % self.box.root),
            (["-o", "/dev/full", "-p", os.devnull, self.path], 2,
             "tlsdist: cannot write /dev/full: No space left on device"),
            (["-o", "-", "--html", "-", self.path], 1, 'one output at most to standard output ("-")'),
            (["-o", "same.csv", "-p", "same.csv", self.path], 1, 'two outputs to the same file "same.csv"'),
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
        for option in ("--out", "--packets", "--filter", "--interface", "--decode-as", "--all-dissectors",
                       "GLIBC_TUNABLES"):
            self.assertIn(option, done.stdout)


if __name__ == "__main__":
    unittest.main()
