#!/usr/bin/env python3
"""Measure `culprit templates` against ground truth: grouping and parsing accuracy per dataset,
and speed.

Usage: eval_templates.py [DATA_DIR] [CULPRIT_BIN] [--repeat N] [--no-speed] [--strict] [--show N]
  DATA_DIR     Loghub-2k with the corrected ground truth: <System>/<System>_2k.log_structured_corrected.csv
               (default: ../shared/data/loghub-2k next to the repository)
  CULPRIT_BIN  the culprit binary, built with `cargo build --release`
               (default: $CARGO_TARGET_DIR/release/culprit, else target/release/culprit)
  --repeat N   speed input = every dataset's messages repeated N times (default 100)
  --no-speed   skip the speed measurement
  --mining-speed  also time the mining step alone (mask + count, no file reading) on one thread,
               over the same repeated input, with the ignored Rust test `mining_speed` (runs
               `cargo test --release`, which builds the library tests the first time)
  --strict     exit 1 when an average target (GA >= 0.95, PA >= 0.80) is missed
  --show N     print up to N mismatching templates per dataset

For each dataset the `Content` column (the message without its header) is written to a temporary
file, one message per line, and run through `culprit templates --raw --assign`. Then:
  GA (grouping accuracy): the share of lines whose predicted group (lines with the same predicted
     template) holds exactly the lines of their ground-truth group (same `EventTemplate`);
  PA (parsing accuracy): the share of lines whose predicted template text equals `EventTemplate`.
Speed: lines per second of `culprit templates --raw` (template list) over the repeated input, on
one thread (RAYON_NUM_THREADS=1) and on all threads; best of 3 runs each, output discarded.

The data is read where it is and never copied into the repository (Loghub licence: cite
https://github.com/logpai/loghub). Exits 2 with a clear message when the data or the binary is
absent.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

GA_TARGET = 0.95
PA_TARGET = 0.80
SPEED_TARGET = 1_000_000


def die(msg):
    print(f"eval_templates: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    opts = {"repeat": 100, "speed": True, "strict": False, "show": 0, "mining": False, "root": root}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--repeat" and i + 1 < len(argv):
            opts["repeat"] = int(argv[i + 1])
            i += 2
            continue
        if a == "--show" and i + 1 < len(argv):
            opts["show"] = int(argv[i + 1])
            i += 2
            continue
        if a == "--no-speed":
            opts["speed"] = False
        elif a == "--mining-speed":
            opts["mining"] = True
        elif a == "--strict":
            opts["strict"] = True
        elif a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        elif a.startswith("--"):
            die(f"unknown option {a}; see --help")
        else:
            pos.append(a)
        i += 1
    data = pos[0] if len(pos) > 0 else os.path.join(root, "..", "shared", "data", "loghub-2k")
    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    binary = pos[1] if len(pos) > 1 else os.path.join(target_dir, "release", "culprit")
    return os.path.abspath(data), binary, opts


def load_dataset(path):
    """(messages, ground-truth templates) from a structured CSV; Content is CSV-quoted."""
    msgs, gts = [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            # A message is one line for the parser: a stray newline would split it in two.
            msgs.append(row["Content"].replace("\r", " ").replace("\n", " "))
            gts.append(row["EventTemplate"])
    return msgs, gts


def run_assign(binary, msgs):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False, encoding="utf-8") as tmp:
        for m in msgs:
            tmp.write(m + "\n")
        name = tmp.name
    try:
        proc = subprocess.run(
            [binary, "templates", "--raw", "--assign", name],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(name)
    if proc.returncode != 0:
        die(f"culprit failed (exit {proc.returncode}): {proc.stderr.strip()}")
    pred = {}
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        pred[rec["line"]] = rec["template"]
    if len(pred) != len(msgs):
        die(f"culprit assigned {len(pred)} of {len(msgs)} lines (were --raw events dropped?)")
    return [pred.get(i + 1, "") for i in range(len(msgs))]


def accuracy(pred, gt):
    gt_groups = defaultdict(set)
    pr_groups = defaultdict(set)
    for i, (g, p) in enumerate(zip(gt, pred)):
        gt_groups[g].add(i)
        pr_groups[p].add(i)
    n = len(gt)
    ga = sum(1 for i in range(n) if gt_groups[gt[i]] == pr_groups[pred[i]]) / n
    pa = sum(1 for i in range(n) if gt[i] == pred[i]) / n
    return ga, pa, gt_groups, pr_groups


def show_mismatches(pred, gt, gt_groups, pr_groups, limit):
    seen = set()
    for i in range(len(gt)):
        if len(seen) >= limit:
            break
        key = (gt[i], pred[i])
        if key in seen or (gt[i] == pred[i] and gt_groups[gt[i]] == pr_groups[pred[i]]):
            continue
        seen.add(key)
        kind = "GA" if gt_groups[gt[i]] != pr_groups[pred[i]] else "PA"
        print(f"    {kind} truth[{len(gt_groups[gt[i]])}]: {gt[i][:120]}")
        print(f"       mine [{len(pr_groups[pred[i]])}]: {pred[i][:120]}")


def best_time(cmd, env, runs=3):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        dt = time.perf_counter() - t0
        if proc.returncode != 0:
            die(f"culprit failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace').strip()}")
        best = dt if best is None else min(best, dt)
    return best


def mining_speed(root, path):
    """The `mining_speed` test's report line, or a note saying why there is none."""
    env = dict(os.environ, CULPRIT_SPEED_FILE=path)
    proc = subprocess.run(
        ["cargo", "test", "--release", "--lib", "mining_speed", "--", "--ignored", "--nocapture"],
        cwd=root, capture_output=True, text=True, env=env,
    )
    for line in proc.stdout.splitlines():
        if "lines/s" in line:
            return line.strip()
    return f"not measured (cargo exit {proc.returncode})"


