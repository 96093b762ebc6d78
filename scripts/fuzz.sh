#!/usr/bin/env bash
# Fuzzes every culprit parser with cargo-fuzz (libFuzzer), one target at a time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 600 s, every target)
#
# Each target runs until SECONDS_PER_TARGET have passed or FUZZ_RUNS executions (default
# 10 000 000) are done, whichever comes first, as a single libFuzzer process
# (-jobs=1 -workers=1: the machine is shared). Corpora live in fuzz/corpus/<target> (git-ignored)
# and are seeded from samples/, patterns/ and fuzz/seeds/ on every run; findings go to
# fuzz/artifacts/<target>/, logs to fuzz/artifacts/logs/<target>.log.
#
# Needs: cargo-fuzz (`cargo install cargo-fuzz --locked`) and a nightly compiler, or a stable
# one with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags). Not part of CI.
#
# Environment:
#   FUZZ_TARGET_DIR   build directory (default $HOME/.cache/culprit-fuzz-target; never the main
#                     crate's target directory: the fuzz build is instrumented)
#   FUZZ_SANITIZER    none (default) or address (needs a nightly toolchain with rust-src)
#   FUZZ_RUNS         executions per target (default 10000000)
#   FUZZ_NO_BUILD=1   skip the build step
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ="$ROOT/fuzz"
SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/culprit-fuzz-target}"
SANITIZER="${FUZZ_SANITIZER:-none}"
RUNS="${FUZZ_RUNS:-10000000}"
ALL_TARGETS=(formats sniff time_parse patterns changes scan_state templates ingest)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

case "$SECONDS_PER_TARGET" in
  ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;;
esac

# --- what this script needs -------------------------------------------------------------------
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh needs cargo-fuzz, which is not installed." >&2
  echo "  install it with: cargo install cargo-fuzz --locked" >&2
  exit 1
fi
if ! rustc --version | grep -q nightly && [ "${RUSTC_BOOTSTRAP:-}" != "1" ]; then
  echo "fuzz.sh needs a nightly Rust compiler: cargo-fuzz builds with -Z flags (sanitizer," >&2
  echo "coverage instrumentation). $(rustc --version) is not nightly." >&2
  echo "  either: rustup toolchain install nightly && cargo +nightly ... (if you can)" >&2
  echo "  or run this script with the stable compiler unlocked: RUSTC_BOOTSTRAP=1 scripts/fuzz.sh" >&2
  exit 1
fi

