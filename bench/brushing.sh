#!/usr/bin/env bash
# bench/brushing.sh — speed of `wangjian brushing detect` (the whole command: reading,
# parsing, the graph, peeling, scoring, output) and detection quality.
#
# Generates (deterministically, crates/brushing/examples/gen_orders.rs) a month of orders
# with a 200×200 block and a 50×10 ring injected, at SIZES orders (default 1 000 000 and
# 10 000 000), once with only the required fields (order_id, buyer, shop, listing, time,
# amount: one order edge per line) and once with every optional field (address, device,
# ip, review on 30% of orders, weight, logistics). Then, taking turns run by run (this
# machine is shared and its speed drifts), RUNS rounds, best wall time kept with the peak
# RSS of that run:
#   - `wc -l FILE` (reading the file once: the floor)
#   - `jq -c '[.buyer,.shop]' FILE` (a parse of every line by a common tool; 1 M only)
#   - `wangjian brushing detect FILE -o /dev/null`
# and writes a Markdown table to bench/results-brushing.md, followed by the quality tables
# of `cargo run --release -p wangjian-brushing --example quality` (small and large).
# Needs GNU time and jq (`apt-get install time jq`).
#
# Usage: bench/brushing.sh   env: SIZES="1000000 10000000" RUNS=3 BENCH_DIR=/tmp/wangjian-bench
#        QUALITY=0 to skip the quality tables
set -euo pipefail
SIZES=${SIZES:-"1000000 10000000"}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
WORK=${BENCH_DIR:-/tmp/wangjian-bench}
OUT=${OUT:-bench/results-brushing.md}
mkdir -p "$WORK"
cargo build --release -q -p wangjian-cli
cargo build --release -q -p wangjian-brushing --example gen_orders --example quality
BIN=$CARGO_TARGET_DIR/release/wangjian
GEN=$CARGO_TARGET_DIR/release/examples/gen_orders

files=()
for n in $SIZES; do
  for kind in minimal full; do
    f="$WORK/orders-$n-$kind.jsonl"
    if [ ! -s "$f" ]; then
      if [ "$kind" = minimal ]; then "$GEN" "$n" --minimal > "$f"; else "$GEN" "$n" > "$f"; fi
    fi
    files+=("$f")
  done
done

# run NAME CMD... → "seconds peak_kib exit" of one run.
measure() {
  local t
  t=$(mktemp)
  local rc=0
  /usr/bin/time -f "%e %M" -o "$t" "$@" > /dev/null 2>"$t.err" || rc=$?
  echo "$(tail -n1 "$t") $rc"
  rm -f "$t" "$t.err"
}

declare -A best mem status
for ((r = 1; r <= RUNS; r++)); do
  for f in "${files[@]}"; do
    for tool in wc jq wangjian; do
      lines=$(basename "$f" | cut -d- -f2)
      if [ "$tool" = jq ] && [ "$lines" -gt 1000000 ]; then continue; fi
      case $tool in
        wc) res=$(measure wc -l "$f") ;;
        jq) res=$(measure jq -c '[.buyer,.shop]' "$f") ;;
        wangjian) res=$(measure "$BIN" brushing detect "$f" -o /dev/null) ;;
      esac
      read -r secs kib rc <<< "$res"
      key="$f|$tool"
      if [ -z "${best[$key]:-}" ] || [ "$(echo "$secs < ${best[$key]}" | bc)" = 1 ]; then
        best[$key]=$secs; mem[$key]=$kib; status[$key]=$rc
      fi
    done
  done
done

{
  echo "# \`wangjian brushing detect\`: speed and quality"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), best of $RUNS runs taken in turns; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). The whole command is timed (reading, parsing, graph, peeling, scoring, writing), output to /dev/null."
  echo
  echo "| input | lines | size | tool | wall time | per 1 M lines | peak RSS | vs wc -l | exit |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for f in "${files[@]}"; do
    lines=$(basename "$f" | cut -d- -f2)
    kind=$(basename "$f" .jsonl | cut -d- -f3)
    size=$(du -m "$f" | cut -f1)
    for tool in wc jq wangjian; do
      key="$f|$tool"
      [ -n "${best[$key]:-}" ] || continue
      per=$(echo "scale=3; ${best[$key]} * 1000000 / $lines" | bc)
      ratio=$(echo "scale=1; ${best[$key]} / ${best[$f|wc]}" | bc 2>/dev/null || echo -)
      echo "| $kind | $lines | $size MB | $tool | ${best[$key]} s | $per s | $((${mem[$key]} / 1024)) MiB | ${ratio}x | ${status[$key]} |"
    done
  done
  echo
  echo "\`minimal\`: the required fields only (one order edge per line, ~130 bytes); \`full\`: every optional field (~250 bytes; 30% of orders with a review, which is normalized and fingerprinted)."
  if [ "${QUALITY:-1}" != 0 ]; then
    echo
    echo "## Quality on generated traffic (\`cargo run --release -p wangjian-brushing --example quality\`)"
    echo
    "$CARGO_TARGET_DIR/release/examples/quality"
    echo
    "$CARGO_TARGET_DIR/release/examples/quality" large
  fi
} > "$OUT"
cat "$OUT"
