#!/usr/bin/python3
"""What an analyst writes by hand: tshark exports fields, Python adds them up.

  tshark -r FILE -Y 'tcp.len > 0 && !tcp.analysis.retransmission' -T fields \
      -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
      -e frame.time_epoch -e tls.handshake.type -e tls.handshake.extensions.supported_version \
      -e tls.handshake.version -e tcp.payload | fields_pipeline.py

Prints one CSV row per TCP connection: stream, client, server, version,
tx_bytes, rx_bytes, then 256 TX and 256 RX counts. The client is the side
that sent the connection's first payload (true for TLS: the ClientHello).
Every payload byte counts as TLS (fine on a TLS-only capture, which is all
this is for).
"""

import sys
from collections import Counter

VERSIONS = {"0x0301": "TLS 1.0", "0x0302": "TLS 1.1", "0x0303": "TLS 1.2", "0x0304": "TLS 1.3"}


def main():
    sessions = {}
    for line in sys.stdin:
        (stream, src4, src6, sport, dst4, dst6, dport, when, types, supported, versions,
         payload) = line.rstrip("\n").split("\t")
        source = "%s:%s" % (src4 or src6, sport)
        session = sessions.get(stream)
        if session is None:
            session = sessions[stream] = {"client": source, "server": "%s:%s" % (dst4 or dst6, dport),
                                          "version": "unknown", "counts": [Counter(), Counter()],
                                          "bytes": [0, 0]}
        side = 0 if source == session["client"] else 1
        if "2" in types.split(","):  # ServerHello: supported_versions wins over the version field
            chosen = supported.split(",")[-1] if supported else versions.split(",")[types.split(",").index("2")]
            session["version"] = VERSIONS.get(chosen, chosen)
        data = bytes.fromhex(payload.replace(":", ""))
        session["counts"][side].update(data)
        session["bytes"][side] += len(data)
    out = sys.stdout
    for stream, s in sorted(sessions.items(), key=lambda item: int(item[0])):
        cells = [stream, s["client"], s["server"], s["version"], str(s["bytes"][0]), str(s["bytes"][1])]
        cells += [str(s["counts"][0][v]) for v in range(256)] + [str(s["counts"][1][v]) for v in range(256)]
        out.write(",".join(cells) + "\n")


if __name__ == "__main__":
    main()
