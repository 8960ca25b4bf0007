#!/usr/bin/env bash
# bench/screen.sh — throughput, memory and load time of `wangjian screen` against a list of
# N generated entries, with a Python rapidfuzz baseline on the same data in the same run,
# and the quality tables of the labelled name pairs.
#
# Builds release, generates (deterministically) N list entries and M candidates
# (crates/screen/examples/gen_screen.rs: realistic enterprise names — division + trade name +
# industry + form, branches, individual businesses — with USCCs, phones, shop ids, domains;
# 40% of the candidates are listed subjects written differently, 10% identifiers only, the
# rest not listed), then, the commands taking turns RUNS times (best kept; this machine is
# shared and its speed drifts):
#   - indexing (once): `wangjian screen --list entries.jsonl --save-index list.idx` (list
#     read, parsed, names analyzed, indexed, written)
#   - opening: `wangjian screen --index list.idx < /dev/null` (peak RSS = the index's memory)
#   - screening: `wangjian screen --index list.idx candidates.jsonl` (all cores); the rate is
#     the candidates over the screening time the command reports (opening excluded)
#   - baseline: bench/screen_rapidfuzz.py (dict look-ups for identifiers +
#     rapidfuzz.process.extract over all names with WRatio, then with ratio), on the first
#     SAMPLE candidates (each extract scans every name)
# and writes bench/results-screen.md (times, rates, ratios, peak RSS, recall on the
# generated candidates made from listed subjects, and the labelled-pairs tables).
# Needs GNU time, bc, python3 with rapidfuzz (`pip install rapidfuzz`).
#
# Usage: bench/screen.sh [ENTRIES=1000000] [CANDIDATES=100000]
#   env: RUNS=3 SAMPLE=100 BENCH_DIR=/tmp/wangjian-screen-bench
set -euo pipefail
N=${1:-1000000}
M=${2:-100000}
RUNS=${RUNS:-3}
SAMPLE=${SAMPLE:-100}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
WORK=${BENCH_DIR:-/tmp/wangjian-screen-bench}
mkdir -p "$WORK"
python3 -c 'import rapidfuzz' 2> /dev/null || pip install -q rapidfuzz
cargo build --release -q -p wangjian-cli
cargo build --release -q -p wangjian-screen --example gen_screen
BIN=$CARGO_TARGET_DIR/release/wangjian
GEN=$CARGO_TARGET_DIR/release/examples/gen_screen
if [ ! -f "$WORK/gen-$N-$M.done" ]; then
  rm -f "$WORK"/gen-*.done
  "$GEN" "$N" "$M" "$WORK"
  touch "$WORK/gen-$N-$M.done"
fi
CORES=$(nproc)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
RFVER=$(python3 -c 'import rapidfuzz; print(rapidfuzz.__version__)')
PYVER=$(python3 -c 'import platform; print(platform.python_version())')

# timed OUT CMD...: runs CMD with stdout to OUT and stderr to $WORK/stderr.txt under GNU
# time; prints "wall|rss KiB|cpu s".
timed() {
  local out=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > "$out" 2> "$WORK/stderr.txt" || {
    local rc=$?
    # exit 1 means bad input lines: still a measurement, but say so.
    [ "$rc" = 1 ] || { echo "failed: exit $rc: $(head -c 300 "$WORK/stderr.txt")" >&2; exit 1; }
  }
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$WORK/time.txt")
  echo "$wall|$rss|$cpu"
}
field() { echo "$1" | sed "s/.*$2=\([0-9.]*\).*/\1/"; }

