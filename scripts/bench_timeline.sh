#!/usr/bin/env bash
# Throughput and peak memory of `culprit timeline --stats` and `culprit analyze` on a generated
# mixed corpus, beside
# `wc -l` and `rg -c .` on the same files.
#
# Usage: scripts/bench_timeline.sh [SIZE_MB (default 1024)] [CORPUS_DIR]
# The corpus is generated once (deterministic) and reused. Needs python3 and GNU time;
# ripgrep is used if installed (apt-get install ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB="${1:-1024}"
CORPUS="${2:-$HOME/.cache/culprit-bench/corpus-${SIZE_MB}m}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/culprit-target}"

if [ ! -f "$CORPUS/.complete" ]; then
    rm -rf "$CORPUS"
    echo "generating ${SIZE_MB} MB corpus in $CORPUS ..." >&2
    python3 scripts/gen_corpus.py "$SIZE_MB" "$CORPUS"
    touch "$CORPUS/.complete"
fi
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/culprit"
BYTES=$(find "$CORPUS" -type f ! -name .complete -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "$CORPUS" -type f ! -name .complete | sort)
# Warm the page cache so every tool reads from memory.
cat $FILES > /dev/null

measure() { # name, command...
    local name="$1"; shift
    local out
    out=$( { /usr/bin/time -f '%e %M' "$@" > /dev/null; } 2>&1 | tail -1 )
    local secs rss
    secs=$(echo "$out" | awk '{print $1}')
    rss=$(echo "$out" | awk '{print $2}')
    awk -v n="$name" -v s="$secs" -v r="$rss" -v b="$BYTES" -v l="$LINES" \
        'BEGIN { printf "| %-34s | %7.2f s | %8.0f MB/s | %10.2f M lines/s | %8.1f MB |\n", n, s, b/1e6/s, l/1e6/s, r/1024 }'
}

LINES=$(cat $FILES | wc -l)
echo "corpus: $CORPUS, $(awk -v b="$BYTES" 'BEGIN{printf "%.0f", b/1e6}') MB, $LINES lines, $(nproc) cores"
echo "| command | time | throughput | lines | peak RSS |"
echo "|---|---|---|---|---|"
measure "culprit timeline --stats" "$BIN" timeline --stats "$CORPUS"
measure "culprit analyze" "$BIN" analyze "$CORPUS"
measure "wc -l" wc -l $FILES
if command -v rg >/dev/null 2>&1; then
    measure "rg -c ." rg -c . $FILES
else
    echo "| rg -c . | (ripgrep not installed: apt-get install ripgrep) | | | |"
fi
