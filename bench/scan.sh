#!/usr/bin/env bash
# bench/scan.sh — throughput of `wangjian scan` against rg and grep baselines.
#
# Builds release, generates (deterministically, crates/detect/examples/gen_listings.rs) two
# corpora of N listings and M marks:
#   - the realistic corpus: marks and text made of the same common characters and ordinary
#     words (rules/default/ordinary_words.txt), many two-character marks, one word in ten
#     registered by several owners, about 12% of listings naming a mark and 6% a sound-alike
#     of one (issue 14: the text where marks and their homophones really occur);
#   - the synthetic corpus (the first table's corpus until issue 14): marks with numbers
#     inside, so they occur only where planted;
# then times in the same run, on each corpus, each command RUNS times (best wall time kept;
# peak RSS of that run):
#   - rg -F -c -f patterns.txt listings.jsonl   (same literal patterns: all marks + aliases)
#   - grep -F -c -f patterns.txt listings.jsonl (capped at GREP_TIMEOUT seconds, run once:
#     GNU grep with 150 000 patterns is slow; a capped run is reported as such). Its output
#     goes to a file: with stdout on /dev/null GNU grep stops at the first match (it only
#     needs the exit status), which is how an earlier table showed grep at 0.48 s.
#   - wangjian scan --marks marks.csv listings.jsonl (all cores, output to /dev/null)
#   - wangjian scan --compiled (rule set compiled once by `wangjian rules compile`)
#   - with BASELINE_BIN=/path/to/older/wangjian: the same two scans with that binary
#   (rg and the scans take turns, one run each per round, RUNS rounds: this machine is
#   shared, and its speed drifts by half within minutes)
#   - the memory case: BIG_MARKS (default 100 000) marks, `rules compile`, and both scans
#     over the same listings (peak RSS is the figure that matters there)
# and writes markdown tables (wall time, listings/s, MB/s per core, peak RSS, ratio to rg of
# the same corpus, exit status) to bench/results.md: the realistic corpus first, the
# synthetic one second, then the memory case on the realistic register. Every exit status is recorded: a command that fails or
# is cut off by its time limit says so instead of showing a time. Needs ripgrep, GNU time
# and bc (`apt-get install ripgrep time bc`).
#
# Usage: bench/scan.sh [LISTINGS=1000000] [MARKS=50000]
#   env: RUNS=3 GREP_TIMEOUT=120 BIG_MARKS=100000 BASELINE_BIN= BENCH_DIR=/tmp/wangjian-bench
set -euo pipefail
N=${1:-1000000}
M=${2:-50000}
RUNS=${RUNS:-3}
GREP_TIMEOUT=${GREP_TIMEOUT:-120}
BIG_MARKS=${BIG_MARKS:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
WORK=${BENCH_DIR:-/tmp/wangjian-bench}
mkdir -p "$WORK"
cargo build --release -q -p wangjian-cli
cargo build --release -q -p wangjian-detect --example gen_listings
BIN=$CARGO_TARGET_DIR/release/wangjian
GEN=$CARGO_TARGET_DIR/release/examples/gen_listings
if [ ! -f "$WORK/listings-$N-$M.done" ]; then
  rm -f "$WORK"/listings-*.done
  "$GEN" "$N" "$M" "$WORK"
  touch "$WORK/listings-$N-$M.done"
fi
REAL="$WORK/real"
mkdir -p "$REAL"
if [ ! -f "$REAL/listings-$N-$M.done" ]; then
  rm -f "$REAL"/listings-*.done
  "$GEN" "$N" "$M" "$REAL" realistic
  touch "$REAL/listings-$N-$M.done"
fi
# The memory case: a realistic register of BIG_MARKS marks (its listings are not used: the
# scans read the realistic listings above).
BIG="$WORK/big-real-$BIG_MARKS"
if [ ! -f "$BIG/marks.csv" ]; then
  mkdir -p "$BIG"
  "$GEN" 1 "$BIG_MARKS" "$BIG" realistic
fi
CORES=$(nproc)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
BYTES=$(stat -c %s "$WORK/listings.jsonl")
MB=$(echo "$BYTES / 1000000" | bc -l)
REAL_MB=$(echo "$(stat -c %s "$REAL/listings.jsonl") / 1000000" | bc -l)

# measure NAME OKCODES CMD...: runs CMD (stdout to $OUT, default /dev/null) RUNS times;
# prints "name|best wall|rss of that run|status|user+sys CPU s of that run" where status
# is "ok" or why it failed.
# OKCODES lists the exit codes that mean success (grep -c exits 1 when nothing matches).
measure() {
  local name=$1 ok=$2; shift 2
  local best="" best_rss="" best_cpu="" status="ok" i rc wall rss cpu
  for ((i = 0; i < RUNS; i++)); do
    rc=0
    /usr/bin/time -v -o "$WORK/time.txt" "$@" > "${OUT:-/dev/null}" 2> "$WORK/stderr.txt" || rc=$?
    if ! [[ " $ok " == *" $rc "* ]]; then
      if [ "$rc" = 124 ]; then
        status="did not finish in ${GREP_TIMEOUT} s"
      else
        status="failed: exit $rc: $(grep -v '^Command exited' "$WORK/stderr.txt" | head -c 200 | tr '\n|' '  ')"
      fi
      break
    fi
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$WORK/time.txt")
    if [ -z "$best" ] || (( $(echo "$wall < $best" | bc -l) )); then
      best=$wall best_rss=$rss best_cpu=$cpu
    fi
  done
  echo "$name|$best|$best_rss|$status|$best_cpu"
}

"$BIN" rules compile --marks "$WORK/marks.csv" -o "$WORK/rules.wjc" 2> "$WORK/compile.txt"
"$BIN" rules compile --marks "$REAL/marks.csv" -o "$REAL/rules.wjc" 2> "$REAL/compile.txt"
/usr/bin/time -f %e -o "$WORK/load.txt" "$BIN" scan --compiled "$WORK/rules.wjc" < /dev/null > /dev/null 2>&1 || true
LOAD=$(tail -1 "$WORK/load.txt")
# faster OLD NEW: of two measure rows of one command, the one with the shorter wall time (a
# failed run wins: its failure is what gets reported).
faster() {
  local old=$1 new=$2
  if [ -z "$old" ]; then echo "$new"; return; fi
  if [ "$(echo "$old" | cut -d'|' -f4)" != ok ]; then echo "$old"; return; fi
  if [ "$(echo "$new" | cut -d'|' -f4)" != ok ]; then echo "$new"; return; fi
  if (( $(echo "$(echo "$new" | cut -d'|' -f2) < $(echo "$old" | cut -d'|' -f2)" | bc -l) )); then
    echo "$new"
  else
    echo "$old"
  fi
}
[ -n "${BASELINE_BIN:-}" ] &&
  "$BASELINE_BIN" rules compile --marks "$WORK/marks.csv" -o "$WORK/rules-baseline.wjc" 2> /dev/null
# The baseline binary may refuse the realistic register (before issue 14 a word with two
# owners was an error): its rows then say so.
[ -n "${BASELINE_BIN:-}" ] &&
  { "$BASELINE_BIN" rules compile --marks "$REAL/marks.csv" -o "$REAL/rules-baseline.wjc" 2> /dev/null || true; }
# The commands take turns, one run each per round, so that a slow spell of this shared
# machine hits all of them alike instead of whichever ran during it.
R_RG="" R_BM="" R_BC="" R_M="" R_C=""
Q_RG="" Q_BC="" Q_M="" Q_C=""
for ((round = 0; round < RUNS; round++)); do
  Q_RG=$(faster "$Q_RG" "$(RUNS=1 measure "rg -F -c -f patterns.txt" "0 1" rg -F -c -f "$REAL/patterns.txt" "$REAL/listings.jsonl")")
  if [ -n "${BASELINE_BIN:-}" ]; then
    Q_BC=$(faster "$Q_BC" "$(RUNS=1 measure "baseline: wangjian scan --compiled" "0" "$BASELINE_BIN" scan --compiled "$REAL/rules-baseline.wjc" "$REAL/listings.jsonl")")
  fi
  Q_M=$(faster "$Q_M" "$(RUNS=1 measure "wangjian scan --marks" "0" "$BIN" scan --marks "$REAL/marks.csv" "$REAL/listings.jsonl")")
  Q_C=$(faster "$Q_C" "$(RUNS=1 measure "wangjian scan --compiled" "0" "$BIN" scan --compiled "$REAL/rules.wjc" "$REAL/listings.jsonl")")
  R_RG=$(faster "$R_RG" "$(RUNS=1 measure "rg -F -c -f patterns.txt" "0 1" rg -F -c -f "$WORK/patterns.txt" "$WORK/listings.jsonl")")
  if [ -n "${BASELINE_BIN:-}" ]; then
    R_BM=$(faster "$R_BM" "$(RUNS=1 measure "baseline: wangjian scan --marks" "0" "$BASELINE_BIN" scan --marks "$WORK/marks.csv" "$WORK/listings.jsonl")")
    R_BC=$(faster "$R_BC" "$(RUNS=1 measure "baseline: wangjian scan --compiled" "0" "$BASELINE_BIN" scan --compiled "$WORK/rules-baseline.wjc" "$WORK/listings.jsonl")")
  fi
  R_M=$(faster "$R_M" "$(RUNS=1 measure "wangjian scan --marks" "0" "$BIN" scan --marks "$WORK/marks.csv" "$WORK/listings.jsonl")")
  R_C=$(faster "$R_C" "$(RUNS=1 measure "wangjian scan --compiled" "0" "$BIN" scan --compiled "$WORK/rules.wjc" "$WORK/listings.jsonl")")
done
QROWS=("$Q_RG")
[ -n "${BASELINE_BIN:-}" ] && QROWS+=("$Q_BC")
QROWS+=("$Q_M" "$Q_C")
# What the realistic scan finds (from one more --compiled run's summary).
"$BIN" scan --compiled "$REAL/rules.wjc" "$REAL/listings.jsonl" 2> "$REAL/summary.txt" > /dev/null || true
ROWS=("$R_RG")
ROWS+=("$(RUNS=1 OUT="$WORK/grep.out" measure "grep -F -c -f patterns.txt (1 run, cap ${GREP_TIMEOUT} s)" "0 1" timeout "$GREP_TIMEOUT" grep -F -c -f "$WORK/patterns.txt" "$WORK/listings.jsonl")")
[ -n "${BASELINE_BIN:-}" ] && ROWS+=("$R_BM" "$R_BC")
ROWS+=("$R_M" "$R_C")
# The memory case, each once: compile, then scan with the compiled set and from source.
BIGROWS=()
BIGROWS+=("$(RUNS=1 measure "wangjian rules compile ($BIG_MARKS marks)" "0" "$BIN" rules compile --marks "$BIG/marks.csv" -o "$BIG/rules.wjc")")
BIGROWS+=("$(RUNS=1 measure "wangjian scan --compiled ($BIG_MARKS marks)" "0" "$BIN" scan --compiled "$BIG/rules.wjc" "$REAL/listings.jsonl")")
BIGROWS+=("$(RUNS=1 measure "wangjian scan --marks ($BIG_MARKS marks)" "0" "$BIN" scan --marks "$BIG/marks.csv" "$REAL/listings.jsonl")")

row() { # name|wall|rss|status|cpu, listings; uses $MB and $RG of the corpus at hand
  local name wall rss status cpu
  IFS='|' read -r name wall rss status cpu <<< "$1"
  if [ "$status" != ok ] || [ -z "$wall" ]; then
    printf '| %s | – | – | – | – | – | – | – | %s |\n' "$name" "$status"
  elif [ "$2" = 0 ]; then
    printf '| %s | %.2f | – | – | %.2f | – | %.0f | – | ok |\n' "$name" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)"
  else
    printf '| %s | %.2f | %.0f | %.1f | %.2f | %.1f | %.0f | %.2f | ok |\n' "$name" "$wall" "$(echo "$2 / $wall" | bc -l)" \
      "$(echo "$MB / $wall / $CORES" | bc -l)" "$cpu" "$(echo "$MB / $cpu" | bc -l)" \
      "$(echo "$rss / 1024" | bc -l)" "$(echo "$wall / $RG" | bc -l)"
  fi
}
# Quality on the labelled set (crates/detect/tests/quality.rs prints the tables).
QUALITY=$(cargo test --release -q -p wangjian-detect --test quality -- --nocapture 2>/dev/null |
  grep -E '^\||^miss:|labelled listings|listings changed' || true)
