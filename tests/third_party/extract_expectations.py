#!/usr/bin/python3
"""Builds expectations.json from the published test results of other projects.

Reads only the third parties' own files (nDPI's ndpiReader results, zeek's
btest baselines, suricata-verify's test.yaml, mercury's unit tests), at fixed
commits, from local git clones:

  extract_expectations.py --ndpi GITDIR --zeek GITDIR --suricata GITDIR \
      --mercury GITDIR > expectations.json

GITDIR is a clone (or bare git directory) of ntop/nDPI, zeek/zeek,
OISF/suricata-verify and cisco/mercury that holds the commits below. Nothing
here runs tshark or tlsdist: no expectation comes from tlsdist's own output.
See README.md for the mapping of names.
"""

import argparse
import json
import re
import subprocess
import sys

NDPI = ("ntop/nDPI", "3b1286ab03b0c9223ac208a01868d8c1f6c0ae00")
ZEEK = ("zeek/zeek", "a13de64fbbdb01f90961c04719b308fbbb6d199e")
SURICATA = ("OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19")
MERCURY = ("cisco/mercury", "3172786645f70e1a8347d8cf020b736e185651e5")

# Capture in captures/real-world/ -> the upstream file that holds its results.
NDPI_RESULTS = {
    "ndpi-teams.pcap": "tests/cfgs/default/result/teams.pcap.out",
    "ndpi-tls_missing_ch_frag.pcap": "tests/cfgs/default/result/tls_missing_ch_frag.pcap.out",
    "ndpi-tls_multiple_synack_different_seq.pcapng":
        "tests/cfgs/default/result/tls_multiple_synack_different_seq.pcapng.out",
    "ndpi-tls_port_80.pcapng": "tests/cfgs/default/result/tls_port_80.pcapng.out",
}

# TLS on port 80: Wireshark hands the payload to its HTTP dissector unless
# heuristics run first (see README.md).
TSHARK_ARGS = {"ndpi-tls_port_80.pcapng": ["-o", "tcp.try_heuristic_first:TRUE"]}

# zeek: capture -> (baseline, test script, the trace name in the script). A
# baseline that concatenates several traces is cut into blocks at "#separator";
# the block index is the trace's position among the script's zeek runs.
ZEEK_BASELINES = {
    "zeek-tls13draft23-chrome67.pcap": (
        "testing/btest/Baseline/scripts.base.protocols.ssl.tls13-version/ssl.log",
        "testing/btest/scripts/base/protocols/ssl/tls13-version.test",
        "tls13draft23-chrome67.0.3368.0-canary.pcap"),
    "zeek-tls13draft16-ff52.pcap": (
        "testing/btest/Baseline/scripts.base.protocols.ssl.tls13/ssl-out.log",
        "testing/btest/scripts/base/protocols/ssl/tls13.test",
        "tls13draft16-ff52.a01.pcap"),
    "zeek-tls1.2-late-protocol-error.pcap": (
        "testing/btest/Baseline/scripts.base.protocols.ssl.tls-1.2-late-protocol-error/ssl.log",
        "testing/btest/scripts/base/protocols/ssl/tls-1.2-late-protocol-error.test",
        "tls1.2-late-protocol-error.pcap"),
    "zeek-dtls13-wolfssl.pcap": (
        "testing/btest/Baseline/scripts.base.protocols.ssl.dtls-13/ssl-all.log",
        "testing/btest/scripts/base/protocols/ssl/dtls-13.test",
        "dtls13-wolfssl.pcap"),
}

SURICATA_TEST = "tests/tcp-fastopen-10-syn-data-ignore/test.yaml"
MERCURY_TESTS = ["unit_tests/libmerc_tlsdb_test.cc", "unit_tests/libmerc_dbmultiprotocol_test.cc"]


def show(gitdir, commit, path):
    return subprocess.run(["git", "--git-dir", gitdir, "show", "%s:%s" % (commit, path)],
                          check=True, capture_output=True, text=True).stdout


