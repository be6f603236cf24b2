#!/usr/bin/python3
"""Checks a synth_capture.py manifest against a capture, two ways:
Wireshark's own TCP analysis (payload bytes of frames it does not flag as
retransmissions, per connection and direction), and, when given, tlsdist's
session CSV of the same capture. Exits 1 on any difference.

  check_manifest.py CAPTURE MANIFEST [TLSDIST_SESSION_CSV]
"""

import csv
import ipaddress
import json
import subprocess
import sys


def endpoint(ip, port):
    address = ipaddress.ip_address(ip)
    text = str(address) if address.version == 4 else address.exploded.replace(":", "")
    return "%s:%s" % (text, port)


def wireshark_sums(capture):
    """{client endpoint: [tx, rx]} from Wireshark's TCP dissection (port 443 is the server)."""
    fields = subprocess.run(
        ["tshark", "-r", capture, "-Y", "tcp.len > 0 && !tcp.analysis.retransmission", "-T", "fields",
         "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst",
         "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len"],
        capture_output=True, text=True, check=True).stdout
    sums = {}
    for line in fields.splitlines():
        src4, src6, dst4, dst6, sport, dport, length = line.split("\t")
        src, dst = src4 or src6, dst4 or dst6
        if dport == "443":
            sums.setdefault(endpoint(src, sport), [0, 0])[0] += int(length)
        else:
            sums.setdefault(endpoint(dst, dport), [0, 0])[1] += int(length)
    return sums


def main():
    capture, manifest_path = sys.argv[1:3]
    with open(manifest_path) as f:
        manifest = json.load(f)
    expected = {s["client"]: (s["version"], s["tx"], s["rx"]) for s in manifest["per_session"]}
    problems = []
    for client, (tx, rx) in wireshark_sums(capture).items():
        if client not in expected or expected[client][1:] != (tx, rx):
            problems.append("Wireshark %s: tx %d rx %d, manifest %s" % (client, tx, rx, expected.get(client)))
    if len(sys.argv) > 3:
        with open(sys.argv[3], newline="") as f:
            rows = list(csv.DictReader(f))
        if len(rows) != len(expected):
            problems.append("tlsdist has %d sessions, manifest %d" % (len(rows), len(expected)))
        for row in rows:
            client = endpoint(row["client_ip"], row["client_port"])
            got = (row["version"], int(row["tx_bytes"]), int(row["rx_bytes"]))
            if expected.get(client) != got:
                problems.append("tlsdist %s: %s, manifest %s" % (client, got, expected.get(client)))
    for problem in problems[:20]:
        print(problem)
    print("check_manifest: %d sessions, %d differences" % (len(expected), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