# --- seed corpora -----------------------------------------------------------------------------
# Sample logs: the first lines of every log file (not the change files).
sample_logs() {
  find "$ROOT/samples" -type f ! -name 'deploys.*' ! -name 'changes.*' | sort
}
seed() {
  local target="$1" dir="$FUZZ/corpus/$1"
  mkdir -p "$dir"
  if [ -d "$FUZZ/seeds/$target" ]; then cp "$FUZZ/seeds/$target"/* "$dir"/; fi
  local i=0 f
  case "$target" in
    formats)
      # Every sample file paired with every format (the first byte picks the format).
      local nformats=21
      while read -r f; do
        for ((k = 0; k < nformats; k++)); do
          { printf "\\x$(printf %02x "$k")"; head -n 8 "$f" | head -c 2000; } >"$dir/sample-$i-$k"
        done
        i=$((i + 1))
      done < <(sample_logs)
      ;;
    sniff | templates | ingest)
      while read -r f; do
        head -n 12 "$f" | head -c 3000 >"$dir/sample-$i"
        i=$((i + 1))
      done < <(sample_logs)
      if [ "$target" = ingest ]; then
        # Compressed inputs go through the gzip/zstd readers.
        head -n 12 "$(sample_logs | head -n 1)" | gzip -c >"$dir/sample-gz"
        if command -v zstd >/dev/null; then
          head -n 12 "$(sample_logs | head -n 1)" | zstd -q -c >"$dir/sample-zst"
        fi
      fi
      ;;
    time_parse)
      while read -r f; do
        head -n 1 "$f" | head -c 64 >"$dir/sample-$i"
        i=$((i + 1))
      done < <(sample_logs)
      ;;
    patterns)
      for f in "$ROOT"/patterns/*.toml; do
        if [ "$(wc -c <"$f")" -le 8000 ]; then cp "$f" "$dir/"; fi
      done
      ;;
    changes)
      for f in "$ROOT"/samples/*/deploys.* "$ROOT"/samples/*/changes.*; do
        if [ -f "$f" ]; then cp "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"; fi
      done
      ;;
    scan_state) ;;
  esac
  return 0
}
max_len() {
  case "$1" in
    patterns) echo 16384 ;;
    ingest | sniff) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# --- build ------------------------------------------------------------------------------------
if [ "${FUZZ_NO_BUILD:-}" != "1" ]; then
  echo "== building fuzz targets (sanitizer=$SANITIZER, debug assertions on) in $TARGET_DIR"
  (cd "$FUZZ" && cargo fuzz build --sanitizer "$SANITIZER" --debug-assertions \
    --target-dir "$TARGET_DIR")
fi

BIN_DIR="$TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release"
for t in "${TARGETS[@]}"; do
  if [ ! -x "$BIN_DIR/$t" ]; then
    echo "fuzz target $t is not built in $BIN_DIR (run without FUZZ_NO_BUILD=1)" >&2
    exit 1
  fi
done

# --- run --------------------------------------------------------------------------------------
mkdir -p "$FUZZ/artifacts/logs"
declare -a SUMMARY
status=0
for t in "${TARGETS[@]}"; do
  seed "$t"
  mkdir -p "$FUZZ/artifacts/$t"
  before=$(find "$FUZZ/artifacts/$t" -maxdepth 1 -type f | wc -l)
  log="$FUZZ/artifacts/logs/$t.log"
  workdir="$FUZZ/artifacts/logs/$t.work"
  rm -rf "$workdir" && mkdir -p "$workdir"
  echo "== $t: up to ${SECONDS_PER_TARGET}s or $RUNS executions (log: $log)"
  start=$(date +%s)
  # The binary is run directly rather than through `cargo fuzz run`, which would rebuild the
  # (often changing) main crate before every target. -jobs=1 -workers=1: one fuzzing process;
  # libFuzzer then writes its output to fuzz-0.log in the working directory.
  (cd "$workdir" && "$BIN_DIR/$t" -artifact_prefix="$FUZZ/artifacts/$t/" \
    -jobs=1 -workers=1 -max_total_time="$SECONDS_PER_TARGET" -runs="$RUNS" \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="$(max_len "$t")" \
    -print_final_stats=1 "$FUZZ/corpus/$t") >"$log.driver" 2>&1 || true
  elapsed=$(($(date +%s) - start))
  cat "$workdir"/fuzz-*.log >"$log" 2>/dev/null || cp "$log.driver" "$log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
  if [ -z "$execs" ]; then
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
  fi
  after=$(find "$FUZZ/artifacts/$t" -maxdepth 1 -type f | wc -l)
  found=$((after - before))
  if grep -qE 'ERROR: libFuzzer|panicked at|deadly signal' "$log" && [ "$found" -eq 0 ]; then
    found="?"
  fi
  [ "$found" != "0" ] && status=1
  SUMMARY+=("$(printf '%-12s %12s %8ss %8s' "$t" "${execs:-?}" "$elapsed" "$found")")
  if [ "$found" != "0" ]; then
    echo "   finding(s) in $FUZZ/artifacts/$t:"
    grep -m 3 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/     /' || true
  fi
done

echo
printf '%-12s %12s %9s %8s\n' target executions time findings
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "(reproduce a finding: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $SANITIZER -a --target-dir $TARGET_DIR TARGET artifacts/TARGET/FILE)"
exit "$status"