# Index the list once from JSON Lines (timed), keeping the index file for the rest.
IFS='|' read -r BUILD_WALL BUILD_RSS BUILD_CPU <<< "$(timed /dev/null "$BIN" screen --list "$WORK/entries.jsonl" --save-index "$WORK/list.idx" < /dev/null)"
BUILD=$(grep -o 'loaded in [0-9.]*s' "$WORK/stderr.txt" | grep -o '[0-9.]*')
BEST_LOAD="" LOAD_WALL="" LOAD_RSS="" BEST_SCREEN="" SCREEN_WALL="" SCREEN_RSS="" SCREEN_CPU=""
BASE_W="" BASE_R=""
for ((round = 0; round < RUNS; round++)); do
  IFS='|' read -r wall rss cpu <<< "$(timed /dev/null "$BIN" screen --index "$WORK/list.idx" < /dev/null)"
  load=$(grep -o 'loaded in [0-9.]*s' "$WORK/stderr.txt" | grep -o '[0-9.]*')
  if [ -z "$BEST_LOAD" ] || (( $(echo "$load < $BEST_LOAD" | bc -l) )); then
    BEST_LOAD=$load LOAD_WALL=$wall LOAD_RSS=$rss LOAD_CPU=$cpu
  fi
  IFS='|' read -r wall rss cpu <<< "$(timed "$WORK/out.jsonl" "$BIN" screen --index "$WORK/list.idx" "$WORK/candidates.jsonl")"
  screen=$(grep -o 'screened [0-9]* candidates in [0-9.]*s' "$WORK/stderr.txt" | grep -o '[0-9.]*s$' | tr -d s)
  if [ -z "$BEST_SCREEN" ] || (( $(echo "$screen < $BEST_SCREEN" | bc -l) )); then
    BEST_SCREEN=$screen SCREEN_WALL=$wall SCREEN_RSS=$rss SCREEN_CPU=$cpu
    cp "$WORK/stderr.txt" "$WORK/screen-stderr.txt"
  fi
  # The baseline takes its turn in every round too (its sample is small); one process
  # loads the list once and runs both scorers.
  python3 bench/screen_rapidfuzz.py "$WORK/entries.jsonl" "$WORK/candidates.jsonl" "$SAMPLE" WRatio,ratio > "$WORK/base.txt"
  bw=$(grep '^scorer=WRatio ' "$WORK/base.txt")
  br=$(grep '^scorer=ratio ' "$WORK/base.txt")
  if [ -z "$BASE_W" ] || (( $(echo "$(field "$bw" per_s) > $(field "$BASE_W" per_s)" | bc -l) )); then BASE_W=$bw; fi
  if [ -z "$BASE_R" ] || (( $(echo "$(field "$br" per_s) > $(field "$BASE_R" per_s)" | bc -l) )); then BASE_R=$br; fi
done
RECALL=$(python3 bench/screen_recall.py "$WORK/candidates.jsonl" "$WORK/out.jsonl")
# The same recall on the baseline's sample, for our tool: the first SAMPLE candidates.
head -n "$SAMPLE" "$WORK/candidates.jsonl" > "$WORK/sample-c.jsonl"
head -n "$SAMPLE" "$WORK/out.jsonl" > "$WORK/sample-o.jsonl"
RECALL_SAMPLE=$(python3 bench/screen_recall.py "$WORK/sample-c.jsonl" "$WORK/sample-o.jsonl")
QUALITY=$(cargo test --release -q -p wangjian-screen --test quality -- --nocapture --test-threads 1 2>&1 | grep -E '^(###|\||- |$)' || true)