def main():
    data, binary, opts = parse_args(sys.argv[1:])
    if not os.path.isdir(data):
        die(f"data not found at {data}; pass the Loghub-2k directory as the first argument")
    if not os.path.exists(binary):
        die(f"binary not found at {binary}; run `cargo build --release` first or pass its path")
    datasets = []
    for name in sorted(os.listdir(data)):
        csv_path = os.path.join(data, name, f"{name}_2k.log_structured_corrected.csv")
        if os.path.isfile(csv_path):
            datasets.append((name, csv_path))
    if not datasets:
        die(f"data not found at {data}: no <System>/<System>_2k.log_structured_corrected.csv files")

    print(f"{'dataset':<12} {'lines':>6} {'templates':>9} {'found':>6} {'GA':>6} {'PA':>6}")
    all_msgs = []
    ga_sum = pa_sum = 0.0
    for name, csv_path in datasets:
        msgs, gt = load_dataset(csv_path)
        all_msgs.extend(msgs)
        pred = run_assign(binary, msgs)
        ga, pa, gt_groups, pr_groups = accuracy(pred, gt)
        ga_sum += ga
        pa_sum += pa
        print(f"{name:<12} {len(msgs):>6} {len(gt_groups):>9} {len(pr_groups):>6} {ga:>6.3f} {pa:>6.3f}")
        if opts["show"]:
            show_mismatches(pred, gt, gt_groups, pr_groups, opts["show"])
    n = len(datasets)
    ga_avg, pa_avg = ga_sum / n, pa_sum / n
    print(f"{'average':<12} {'':>6} {'':>9} {'':>6} {ga_avg:>6.3f} {pa_avg:>6.3f}")
    print(f"targets: GA >= {GA_TARGET} {'met' if ga_avg >= GA_TARGET else 'MISSED'}, "
          f"PA >= {PA_TARGET} {'met' if pa_avg >= PA_TARGET else 'MISSED'}")

    if opts["speed"] and opts["repeat"] > 0:
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False, encoding="utf-8") as tmp:
            block = "".join(m + "\n" for m in all_msgs)
            for _ in range(opts["repeat"]):
                tmp.write(block)
            name = tmp.name
        lines = len(all_msgs) * opts["repeat"]
        size_mb = os.path.getsize(name) / 1e6
        mining = None
        try:
            cmd = [binary, "templates", "--raw", name]
            env1 = dict(os.environ, RAYON_NUM_THREADS="1")
            t1 = best_time(cmd, env1)
            tn = best_time(cmd, dict(os.environ))
            if opts["mining"]:
                mining = mining_speed(opts["root"], name)
        finally:
            os.unlink(name)
        print(f"speed: {lines} lines ({size_mb:.0f} MB, {opts['repeat']}x the datasets) with `{os.path.basename(binary)} templates --raw`:")
        print(f"  1 thread:    {t1:.2f} s = {lines / t1:,.0f} lines/s")
        print(f"  all threads: {tn:.2f} s = {lines / tn:,.0f} lines/s ({os.cpu_count()} CPUs)")
        print(f"  target >= {SPEED_TARGET:,} lines/s on one thread, end to end: "
              f"{'met' if lines / t1 >= SPEED_TARGET else 'MISSED'}")
        if mining:
            print(f"  mining step alone (mask + count, 1 thread): {mining}")

    if opts["strict"] and (ga_avg < GA_TARGET or pa_avg < PA_TARGET):
        sys.exit(1)


if __name__ == "__main__":
    main()
