#!/usr/bin/env bash
# Peak memory (and time) of `culprit analyze` and `culprit scan` as the input grows: 1, 5 and
# 10 GB by default. Shows that memory is bounded by what the analysis keeps (counts per
# bucket, capped template keys, bounded evidence), not by the input size.
#
# Usage: scripts/bench_memory.sh [SIZES_GB (default "1 5 10")]   (DISTINCT_FILES: see the end)
# The N-GB input is N hard-linked copies of the 1 GB corpus of scripts/bench_timeline.sh
# (generated once by scripts/gen_corpus.py, deterministic), one directory per copy, so it costs
# no extra disk. The copies carry the same timestamps: this measures growth with input size;
# growth with distinct content is bounded separately by the template-key cap
# (detect::MAX_KEYS_PER_INPUT per input) and the evidence caps. Needs python3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${1-1 5 10}"
BASE="$HOME/.cache/culprit-bench/corpus-1024m"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/culprit-target}"

if [ -n "$SIZES" ] && [ ! -f "$BASE/.complete" ]; then
    rm -rf "$BASE"
    echo "generating the 1 GB corpus in $BASE ..." >&2
    python3 scripts/gen_corpus.py 1024 "$BASE"
    touch "$BASE/.complete"
fi
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/culprit"

measure() { # name, command...
    local name="$1"; shift
    local tf
    tf=$(mktemp)
    # culprit's own stderr (notes, progress) is discarded; GNU time writes to its own file.
    /usr/bin/time -o "$tf" -f '%e %M' "$@" > /dev/null 2>/dev/null || true
    # GNU time writes "Command exited with non-zero status N" first when culprit exits 1 (no
    # incident) or 3: the figures are on the last line.
    tail -n 1 "$tf" | awk -v n="$name" '{ printf "| %-32s | %8.1f s | %8.0f MB |\n", n, $1, $2/1024 }'
    rm -f "$tf"
}

if [ -n "$SIZES" ]; then
    echo "| command | time | peak RSS |"
    echo "|---|---:|---:|"
fi
for gb in $SIZES; do
    dir="$HOME/.cache/culprit-bench/linked-${gb}g"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        for i in $(seq 1 "$gb"); do
            mkdir -p "$dir/copy-$i"
            cp -al "$BASE"/. "$dir/copy-$i/"
            rm -f "$dir/copy-$i/.complete"
        done
        touch "$dir/.complete"
    fi
    state=$(mktemp -d)
    measure "analyze, ${gb} GB" "$BIN" analyze "$dir"
    measure "scan (first night), ${gb} GB" "$BIN" scan "$dir" --state "$state/state.json"
    rm -rf "$state"
done

# Distinct content: DISTINCT_FILES="2 8 16" (default; "" to skip) files of 60,000 distinct error
# templates each (Spring Boot lines, one letters-only word per line, so no masking merges
# them). Past the per-input cap (50,000) and the total cap (100,000 over all inputs), memory
# should stop growing with the number of files.
DISTINCT_FILES="${DISTINCT_FILES-2 8 16}"
if [ -n "$DISTINCT_FILES" ]; then
    echo
    echo "| distinct templates | files | time | peak RSS |"
    echo "|---|---:|---:|---:|"
    for n in $DISTINCT_FILES; do
        dir="$HOME/.cache/culprit-bench/distinct-$n"
        if [ ! -f "$dir/.complete" ]; then
            rm -rf "$dir"
            mkdir -p "$dir"
            python3 - "$dir" "$n" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
def word(i):
    i += 26 ** 4
    s = ""
    while i:
        s = chr(97 + i % 26) + s
        i //= 26
    return s
for f in range(n):
    with open(f"{out}/app-{f:02d}.log", "w") as fh:
        for k in range(60000):
            i = f * 60000 + k
            fh.write(f"2024-03-12T12:{30 + k // 6000:02d}:{(k // 100) % 60:02d}.057+01:00 ERROR 1 --- "
                     f"[auth-api] [io-8080-exec-24] c.e.auth.config.Binder                   : "
                     f"Unknown property {word(i)} in section\n")
PY
            touch "$dir/.complete"
        fi
        tf=$(mktemp)
        /usr/bin/time -o "$tf" -f '%e %M' "$BIN" analyze "$dir" > /dev/null 2>/dev/null || true
        tail -n 1 "$tf" | awk -v n="$n" '{ printf "| %d | %d | %8.1f s | %8.0f MB |\n", n * 60000, n, $1, $2/1024 }'
        rm -f "$tf"
    done
fi
