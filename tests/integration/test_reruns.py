"""Re-runs, resets and several statistics in one run give consistent figures.

In one tshark run, three tlsdist statistics with different display filters
each receive a different subset of the frames; each must equal what the
independent implementation (tests/reference) computes for exactly that subset.
The same run with -2 (a first pass, a reset of the taps, then a second pass
replaying every frame's cached result) must print the same bytes. Repeated
resets inside Wireshark (the dialog re-run on each filter change) are covered
by test_gui.
"""

import unittest

from tlsdist_env import SandboxTestCase, parse_packet_csv, parse_session_csv, parse_table, reference

CAPTURES = ("multi-session.pcapng", "tls13-retransmissions.pcap", "zeek-smtp-starttls.pcap",
            "joy-tls12.pcap", "tls13-gnutls-ipv6.pcapng")


def split_outputs(text):
    """(table, session CSV, packet CSV) from one run with one view of each kind."""
    table_at = text.index("TLS Sessions\n")
    table_end = text.index("\n", text.index("Total TLS sessions:", table_at)) + 1
    table = text[table_at:table_end]
    rest = text[:table_at] + text[table_end:]
    session_at = rest.index("stream,transport,start_time,")
    packet_at = rest.index("frame,time,")
    if session_at < packet_at:
        return table, rest[session_at:packet_at], rest[packet_at:]
    return table, rest[session_at:], rest[packet_at:session_at]


def endpoint(ip, port):
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def sums_over_frames(frames, keep):
    """Per stream, per direction: (bytes, distribution) over the kept frames."""
    result = {}
    for frame in frames:
        if not keep(frame):
            continue
        per_stream = result.setdefault(frame["stream"], {"tx": [0, [0] * 256], "rx": [0, [0] * 256]})
        figures = per_stream[frame["direction"]]
        figures[0] += frame["tls_bytes"]
        figures[1] = [a + b for a, b in zip(figures[1], frame["hist"])]
    return result


class RerunTests(SandboxTestCase):
    def run_views(self, name, *options):
        done = self.box.tshark(*options, "-r", self.box.capture(name), "-q", *self.views)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_filtered_statistics_are_exact_subsets_and_two_passes_agree(self):
        for name in CAPTURES:
            with self.subTest(capture=name):
                ref = reference(self.box.capture(name), per_frame=True)
                last_frame = ref["packets"] // 2
                self.views = ["-z", "tlsdist",
                              "-z", "tlsdist,csv,tlsdist.direction == 0",
                              "-z", "tlsdist,packets,frame.number <= %d" % last_frame]
                one_pass = self.run_views(name)
                self.assertEqual(self.run_views(name, "-2"), one_pass)
                table, session_csv, packet_csv = split_outputs(one_pass)

                # Unfiltered table: every session, as the reference has them.
                rows, totals, _ = parse_table(table)
                self.assertEqual([(r[2], r[3], r[4], int(r[5]), int(r[6])) for r in rows],
                                 [(endpoint(s["client_ip"], s["client_port"]),
                                   endpoint(s["server_ip"], s["server_port"]),
                                   s["version"], s["tx_bytes"], s["rx_bytes"]) for s in ref["sessions"]])
                self.assertTrue(totals.endswith("Total TLS sessions: %d" % len(ref["sessions"])), totals)

                # Client-to-server only: each session keeps its client, server,
                # version and TX figures; RX is empty.
                sessions = {s["stream"]: s for s in ref["sessions"]}
                client_side = parse_session_csv(session_csv)
                self.assertEqual(sorted(int(r["stream"]) for r in client_side),
                                 sorted(s for s, v in sessions.items() if v["tx_bytes"] > 0))
                for row in client_side:
                    s = sessions[int(row["stream"])]
                    self.assertEqual((row["client_ip"], int(row["client_port"]), row["version"]),
                                     (s["client_ip"], s["client_port"], s["version"]))
                    self.assertEqual((int(row["tx_bytes"]), row["tx_hist"]), (s["tx_bytes"], s["tx_hist"]))
                    self.assertEqual((int(row["rx_bytes"]), row["rx_hist"]), (0, [0] * 256))

                # The first half of the frames: exactly the reference's rows for them.
                frames = parse_packet_csv(packet_csv)
                expected = [f for f in ref["frames"] if f["frame"] <= last_frame]
                self.assertEqual([(int(r["frame"]), int(r["stream"]), r["direction"], int(r["tls_bytes"]), r["hist"])
                                  for r in frames],
                                 [(f["frame"], f["stream"], f["direction"], f["tls_bytes"], f["hist"])
                                  for f in expected])

    def test_session_filter_gives_the_sessions_unchanged(self):
        name = "multi-session.pcapng"
        ref = reference(self.box.capture(name), per_frame=True)
        chosen = [s["stream"] for s in ref["sessions"]][1::2]
        stream_filter = " || ".join("tcp.stream == %d" % s for s in chosen)
        self.views = ["-z", "tlsdist,csv," + stream_filter, "-z", "tlsdist,tlsdist.direction == 1",
                      "-z", "tlsdist,packets,tlsdist.bytes > 1000"]
        one_pass = self.run_views(name)
        self.assertEqual(self.run_views(name, "-2"), one_pass)
        table, session_csv, packet_csv = split_outputs(one_pass)

        rows = parse_session_csv(session_csv)
        self.assertEqual([int(r["stream"]) for r in rows], chosen)
        for row in rows:
            s = next(s for s in ref["sessions"] if s["stream"] == int(row["stream"]))
            for field in ("tx_bytes", "rx_bytes", "tx_frames", "rx_frames"):
                self.assertEqual(int(row[field]), s[field], field)
            self.assertEqual((row["tx_hist"], row["rx_hist"]), (s["tx_hist"], s["rx_hist"]))

        # Server-to-client only: RX as the reference, TX nothing, same client.
        table_rows, _, _ = parse_table(table)
        self.assertEqual([(r[2], r[4], int(r[5]), int(r[6])) for r in table_rows],
                         [(endpoint(s["client_ip"], s["client_port"]), s["version"], 0, s["rx_bytes"])
                          for s in ref["sessions"]])

        expected = sums_over_frames(ref["frames"], lambda f: f["tls_bytes"] > 1000)
        got = {}
        for row in parse_packet_csv(packet_csv):
            self.assertGreater(int(row["tls_bytes"]), 1000)
            figures = got.setdefault(int(row["stream"]), {"tx": [0, [0] * 256], "rx": [0, [0] * 256]})
            figures[row["direction"]][0] += int(row["tls_bytes"])
            figures[row["direction"]][1] = [a + b for a, b in zip(figures[row["direction"]][1], row["hist"])]
        self.assertEqual(got, expected)


if __name__ == "__main__":
    unittest.main()