def numbered(text):
    return list(enumerate(text.split("\n"), start=1))


def source(repo_commit, path):
    return {"repo": repo_commit[0], "path": path, "commit": repo_commit[1]}


# ---------------------------------------------------------------- nDPI

NDPI_VERSIONS = {"SSLv3": "SSL 3.0", "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2",
                 "TLSv1.3": "TLS 1.3", "DTLSv1.0": "DTLS 1.0", "DTLSv1.2": "DTLS 1.2",
                 "DTLSv1.3": "DTLS 1.3"}
NDPI_FLOW = re.compile(r"^\t\d+\t(TCP|UDP) (\S+):(\d+) (<->|->) (\S+):(\d+) \[proto: ([0-9.]+)/")


def ndpi_entries(gitdir, capture, path):
    entries = []
    for number, line in numbered(show(gitdir, NDPI[1], path)):
        found = NDPI_FLOW.match(line)
        # 91 is nDPI's TLS (91.x: TLS carrying a known application).
        if not found or found.group(7).split(".")[0] != "91":
            continue
        fields = dict()
        for item in re.findall(r"\[([^\[\]]*)\]", line):
            key, sep, value = item.partition(": ")
            fields[key if sep else item] = value if sep else True
        raw = {}
        expect = {}
        notes = []
        version = next((v for v in NDPI_VERSIONS if v in fields), None)
        if "Hostname/SNI" in fields:
            raw["Hostname/SNI"] = fields["Hostname/SNI"]
            expect["server_name"] = fields["Hostname/SNI"]
        elif "Missing SNI TLS Extn" in fields.get("Risk", ""):
            raw["Risk"] = fields["Risk"]
            expect["server_name"] = ""
        if "JA3C" in fields:
            raw["JA3C"] = fields["JA3C"]
            expect["ja3"] = fields["JA3C"]
        if "JA3S" in fields:
            raw["JA3S"] = fields["JA3S"]
            expect["ja3s"] = fields["JA3S"]
        if "Cipher" in fields:
            raw["Cipher"] = fields["Cipher"]
            expect["cipher_suite"] = fields["Cipher"]
        if version:
            raw["version"] = version
            if "JA3S" in fields:
                # nDPI parsed the ServerHello: the version is the negotiated one.
                expect["version"] = NDPI_VERSIONS[version]
            else:
                notes.append("no ServerHello parsed by nDPI (no JA3S/Cipher): its version %s is the "
                             "ClientHello's legacy_version, not a negotiated version; not asserted" % version)
        if not expect:
            notes.append("nDPI classifies the flow as TLS but prints no TLS field: only the session's "
                         "existence is asserted")
        entries.append({
            "capture": capture,
            "source": source(NDPI, path),
            "lines": [{"number": number, "text": line}],
            "transport": found.group(1).lower(),
            # ndpiReader prints the source of the flow's first captured packet
            # first: not a client/server statement.
            "endpoints": [[found.group(2), int(found.group(3))], [found.group(5), int(found.group(6))]],
            "roles": None,
            "third_party": raw,
            "expect": expect,
            "notes": notes,
        })
    if not entries:
        raise RuntimeError("no TLS flow in " + path)
    return entries


# ---------------------------------------------------------------- zeek

def zeek_version(name):
    draft = re.fullmatch(r"TLSv13-draft(\d+)", name)
    if draft:
        return "TLS 1.3 (draft %d)" % int(draft.group(1))
    table = {"SSLv3": "SSL 3.0", "TLSv10": "TLS 1.0", "TLSv11": "TLS 1.1", "TLSv12": "TLS 1.2",
             "TLSv13": "TLS 1.3", "DTLSv10": "DTLS 1.0", "DTLSv12": "DTLS 1.2", "DTLSv13": "DTLS 1.3"}
    return table[name]


