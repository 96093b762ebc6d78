#!/usr/bin/env python3
"""Evaluate format handling on real logs: the share of lines that get a timestamp, per dataset.

Usage: eval_loghub_timeline.py [DATA_DIR] [CULPRIT_BIN]
  DATA_DIR     a directory of datasets, one sub-directory each holding a raw log
               (default: ../shared/data/loghub-2k, with files <System>/<System>_2k.log)
  CULPRIT_BIN  the culprit binary (default: $CARGO_TARGET_DIR/release/culprit or target/release)

Every line of a Loghub file is one record, so "timestamped" = events / lines: the share of lines
that started an event with a UTC time (continuation lines are not counted as timestamped).
Exits 2 with a clear message when the data is absent; 1 when a dataset is below the 99% target.
"""

import json
import os
import subprocess
import sys

TARGET = 0.99


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "loghub-2k")
    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(target_dir, "release", "culprit")
    if not os.path.isdir(data):
        print(f"eval_loghub_timeline: data not found at {os.path.abspath(data)}; "
              "pass the Loghub-2k directory as the first argument", file=sys.stderr)
        sys.exit(2)
    if not os.path.exists(binary):
        print(f"eval_loghub_timeline: binary not found at {binary}; run `cargo build --release` first",
              file=sys.stderr)
        sys.exit(2)
    logs = []
    for name in sorted(os.listdir(data)):
        d = os.path.join(data, name)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".log"):
                logs.append((name, os.path.join(d, f)))
    print(f"| dataset | format | lines | events | continuation | unparsed | timestamped |")
    print(f"|---|---|---:|---:|---:|---:|---:|")
    below = []
    for name, path in logs:
        out = subprocess.run([binary, "timeline", "--stats", "--format", "json", path],
                             capture_output=True, text=True)
        if out.returncode not in (0, 2):
            print(f"| {name} | error: {out.stderr.strip()} |")
            below.append(name)
            continue
        stats = json.loads(out.stdout)[0]
        share = stats["events"] / stats["lines"] if stats["lines"] else 0.0
        print(f"| {name} | {stats['format']} | {stats['lines']} | {stats['events']} | "
              f"{stats['continuation']} | {stats['unparsed']} | {share:.2%} |")
        if share < TARGET:
            below.append(name)
    if below:
        print(f"\nbelow the {TARGET:.0%} target: {', '.join(below)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
