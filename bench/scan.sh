#!/usr/bin/env bash
# bench/scan.sh — throughput of `wangjian scan` against rg and grep baselines.
#
# Builds release, generates (deterministically) N listings of mixed Chinese text and M marks
# with aliases (crates/detect/examples/gen_listings.rs), then times in the same run:
#   - wangjian scan --marks marks.csv listings.jsonl (all cores, output to /dev/null)
#   - wangjian scan --compiled (rule set compiled once by `wangjian rules compile`)
#   - rg -F -f patterns.txt listings.jsonl   (same literal patterns: all marks + aliases)
#   - grep -F -f patterns.txt listings.jsonl
# and writes a markdown table (wall time, listings/s, MB/s per core, peak RSS, ratio to rg)
# to bench/results.md. Needs ripgrep and GNU time (`apt-get install ripgrep time`).
#
# Usage: bench/scan.sh [LISTINGS=1000000] [MARKS=50000]
set -euo pipefail
N=${1:-1000000}
M=${2:-50000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
WORK=${BENCH_DIR:-/tmp/wangjian-bench}
mkdir -p "$WORK"
cargo build --release -q -p wangjian-cli
cargo build --release -q -p wangjian-detect --example gen_listings
BIN=$CARGO_TARGET_DIR/release/wangjian
if [ ! -f "$WORK/listings-$N-$M.done" ]; then
  "$CARGO_TARGET_DIR/release/examples/gen_listings" "$N" "$M" "$WORK"
  touch "$WORK/listings-$N-$M.done"
fi
CORES=$(nproc)
BYTES=$(stat -c %s "$WORK/listings.jsonl")
MB=$(echo "$BYTES / 1000000" | bc -l)

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > /dev/null 2> "$WORK/stderr.txt" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  echo "$name|$wall|$rss"
}

"$BIN" rules compile --marks "$WORK/marks.csv" -o "$WORK/rules.wjc" 2> "$WORK/compile.txt"
/usr/bin/time -f %e -o "$WORK/load.txt" "$BIN" scan --compiled "$WORK/rules.wjc" < /dev/null > /dev/null 2>&1 || true
LOAD=$(tail -1 "$WORK/load.txt")
ROWS=()
ROWS+=("$(measure "rg -F -f patterns.txt" rg -F -c -f "$WORK/patterns.txt" "$WORK/listings.jsonl")")
ROWS+=("$(measure "grep -F -f patterns.txt" grep -F -c -f "$WORK/patterns.txt" "$WORK/listings.jsonl")")
ROWS+=("$(measure "wangjian scan --marks" "$BIN" scan --marks "$WORK/marks.csv" "$WORK/listings.jsonl")")
ROWS+=("$(measure "wangjian scan --compiled" "$BIN" scan --compiled "$WORK/rules.wjc" "$WORK/listings.jsonl")")
RG=$(echo "${ROWS[0]}" | cut -d'|' -f2)
{
  echo "# wangjian scan benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $CORES cores, $N listings ($(printf %.0f "$MB") MB), $M marks (3 forms each, $(wc -l < "$WORK/patterns.txt") literal patterns)."
  echo "Compiled rule set: $(stat -c %s "$WORK/rules.wjc") bytes; empty scan with --compiled (load time): ${LOAD}s."
  echo
  echo "| command | wall s | listings/s | MB/s per core | peak RSS MiB | time / rg |"
  echo "|---|---|---|---|---|---|"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r name wall rss <<< "$row"
    printf '| %s | %.2f | %.0f | %.1f | %.0f | %.2f |\n' "$name" "$wall" "$(echo "$N / $wall" | bc -l)" \
      "$(echo "$MB / $wall / $CORES" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(echo "$wall / $RG" | bc -l)"
  done
} > bench/results.md
cat bench/results.md