OURS=$(echo "$M / $BEST_SCREEN" | bc -l)
OURS_CPU=$(echo "$M / ($SCREEN_CPU - $LOAD_CPU)" | bc -l)
BW=$(field "$BASE_W" per_s)
BR=$(field "$BASE_R" per_s)
BW_CPU=$(echo "$(field "$BASE_W" candidates) / $(field "$BASE_W" cpu_s)" | bc -l)
RATIO_W=$(printf %.0f "$(echo "$OURS / $BW" | bc -l)")
RATIO_R=$(printf %.0f "$(echo "$OURS / $BR" | bc -l)")
RATIO_CPU=$(printf %.0f "$(echo "$OURS_CPU / $BW_CPU" | bc -l)")
{
  echo "# wangjian screen benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $CORES cores, $N list entries ($(du -m "$WORK/entries.jsonl" | cut -f1) MB), $M candidates; Python $PYVER, rapidfuzz $RFVER."
  echo "Best of $RUNS rounds, the commands taking turns round by round. Load average when the run started: $LOADAVG (other builds share this machine)."
  echo
  echo "| what | figure |"
  echo "|---|---|"
  echo "| index the list from JSON Lines (read, parse, analyze names, index; all cores; --save-index) | $(printf %.2f "$BUILD") s ($(printf %.2f "$BUILD_CPU") CPU s, peak RSS $(echo "$BUILD_RSS / 1024" | bc) MiB) |"
  echo "| index file | $(du -m "$WORK/list.idx" | cut -f1) MB |"
  echo "| **open the prebuilt index** (--index: read, check, rebuild the bigram table) | **$(printf %.2f "$BEST_LOAD") s** (process wall $(printf %.2f "$LOAD_WALL") s, $(printf %.2f "$LOAD_CPU") CPU s) |"
  echo "| **peak RSS with the index open** | **$(echo "$LOAD_RSS / 1024" | bc) MiB** |"
  echo "| screening $M candidates (all cores, load excluded) | $(printf %.2f "$BEST_SCREEN") s = **$(printf %.0f "$OURS") candidates/s** |"
  echo "| whole command (load + screen + write) | $(printf %.2f "$SCREEN_WALL") s wall, $(printf %.2f "$SCREEN_CPU") CPU s, peak RSS $(echo "$SCREEN_RSS / 1024" | bc) MiB |"
  echo "| screening per CPU-second (the whole command's CPU less that of opening the index) | $(printf %.0f "$OURS_CPU") candidates |"
  echo "| baseline: rapidfuzz process.extract, scorer WRatio, first $SAMPLE candidates (one core) | $(printf %.3f "$BW") candidates/s (load $(field "$BASE_W" load_s) s) |"
  echo "| baseline: rapidfuzz process.extract, scorer ratio, first $SAMPLE candidates (one core) | $(printf %.3f "$BR") candidates/s |"
  echo "| **ratio** wangjian / rapidfuzz WRatio (wall, $CORES cores vs 1) | **${RATIO_W}×** |"
  echo "| ratio wangjian / rapidfuzz ratio (wall) | ${RATIO_R}× |"
  echo "| ratio per CPU-second, wangjian / rapidfuzz WRatio | ${RATIO_CPU}× |"
  echo
  echo "Found on generated candidates made from a listed subject (variants of its name, or its USCC / phone as typed):"
  echo
  echo "| tool | candidates | that subject answered \`match\` | reported at all | ranked first |"
  echo "|---|---|---|---|---|"
  echo "| wangjian screen, all $M | $(field "$RECALL" made_from_list) | $(field "$RECALL" found_match) | $(field "$RECALL" found_any) | $(field "$RECALL" top1) |"
  echo "| wangjian screen, first $SAMPLE | $(field "$RECALL_SAMPLE" made_from_list) | $(field "$RECALL_SAMPLE" found_match) | $(field "$RECALL_SAMPLE" found_any) | $(field "$RECALL_SAMPLE" top1) |"
  echo "| rapidfuzz WRatio ≥ 80, first $SAMPLE | $(field "$BASE_W" made_from_list) | – | $(field "$BASE_W" found_any) | – |"
  echo "| rapidfuzz ratio ≥ 80, first $SAMPLE | $(field "$BASE_R" made_from_list) | – | $(field "$BASE_R" found_any) | – |"
  echo
  echo "wangjian's own summary of the best screening run:"
  echo
  echo '```'
  cat "$WORK/screen-stderr.txt"
  echo '```'
  echo
  echo "## Quality on labelled pairs of real enterprise names"
  echo
  echo "\`cargo test -p wangjian-screen --test quality -- --nocapture\` (precision and recall asserted there)."
  echo
  echo "$QUALITY"
} > bench/results-screen.md
cat bench/results-screen.md
