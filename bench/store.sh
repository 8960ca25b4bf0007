#!/usr/bin/env bash
# bench/store.sh — the store benchmark of issue 4 ("Speed"), run by hand (not in CI).
#
# Builds crates/store/examples/store_bench.rs (release) and runs it for SQLite and
# PostgreSQL: LISTINGS listings with their scan leads through `Store::import_listings`
# (baseline in the same run: the same rows by plain multi-row INSERTs into another fresh
# database), then the store's lists at CASES cases (`due_deadlines`, `officer_queue`,
# `cases` with `Scope::Region`, `supervision_board`; baseline: a `SELECT 1` round trip)
# with their query plans. The top comment of the example says how the cases are made.
# Writes bench/results-store.md (with the machine's load average before and after).
#
# Usage: bench/store.sh
#   env: LISTINGS=1000000 CASES=1000000 ROUNDS=50 BACKENDS=sqlite,postgres
#        WANGJIAN_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres BENCH_DIR=/tmp/wangjian-bench
#        STORE_BENCH_BIN= (a binary built before: no build)
#        OUT=bench/results-store.md (where the table goes)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
export BENCH_DIR=${BENCH_DIR:-/tmp/wangjian-bench}
export LISTINGS=${LISTINGS:-1000000} CASES=${CASES:-1000000} ROUNDS=${ROUNDS:-50}
export BACKENDS=${BACKENDS:-sqlite,postgres}
mkdir -p "$BENCH_DIR"
# STORE_BENCH_BIN: a store_bench binary built before (skips the build).
if [ -z "${STORE_BENCH_BIN:-}" ]; then
  cargo build --release -q -p wangjian-store --example store_bench
fi
BIN=${STORE_BENCH_BIN:-$CARGO_TARGET_DIR/release/examples/store_bench}
OUT=${OUT:-bench/results-store.md}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
BODY=$(mktemp)
/usr/bin/time -v -o "$BENCH_DIR/store-time.txt" "$BIN" > "$BODY"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
CPU=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$BENCH_DIR/store-time.txt")
WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$BENCH_DIR/store-time.txt")
{
  echo "# wangjian store benchmark"
  echo
  echo "$STARTED, $(nproc) cores, SQLite file in $BENCH_DIR (WAL, synchronous=NORMAL), PostgreSQL at 127.0.0.1 (versions in the headings)."
  echo "$LISTINGS listings, $CASES cases, $ROUNDS rounds per list. Load average before: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo "(other builds share this machine). The whole run: ${WALL} s wall, ${CPU} CPU-s of the bench process"
  echo "(the databases' own CPU is not in it). Made by \`bench/store.sh\`; how the data is made:"
  echo "the top comment of \`crates/store/examples/store_bench.rs\`."
  echo
  cat "$BODY"
} > "$OUT"
rm -f "$BODY"
echo "wrote $OUT"
