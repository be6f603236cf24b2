#!/usr/bin/python3
"""Peak memory of tshark with tlsdist on two generated extremes, against the
same tshark without it (-z io,stat,0: the same dissection, no plugin work):

  - many sessions: N short TLS sessions (default 200,000);
  - one session carrying a multi-gigabyte response (default 4 GiB).

Captures are streamed from bench/synth_capture.py into `tshark -r -`, so no
disk is needed. Fails when the plugin's share breaks the documented bounds:
per session at most SESSION_BOUND bytes (a session's counters and histograms
in one statistic, its connection state and its frames' cache entries), and
for the single session at most FRAME_BOUND bytes per frame plus a constant.

  memory_bounds.py [--sessions N] [--single-size 4G]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from tlsdist_env import Sandbox  # noqa: E402

SYNTH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "synth_capture.py")
SESSION_BOUND = 4800       # bytes per session (4.7 KiB: 4.1 KiB before bytes by content type, record framing, DTLS and decryption state), documented in README "Robustness"
FRAME_BOUND = 48           # bytes per frame: the 20-byte cache entry, with vector growth slack
CONSTANT_BOUND = 16 << 20  # the plugin's fixed cost (registration, buffers)


def peak_rss(box, synth_args, view, manifest):
    """Peak RSS in bytes of tshark reading the generated capture with one -z view."""
    script = ("/usr/bin/python3 %s - %s --manifest %s --no-per-session | "
              "/usr/bin/time -f 'peak-rss-kb %%M' tshark -q -r - -z %s > /dev/null"
              % (SYNTH, synth_args, manifest, view))
    done = box.run(["bash", "-o", "pipefail", "-c", script], timeout=7200)
    if done.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (script, done.stderr))
    line = [l for l in done.stderr.splitlines() if l.startswith("peak-rss-kb ")][-1]
    return int(line.split()[1]) * 1024


def measure(box, label, synth_args):
    manifest = os.path.join(box.home, "manifest.json")
    floor = peak_rss(box, synth_args, "io,stat,0", manifest)
    table = peak_rss(box, synth_args, "tlsdist", manifest)
    session_csv = peak_rss(box, synth_args, "tlsdist,csv", manifest)
    with open(manifest) as f:
        facts = json.load(f)
    extra = max(table, session_csv) - floor
    print("%s: %d sessions, %d frames, %.0f MB of capture; peak RSS: io,stat,0 %.1f MB, "
          "tlsdist %.1f MB, tlsdist,csv %.1f MB; plugin's share %.1f MB (%.2f%%)"
          % (label, facts["sessions"], facts["frames"], facts["bytes_written"] / 1e6, floor / 1e6,
             table / 1e6, session_csv / 1e6, extra / 1e6, 100.0 * extra / floor))
    return facts, extra


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--single-size", default="4G")
    args = parser.parse_args()

    box = Sandbox()
    failures = []
    try:
        facts, extra = measure(box, "many sessions",
                               "--profile short --sessions %d --seed 3" % args.sessions)
        per_session = extra / facts["sessions"]
        print("  per session: %.0f bytes (bound %d)" % (per_session, SESSION_BOUND))
        if per_session > SESSION_BOUND:
            failures.append("%.0f bytes per session exceeds %d" % (per_session, SESSION_BOUND))

        facts, extra = measure(box, "one session", "--profile single --size %s --seed 4" % args.single_size)
        bound = facts["frames"] * FRAME_BOUND + CONSTANT_BOUND
        print("  per frame: %.1f bytes (bound %d per frame + %d MiB)"
              % (extra / facts["frames"], FRAME_BOUND, CONSTANT_BOUND >> 20))
        if extra > bound:
            failures.append("one session: %.1f MB exceeds %.1f MB" % (extra / 1e6, bound / 1e6))
    finally:
        box.close()
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
