#!/usr/bin/env bash
# bench/network.sh — seller-network grouping: 1 000 000 shops × 5 identifiers grouped, and
# 10 000 new shops added incrementally, against a HashMap + breadth-first-search baseline
# in the same run (crates/network/benches/group.rs), plus normalization per value.
# Writes bench/results-network.md.   Usage: bench/network.sh [SHOPS=1000000]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
OUT=${OUT:-bench/results-network.md}
cargo bench -q -p wangjian-network --bench group --no-run
{
  echo "# Seller networks: grouping speed"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, best of 3 runs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  cargo bench -q -p wangjian-network --bench group -- "${1:-1000000}"
} > "$OUT"
cat "$OUT"
