#!/usr/bin/env bash
# Peak memory (and time) of `culprit analyze` and `culprit scan` as the input grows: 1, 5 and
# 10 GB by default. Shows that memory is bounded by what the analysis keeps (counts per
# bucket, capped template keys, bounded evidence), not by the input size.
#
# Usage: scripts/bench_memory.sh [SIZES_GB (default "1 5 10")]
# The N-GB input is N hard-linked copies of the 1 GB corpus of scripts/bench_timeline.sh
# (generated once by scripts/gen_corpus.py, deterministic), one directory per copy, so it costs
# no extra disk. The copies carry the same timestamps: this measures growth with input size;
# growth with distinct content is bounded separately by the template-key cap
# (detect::MAX_KEYS_PER_INPUT per input) and the evidence caps. Needs python3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${1:-1 5 10}"
BASE="$HOME/.cache/culprit-bench/corpus-1024m"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/culprit-target}"

if [ ! -f "$BASE/.complete" ]; then
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
    awk -v n="$name" '{ printf "| %-32s | %8.1f s | %8.0f MB |\n", n, $1, $2/1024 }' "$tf"
    rm -f "$tf"
}

echo "| command | time | peak RSS |"
echo "|---|---:|---:|"
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