HEAD="| command | wall s | listings/s | MB/s per core | CPU s | MB per CPU-s | peak RSS MiB | time / rg | status |"
{
  echo "# wangjian scan benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $CORES cores. Best wall time of $RUNS runs, the commands of both corpora taking turns run by run (grep: one run, capped, output to a file; the rest to /dev/null); CPU (user + sys) and peak RSS of that run."
  echo "MB/s per core = MB / wall / $CORES; MB per CPU-s = MB / CPU time (what one busy core does, whatever else the machine runs); time / rg against rg on the same corpus in the same run."
  echo "Load average when the run started: $LOADAVG (other builds share this machine)."
  echo
  echo "## Realistic corpus"
  echo
  echo "$N listings ($(printf %.0f "$REAL_MB") MB), $M marks of common characters and ordinary words ($(wc -l < "$REAL/patterns.txt") distinct literal patterns: one word may have several owners). Compiled rule set: $(stat -c %s "$REAL/rules.wjc") bytes."
  echo "What the scan reports: $(grep -h 'levels:\|per reason:' "$REAL/summary.txt" | sed 's/^wangjian: //' | tr '\n' ';' | sed 's/;$//')."
  echo
  echo "$HEAD"
  echo "|---|---|---|---|---|---|---|---|---|"
  MB=$REAL_MB RG=$(echo "${QROWS[0]}" | cut -d'|' -f2)
  for r in "${QROWS[@]}"; do row "$r" "$N"; done
  echo
  echo "Memory with a realistic register of $BIG_MARKS marks (the realistic listings, one run each; time / rg against rg above):"
  echo
  echo "$HEAD"
  echo "|---|---|---|---|---|---|---|---|---|"
  row "${BIGROWS[0]}" 0
  row "${BIGROWS[1]}" "$N"
  row "${BIGROWS[2]}" "$N"
  echo
  echo "## Synthetic corpus"
  echo
  echo "$N listings ($(printf %.0f "$(echo "$BYTES / 1000000" | bc -l)") MB), $M marks (3 forms each, $(wc -l < "$WORK/patterns.txt") literal patterns), marks occurring only where planted."
  echo "Compiled rule set: $(stat -c %s "$WORK/rules.wjc") bytes; empty scan with --compiled (load time): ${LOAD}s."
  echo
  echo "$HEAD"
  echo "|---|---|---|---|---|---|---|---|---|"
  MB=$(echo "$BYTES / 1000000" | bc -l) RG=$(echo "${ROWS[0]}" | cut -d'|' -f2)
  for r in "${ROWS[@]}"; do row "$r" "$N"; done
  echo
  echo "## Quality on the labelled set"
  echo
  echo "Precision and recall per reason code (crates/detect/tests/quality.rs on crates/detect/tests/data/labelled.jsonl with its marks; a reason is a true positive when the listing's label expects it), then the registry-scale check (the same set scanned again with 20 000 ordinary-word marks added)."
  echo
  echo "$QUALITY" | grep -v 'labelled listings\|listings changed\|^miss:'
  echo
  echo "$QUALITY" | grep '^miss:' | sed 's/^/- /'
  echo
  echo "$QUALITY" | grep 'labelled listings\|listings changed' | sed 's/^\.*//; s/$/./'
} > bench/results.md
cat bench/results.md
