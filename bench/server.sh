#!/usr/bin/env bash
# The server's benchmark (issue 6): listing ingest throughput through POST /api/v1/listings
# (validation, scan, routing, store) and p50/p99 of the lead queue page and API over
# LEADS leads (default 1 000 000, filled through the store's bulk import), on SQLite and on
# PostgreSQL (127.0.0.1:5432, user postgres, a throwaway schema). Baselines in the same run:
# GET /api/v1/health and the bare store query. Writes bench/results-server.md.
#
#   bash bench/server.sh              # LEADS=1000000 INGEST=100000 BATCH=5000 QUERIES=300
#   LEADS=100000 bash bench/server.sh # a quicker run; PG_LEADS sets PostgreSQL's apart
#   OUT=bench/results-server-ingest.md LEADS=200000 bash bench/server.sh  # another table
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
LEADS="${LEADS:-1000000}"
INGEST="${INGEST:-100000}"
BATCH="${BATCH:-5000}"
QUERIES="${QUERIES:-300}"
PG_LEADS="${PG_LEADS:-$LEADS}"
PG="${WANGJIAN_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --quiet --release -p wangjian-server --example bench_server
bin="$CARGO_TARGET_DIR/release/examples/bench_server"
out="${OUT:-$root/bench/results-server.md}"
tmp="$(mktemp -d)"
schema="wjbench_$$"
cleanup() {
  rm -rf "$tmp"
  psql "$PG" -q -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
{
  echo "# Server benchmark: listing ingest and the lead queue"
  echo
  echo "Run by \`bench/server.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit ${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo '?')},"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM,"
  echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds)."
  echo "The server runs in the benchmark's process on 127.0.0.1; the client is plain HTTP/1.1"
  echo "keep-alive (one connection for latency, one per core for ingest). Release build."
  echo "Queue requests are signed in as the agency's officer (session cookie); ingest uses a"
  echo "platform token of scope \`ingest\`. Leads: LEADS=$LEADS, ingest INGEST=$INGEST listings in"
  echo "requests of BATCH=$BATCH (two listings in three are flagged); PostgreSQL leads PG_LEADS=$PG_LEADS."
  echo
  echo "## SQLite (one file, WAL)"
  echo
  "$bin" --db "sqlite:$tmp/bench.db" --leads "$LEADS" --ingest "$INGEST" --batch "$BATCH" --queries "$QUERIES"
  echo
  echo "Load average after the SQLite run: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "## PostgreSQL ($(psql "$PG" -tA -c 'SHOW server_version' 2>/dev/null || echo '?'), same machine)"
  echo
  psql "$PG" -q -c "CREATE SCHEMA $schema" >/dev/null
  "$bin" --db "$PG?options=-c%20search_path%3D$schema" --leads "$PG_LEADS" --ingest "$INGEST" --batch "$BATCH" --queries "$QUERIES"
  echo
  echo "Load average after the PostgreSQL run: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