def zeek_entries(gitdir, capture, baseline, script, trace):
    # Which zeek run of the script reads the trace: its index among the runs.
    runs = [(n, l) for n, l in numbered(show(gitdir, ZEEK[1], script))
            if re.match(r"# @TEST-EXEC: zeek .*-r \$TRACES/", l)]
    index = next(i for i, (n, l) in enumerate(runs) if l.split("$TRACES/tls/")[1].split()[0] == trace)
    lines = numbered(show(gitdir, ZEEK[1], baseline))
    blocks = []
    for number, line in lines:
        if line.startswith("#separator"):
            blocks.append([])
        if blocks:
            blocks[-1].append((number, line))
    if len(blocks) != len(runs):
        raise RuntimeError("%s: %d log blocks for %d zeek runs" % (baseline, len(blocks), len(runs)))
    block = blocks[index]
    header = next((n, l) for n, l in block if l.startswith("#fields\t"))
    names = header[1].split("\t")[1:]
    entries = []
    for number, line in block:
        if line.startswith("#") or not line.strip():
            continue
        row = dict(zip(names, line.split("\t")))
        expect = {}
        if row["version"] != "-":
            expect["version"] = zeek_version(row["version"])
        if row["cipher"] != "-":
            expect["cipher_suite"] = row["cipher"]
        # "-" is zeek's unset field: no server_name extension in the ClientHello.
        expect["server_name"] = "" if row["server_name"] == "-" else row["server_name"]
        if row["established"] == "T":
            expect["handshake_completed"] = "yes"
        else:
            # Not established: zeek did not see the handshake finish. tlsdist's
            # "no" and "" (cannot be told) both agree; "yes" does not.
            expect["handshake_completed_not"] = "yes"
        transport = "udp" if row["version"].startswith("DTLS") or "dtls" in capture else "tcp"
        entries.append({
            "capture": capture,
            "source": source(ZEEK, baseline),
            "lines": [{"number": header[0], "text": header[1]}, {"number": number, "text": line}],
            "trace_identified_by": {"path": script, "commit": ZEEK[1],
                                    "lines": [{"number": n, "text": l} for n, l in runs],
                                    "run_index": index},
            "transport": transport,
            "endpoints": [[row["id.orig_h"], int(row["id.orig_p"])], [row["id.resp_h"], int(row["id.resp_p"])]],
            # id.orig is the originator (client), id.resp the responder (server).
            "roles": {"client": [row["id.orig_h"], int(row["id.orig_p"])],
                      "server": [row["id.resp_h"], int(row["id.resp_p"])]},
            "third_party": {k: row[k] for k in ("version", "cipher", "server_name", "established",
                                                 "last_alert", "ssl_history")},
            "expect": expect,
            "notes": [],
        })
    return entries


# ---------------------------------------------------------------- suricata-verify

def suricata_entries(gitdir):
    lines = numbered(show(gitdir, SURICATA[1], SURICATA_TEST))
    text = "\n".join(l for n, l in lines)
    # The checks that hold from Suricata 8.0.3 on (older releases left one
    # version UNDETERMINED); pick them by their text so that a changed file fails here.
    wanted = ["  - filter:", "      count: 2", "      match:", "        event_type: flow"]
    flow_at = next(i for i in range(len(lines)) if [l for n, l in lines[i:i + 4]] == wanted)
    tls_at = next(i for i in range(len(lines))
                  if [l for n, l in lines[i:i + 8]] == [
                      "  - filter:", "      requires:", "        min-version: 8.0.3", "      count: 2",
                      "      match:", "        event_type: tls", "        tls.sni: \"icloud.com\"",
                      "        tls.version: \"TLS 1.3\""])
    taken = lines[flow_at:flow_at + 4] + lines[tls_at:tls_at + 8]
    if "TLS 1.3" not in text:
        raise RuntimeError("unexpected " + SURICATA_TEST)
    return [{
        "capture": "suricata-tcp-fastopen-10.pcap",
        "source": source(SURICATA, SURICATA_TEST),
        "lines": [{"number": n, "text": l} for n, l in taken],
        "transport": "tcp",
        # test.yaml names no endpoints: it says that the capture's flows (2 in
        # Suricata's flow table) give 2 TLS events, each with this SNI and
        # version. The expectation applies to every session of the capture.
        "endpoints": None,
        "roles": None,
        "match": "every_session",
        "third_party": {"event_type: flow count": 2, "event_type: tls count": 2,
                        "tls.sni": "icloud.com", "tls.version": "TLS 1.3"},
        "expect": {"server_name": "icloud.com", "version": "TLS 1.3"},
        "notes": ["test.yaml names no endpoints. The capture holds one TCP 5-tuple "
                  "(192.168.0.45:51615 <-> 17.253.144.10:443 for tshark -z conv,tcp), so both of "
                  "Suricata's flows are on it: Suricata's own flow tracking splits it in two (the "
                  "SYN and SYN-ACK are repeated, and Wireshark flags port reuse), Wireshark keeps "
                  "one tcp.stream. The flow count "
                  "is therefore not asserted; SNI and version are, on every session."],
    }]


