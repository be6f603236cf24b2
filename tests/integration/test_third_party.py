"""The real-world captures (captures/real-world/) through real tshark with the
plugin, checked against what their source projects publish about them: nDPI's
ndpiReader results, zeek's ssl.log baselines, suricata-verify's test.yaml
(tests/third_party/expectations.json, made by extract_expectations.py from
those files only; README.md there gives the provenance and the mapping of
names).

One test per published fact: a session found by its endpoints, its roles where
the third party states them (zeek's originator and responder), and each of
version, server_name, cipher_suite, ja3, ja3s, handshake_completed the third
party gives. Nothing is skipped: a missing capture, a tshark error or a session
that is not found fails.
"""

import json
import os
import re
import unittest

from tlsdist_env import CAPTURES_DIR, SOURCE_DIR, SandboxTestCase, parse_session_csv

THIRD_PARTY_DIR = os.path.join(SOURCE_DIR, "tests", "third_party")
EXPECTATIONS = os.path.join(THIRD_PARTY_DIR, "expectations.json")
REAL_WORLD = "real-world"
FIELDS = ("version", "server_name", "cipher_suite", "ja3", "ja3s", "handshake_completed")
PORT_80 = "ndpi-tls_port_80.pcapng"


def load_expectations():
    with open(EXPECTATIONS) as f:
        data = json.load(f)
    if not data.get("entries"):
        raise RuntimeError("no expectations in " + EXPECTATIONS)
    return data


DATA = load_expectations()


def slug(text):
    return re.sub(r"[^0-9A-Za-z]+", "_", str(text)).strip("_")


def endpoint_set(pairs):
    return frozenset((ip, int(port)) for ip, port in pairs)


def session_endpoints(row):
    return endpoint_set([(row["client_ip"], row["client_port"]), (row["server_ip"], row["server_port"])])


def describe(entry):
    where = "%s (%s %s @ %s)" % (entry["capture"], entry["source"]["repo"], entry["source"]["path"],
                                entry["source"]["commit"][:8])
    if entry.get("endpoints"):
        where += " " + " <-> ".join("%s:%d" % (ip, port) for ip, port in entry["endpoints"])
    return where


class ThirdPartyExpectations(SandboxTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runs = {}

    def run_capture(self, capture, tshark_args):
        key = (capture, tuple(tshark_args))
        if key not in self.runs:
            path = os.path.join(self.box.captures, REAL_WORLD, capture)
            if not os.path.isfile(path):
                raise AssertionError("capture missing: " + path)
            self.runs[key] = self.box.tshark("-r", path, *tshark_args, "-q", "-z", "tlsdist,csv")
        done = self.runs[key]
        self.assertEqual(done.returncode, 0, "tshark on %s: %s" % (capture, done.stderr))
        return parse_session_csv(done.stdout)

    def sessions_of(self, entry):
        """The sessions an expectation is about (at least one, else the test fails)."""
        sessions = self.run_capture(entry["capture"], entry["tshark_args"])
        if entry.get("match") == "every_session":
            self.assertGreater(len(sessions), 0, "no TLS session in " + describe(entry))
            return sessions
        wanted = endpoint_set(entry["endpoints"])
        found = [s for s in sessions if s["transport"] == entry["transport"] and session_endpoints(s) == wanted]
        self.assertEqual(len(found), 1, "sessions with the endpoints of %s: %d (of %d in the capture)"
                         % (describe(entry), len(found), len(sessions)))
        return found

    # ---- checks made once, not per entry

    def test_every_real_world_capture_is_accounted_for(self):
        """Each capture in captures/real-world/ has expectations, or is listed as having none published."""
        names = sorted(os.listdir(os.path.join(CAPTURES_DIR, REAL_WORLD)))
        self.assertGreater(len(names), 0)
        covered = {e["capture"] for e in DATA["entries"]}
        without = {c for note in DATA["not_used"] for c in note["captures"]}
        for name in names:
            self.assertTrue(name in covered or name in without, name + " is neither tested nor listed")
        for name in covered | without:
            self.assertIn(name, names, "expectations name a capture that is not shipped")

    def test_port_80_needs_the_option_and_the_option_gives_tls(self):
        """tshark hands the port-80 payload to HTTP by default; with heuristics first it is TLS."""
        entry = next(e for e in DATA["entries"] if e["capture"] == PORT_80)
        path = os.path.join(self.box.captures, REAL_WORLD, PORT_80)
        for args, has_tls in (([], False), (entry["tshark_args"], True)):
            done = self.box.tshark("-r", path, *args, "-T", "fields", "-e", "frame.protocols")
            self.assertEqual(done.returncode, 0, done.stderr)
            tls_frames = [line for line in done.stdout.split("\n") if "tls" in line.strip().split(":")]
            self.assertEqual(bool(tls_frames), has_tls, "TLS frames with %s: %d" % (args, len(tls_frames)))


    def test_port_80_session_is_found_without_the_option(self):
        """tlsdist reads the hellos itself: it finds TLS where Wireshark decodes HTTP."""
        path = os.path.join(self.box.captures, REAL_WORLD, PORT_80)
        done = self.box.tshark("-r", path, "-q", "-z", "tlsdist,csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = parse_session_csv(done.stdout)
        self.assertEqual([(r["server_port"], r["version"]) for r in rows], [("80", "TLS 1.2")])


def add_entry_tests(index, entry):
    who = "every_session" if entry.get("match") == "every_session" else "__".join(
        slug("%s_%s" % (ip, port)) for ip, port in entry["endpoints"])
    base = "test_%02d_%s__%s" % (index, slug(os.path.splitext(entry["capture"])[0]), who)

    def found(self):
        self.sessions_of(entry)
    setattr(ThirdPartyExpectations, base + "__session_found", found)

    if entry.get("roles"):
        def roles(self):
            for s in self.sessions_of(entry):
                self.assertEqual(((s["client_ip"], int(s["client_port"])), (s["server_ip"], int(s["server_port"]))),
                                 (tuple(entry["roles"]["client"]), tuple(entry["roles"]["server"])),
                                 "client, server of " + describe(entry))
        setattr(ThirdPartyExpectations, base + "__roles", roles)

    for key, value in entry["expect"].items():
        if key.endswith("_not"):
            field, negate = key[:-len("_not")], True
        else:
            field, negate = key, False
        if field not in FIELDS:
            raise RuntimeError("unknown expectation %r in %s" % (key, describe(entry)))

        def check(self, field=field, value=value, negate=negate):
            for s in self.sessions_of(entry):
                message = "%s of %s (stream %s)" % (field, describe(entry), s["stream"])
                if negate:
                    self.assertNotEqual(s[field], value, message)
                else:
                    self.assertEqual(s[field], value, message)
        setattr(ThirdPartyExpectations, "%s__%s" % (base, key), check)


for _index, _entry in enumerate(DATA["entries"]):
    add_entry_tests(_index, _entry)


if __name__ == "__main__":
    unittest.main()
