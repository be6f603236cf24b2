#!/usr/bin/python3
"""Feeds mutated captures to tshark with the tlsdist plugin and every view.

Each variant is one capture from captures/ with random byte errors
(editcap -E at one of several rates, seeded) and/or cut at a random offset. It
runs through tshark with -z tlsdist, -z tlsdist,csv and -z tlsdist,packets (every
third variant with -2, every fifth one also through the tlsdist.* fields). A
variant fails when tshark dies from a signal or exits with a status other
than 0 or 2 (the file is damaged), prints a sanitizer report, runs past the
time bound, or prints views that disagree with each other. Failing inputs are kept for reproduction.

  fuzz_captures.py [--variants N] [--seed S] [--jobs J] [--keep DIR]

With the sanitized plugin: TLSDIST_PLUGIN_DIR=build/wireshark-plugins-sanitized
TLSDIST_PRELOAD=$(gcc -print-file-name=libasan.so).
"""

import argparse
import csv
import io
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from tlsdist_env import SANITIZER_SIGNS, TSHARK_DAMAGED_FILE, Sandbox, capture_names  # noqa: E402

ERROR_RATES = (0.001, 0.01, 0.05, 0.2)
TIME_BOUND = 120  # seconds per tshark run; the largest shipped capture takes under 2


def make_variant(box, rng, index, work):
    """Writes variant `index` and returns (path, description)."""
    original = box.capture(rng.choice(box.names))
    path = os.path.join(work, "variant-%05d.pcap" % index)
    kind = rng.choice(("errors", "errors", "cut", "errors+cut"))
    steps = [os.path.basename(original)]
    source = original
    if kind.startswith("errors"):
        rate = rng.choice(ERROR_RATES)
        seed = rng.randrange(1 << 31)
        # editcap keeps the input's format (pcap or pcapng) whatever the name says.
        subprocess.run(["editcap", "-E", str(rate), "--seed", str(seed), source, path],
                       check=True, capture_output=True)
        steps.append("editcap -E %s --seed %d" % (rate, seed))
        source = path
    if kind.endswith("cut"):
        with open(source, "rb") as f:
            data = f.read()
        offset = rng.randrange(len(data))
        with open(path, "wb") as f:
            f.write(data[:offset])
        steps.append("cut at byte %d" % offset)
    os.chmod(path, 0o644)
    return path, "; ".join(steps)


def split_views(output):
    """The three views' text from one tshark run (packets, session CSV, table)."""
    table_at = output.find("TLS Sessions\n")
    csv_at = output.rfind("\nstream,transport,start_time,", 0, table_at if table_at >= 0 else len(output))
    if table_at < 0 or csv_at < 0:
        return None
    return output[:csv_at + 1], output[csv_at + 1:table_at], output[table_at:]


def views_disagree(output):
    """Why the views of one run contradict each other, or None."""
    parts = split_views(output)
    if parts is None:
        return "a view is missing from the output"
    _, session_csv, table = parts
    rows = list(csv.DictReader(io.StringIO(session_csv, newline="")))
    totals = table.rstrip("\n").split("\n")[-1]
    if not totals.endswith("Total TLS sessions: %d" % len(rows)):
        return "table says %r, CSV has %d sessions" % (totals, len(rows))
    for row in rows:
        for side, key in (("tx", "tx_bytes"), ("rx", "rx_bytes")):
            if sum(int(row["%s_%d" % (side, v)]) for v in range(256)) != int(row[key]):
                return "stream %s: %s distribution does not sum to %s" % (row["stream"], side, key)
    return None


def run_variant(box, path, index):
    """Returns None when tshark survived the variant, else why it failed."""
    runs = [["-r", path, "-q", "-z", "tlsdist", "-z", "tlsdist,csv", "-z", "tlsdist,packets"]]
    if index % 3 == 0:
        runs[0].insert(0, "-2")
    if index % 5 == 0:
        runs.append(["-r", path, "-o", "tlsdist.track_always:TRUE", "-Y", "tlsdist.bytes",
                     "-T", "fields", "-e", "tlsdist.session", "-e", "tlsdist.direction",
                     "-e", "tlsdist.bytes", "-e", "tlsdist.version"])
    for args in runs:
        command = box.command(["tshark"] + args)
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=TIME_BOUND, cwd=box.root)
        except subprocess.TimeoutExpired:
            return "hang: tshark %s ran past %d s" % (" ".join(args), TIME_BOUND)
        # 0: read to the end; TSHARK_DAMAGED_FILE: the file is damaged (tshark
        # says so). Anything else, 1 included (the view was refused: was the
        # plugin loaded?), fails.
        if done.returncode != 0 and done.returncode not in TSHARK_DAMAGED_FILE:
            return "tshark %s exited with %d:\n%s" % (" ".join(args), done.returncode, done.stderr[-4000:])
        for sign in SANITIZER_SIGNS:
            if sign in done.stderr:
                return "sanitizer report from tshark %s:\n%s" % (" ".join(args), done.stderr[-8000:])
        # A capture that is unreadable from its first bytes gives no views at all.
        if "-q" in args and (done.returncode == 0 or "TLS Sessions" in done.stdout):
            problem = views_disagree(done.stdout)
            if problem:
                return "tshark %s: %s" % (" ".join(args), problem)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", default=os.path.join(os.getcwd(), "fuzz-failures"),
                        help="folder for failing inputs (default: ./fuzz-failures)")
    args = parser.parse_args()

    box = Sandbox()
    box.names = capture_names()
    rng = random.Random(args.seed)
    work = box.folder("variants")
    started = time.monotonic()
    failures = []

    def one(index_and_variant):
        index, (path, description) = index_and_variant
        problem = run_variant(box, path, index)
        if problem:
            os.makedirs(args.keep, exist_ok=True)
            kept = os.path.join(args.keep, os.path.basename(path))
            shutil.copy(path, kept)
            failures.append((kept, description, problem))
        else:
            os.remove(path)

    try:
        # Variants are made in order from one generator so that a seed names the same set.
        variants = ((i, make_variant(box, rng, i, work)) for i in range(args.variants))
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(one, variants))
    finally:
        box.close()

    seconds = time.monotonic() - started
    for kept, description, problem in failures:
        print("FAILED %s (%s)\n  %s" % (kept, description, problem.replace("\n", "\n  ")))
    print("fuzz_captures: %d variants (seed %d, %d captures), %d failed, %.0f s"
          % (args.variants, args.seed, len(box.names), len(failures), seconds))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
