"""Valgrind memcheck over tshark with the uninstrumented plugin (registered
only for the plain build: Valgrind and ASan do not mix): no invalid
access, no use of uninitialised memory, and no leak whose allocation stack
passes through tlsdist.so, on a few captures, in one pass and with -2 (where
the tap is reset and every frame's cached result is replayed).

tshark itself leaves memory allocated at exit by design (dissector tables,
GLib caches); those leaks do not go through the plugin and are not counted.
"""

import os
import unittest
import xml.etree.ElementTree as ElementTree

from tlsdist_env import SandboxTestCase

CAPTURES = ("tls12-openssl.pcap", "tls13-retransmissions.pcap", "multi-session.pcapng",
            "zeek-smtp-starttls.pcap")
LEAK_KINDS = {"Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost"}
PLUGIN_OBJECT = "tlsdist.so"


def memcheck_errors(xml_path):
    """(kind, first lines of the stack) for each error Valgrind reported."""
    errors = []
    for error in ElementTree.parse(xml_path).getroot().iter("error"):
        kind = error.findtext("kind")
        frames = error.find("stack").findall("frame")
        objects = [f.findtext("obj") or "" for f in frames]
        where = ["%s %s" % (f.findtext("fn") or "?", os.path.basename(f.findtext("obj") or ""))
                 for f in frames[:12]]
        errors.append((kind, any(o.endswith(PLUGIN_OBJECT) for o in objects), where))
    return errors


class MemcheckTests(SandboxTestCase):
    def memcheck(self, label, tshark_args):
        xml_path = os.path.join(self.box.home, label + ".xml")
        done = self.box.run(["valgrind", "--tool=memcheck", "--xml=yes", "--xml-file=" + xml_path,
                             "--leak-check=full", "--num-callers=40", "tshark"] + tshark_args,
                            timeout=1200)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("Total TLS sessions:", done.stdout)
        return memcheck_errors(xml_path)

    def test_no_invalid_access_and_no_plugin_leak(self):
        for name in CAPTURES:
            for passes in ([], ["-2"]):
                label = name + ("-2" if passes else "")
                with self.subTest(label):
                    errors = self.memcheck(label, passes + [
                        "-r", self.box.capture(name), "-q", "-z", "tlsdist", "-z", "tlsdist,csv",
                        "-z", "tlsdist,packets", "-z", "tlsdist,tcp.stream==0"])
                    invalid = [e for e in errors if e[0] not in LEAK_KINDS]
                    plugin_leaks = [e for e in errors if e[0] in LEAK_KINDS and e[1]]
                    self.assertEqual(invalid, [])
                    self.assertEqual(plugin_leaks, [])


if __name__ == "__main__":
    unittest.main()