# ---------------------------------------------------------------- mercury

def mercury_note(gitdir):
    # The TLS and OpenVPN checks on the two captures, each with the packet
    # filter it runs under (the closest packet_filter_cfg line above it).
    taken = []
    for path in MERCURY_TESTS:
        lines = numbered(show(gitdir, MERCURY[1], path))
        for i, (n, l) in enumerate(lines):
            if 'set_pcap("capture2.pcap")' not in l and 'set_pcap("openvpn_tcp_single.pcap")' not in l:
                continue
            config = next(lines[j] for j in range(i, -1, -1) if "packet_filter_cfg" in lines[j][1])
            if not re.search(r'"(tls[^"]*|openvpn_tcp)"', config[1]):
                continue
            taken.append({"path": path, "lines": [{"number": m, "text": t}
                                                  for m, t in (config, lines[i], lines[i + 1])]})
    if not taken:
        raise RuntimeError("mercury: no TLS or OpenVPN check found")
    return {
        "captures": ["mercury-capture2.pcap", "mercury-openvpn_tcp_single.pcap"],
        "repo": MERCURY[0], "commit": MERCURY[1],
        "why_no_entries": "mercury's unit tests publish only counts of the JSON records its packet "
                          "processor writes for a whole pcap under a packet filter (17 TLS "
                          "ClientHello records and 60 ClientHello+ServerHello records in "
                          "capture2.pcap, 1 OpenVPN record in openvpn_tcp_single.pcap): no flow, "
                          "endpoint, version, SNI, cipher or fingerprint, and no expected JSON file. "
                          "Records are per packet (a duplicated frame counts twice), so the counts "
                          "do not translate into tlsdist's per-session columns.",
        "checks": taken,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("ndpi", "zeek", "suricata", "mercury"):
        parser.add_argument("--" + name, required=True, metavar="GITDIR")
    args = parser.parse_args()
    entries = []
    for capture, path in NDPI_RESULTS.items():
        entries += ndpi_entries(args.ndpi, capture, path)
    for capture, (baseline, script, trace) in ZEEK_BASELINES.items():
        entries += zeek_entries(args.zeek, capture, baseline, script, trace)
    entries += suricata_entries(args.suricata)
    for entry in entries:
        entry["tshark_args"] = TSHARK_ARGS.get(entry["capture"], [])
    out = {
        "about": "Expected per-session facts for captures/real-world/, taken from the test results "
                 "the captures' source projects publish; see README.md. Generated by "
                 "extract_expectations.py; never from tlsdist's output.",
        "expect_keys": {
            "version": "CSV column version",
            "server_name": "CSV column server_name (\"\" = no SNI extension)",
            "cipher_suite": "CSV column cipher_suite",
            "ja3": "CSV column ja3", "ja3s": "CSV column ja3s",
            "handshake_completed": "CSV column handshake_completed",
            "handshake_completed_not": "CSV column handshake_completed must differ from this value",
        },
        "entries": entries,
        "not_used": [mercury_note(args.mercury)],
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
