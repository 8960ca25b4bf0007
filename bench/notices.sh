#!/bin/sh
# Notice and takedown throughput (issue 16): N notices to one platform through the app
# (batches of 10 000, one transaction each) against a plain multi-row INSERT of the same
# rows in the same run, then the platform answering M of them (acknowledge + act), on
# SQLite and PostgreSQL → bench/results-notices.md.
#   N=100000 M=2000 bench/notices.sh
set -eu
N=${N:-100000}
M=${M:-2000}
PG=${WANGJIAN_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
cd "$(dirname "$0")/.."
cargo build --release -q -p wangjian-app --example notices_bench
BIN=${CARGO_TARGET_DIR:-target}/release/examples/notices_bench
DIR=$(mktemp -d)
SCHEMA=wjbench_$$
URLS="sqlite:$DIR/notices.db"
if psql "$PG" -q -c "CREATE SCHEMA $SCHEMA" 2>/dev/null; then
  URLS="$URLS $PG?options=-c%20search_path%3D$SCHEMA"
fi
{
  echo "# Notices: sending and answering (bench/notices.sh)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores (shared with builds), N=$N, M=$M."
  echo
  "$BIN" "$N" "$M" $URLS
  echo
  echo "Sending through the app does what the plain INSERT does not: it reads every listing"
  echo "(exists, on that platform) and every open notice on them, runs the domain's command"
  echo "(clock on the working-day calendar), inserts the rows with ON CONFLICT on the open-notice"
  echo "index, and appends one audit event and one evidence-log entry (Merkle nodes) per notice,"
  echo "all in one transaction per batch of 10 000. Answers are one versioned transaction per step."
} | tee bench/results-notices.md
psql "$PG" -q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" 2>/dev/null || true
rm -rf "$DIR"
