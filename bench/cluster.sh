#!/usr/bin/env bash
# bench/cluster.sh — the patrol pipeline of issue 19, run by hand (not in CI).
#
# Builds release, generates LISTINGS realistic listings and MARKS marks
# (crates/detect/examples/gen_listings.rs), starts a private nats-server (free port,
# temporary JetStream directory) and uses fresh databases on the PostgreSQL server
# WANGJIAN_TEST_PG, then measures, RUNS times each (best kept):
#   - baselines in the same run: `wangjian scan` of the file (all cores, and one core:
#     RAYON_NUM_THREADS=1), `wangjian patrol` into PostgreSQL (one process);
#   - `wangjian ingest` alone (publish rate into JetStream, acknowledgements pipelined);
#   - 1, 2 and 4 workers draining the stream into PostgreSQL (listings/s: N / time until
#     the record holds N listings);
#   - end-to-end latency publish → stored lead: 2 workers running, listings published in
#     chunks of CHUNK every 0.5 s (a load the workers keep up with), p50/p99 from the
#     workers' /metrics.
# Writes bench/results-cluster.md with the machine's load average.
#
# Usage: bench/cluster.sh   env: LISTINGS=100000 MARKS=2000 RUNS=2 CHUNK=500
#   WANGJIAN_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres OUT=bench/results-cluster.md
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/wangjian-target}
N=${LISTINGS:-100000}
M=${MARKS:-2000}
RUNS=${RUNS:-2}
CHUNK=${CHUNK:-500}
PG=${WANGJIAN_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
OUT=${OUT:-bench/results-cluster.md}
WORK=$(mktemp -d /tmp/wangjian-cluster-bench.XXXXXX)
if [ -z "${SKIP_BUILD:-}" ]; then
  nice -n 10 cargo build --release -q -p wangjian-cli
  nice -n 10 cargo build --release -q -p wangjian-detect --example gen_listings
fi
BIN=$CARGO_TARGET_DIR/release/wangjian
"$CARGO_TARGET_DIR/release/examples/gen_listings" "$N" "$M" "$WORK" realistic >/dev/null
cat > "$WORK/orgs.jsonl" <<'EOF'
{"name":"浙江省市场监督管理局","case_prefix":"浙市监","kind":"agency","agency_type":"market_regulation","level":"province","region":"330000"}
{"name":"杭州市市场监督管理局","case_prefix":"杭市监","kind":"agency","agency_type":"market_regulation","level":"city","region":"330100"}
{"name":"云集优品网络科技有限公司","case_prefix":"云集","kind":"platform","region":"330110"}
EOF
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NATS=nats://127.0.0.1:$PORT
NATS_PID=
start_nats() {
  rm -rf "$WORK/js"
  nats-server -js -a 127.0.0.1 -p "$PORT" -sd "$WORK/js" >/dev/null 2>&1 &
  NATS_PID=$!
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return; sleep 0.1; done
}
stop_nats() { kill "$NATS_PID" 2>/dev/null || true; wait "$NATS_PID" 2>/dev/null || true; }
DBS=()
fresh_db() {
  local name="wjbench_$$_$RANDOM$RANDOM"
  psql "$PG" -qc "CREATE DATABASE $name" >/dev/null
  DBS+=("$name")
  DB="${PG%/*}/$name"
  "$BIN" import orgs "$WORK/orgs.jsonl" --db "$DB" >/dev/null 2>&1
  "$BIN" import marks "$WORK/marks.csv" --db "$DB" >/dev/null 2>&1
}
cleanup() {
  stop_nats
  for d in "${DBS[@]}"; do psql "$PG" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):.0f}')"; }
best() { sort -n | tail -1; }
count() { psql "$DB" -qAtc "SELECT count(*) FROM $1"; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
L="$WORK/listings.jsonl"

# Baselines.
SCAN=(); SCAN1=(); PATROL=()
for _ in $(seq "$RUNS"); do
  t0=$(now); "$BIN" scan "$L" --marks "$WORK/marks.csv" >/dev/null; t1=$(now); SCAN+=("$(rate "$N" "$t0" "$t1")")
  t0=$(now); RAYON_NUM_THREADS=1 "$BIN" scan "$L" --marks "$WORK/marks.csv" >/dev/null; t1=$(now); SCAN1+=("$(rate "$N" "$t0" "$t1")")
  fresh_db
  t0=$(now); "$BIN" patrol --org 浙市监 --platform 云集 "$L" --db "$DB" >/dev/null 2>&1; t1=$(now); PATROL+=("$(rate "$N" "$t0" "$t1")")
done

# Ingest alone, then W workers draining the stream.
INGEST=(); declare -A WORK_RATE
for _ in $(seq "$RUNS"); do
  for W in 1 2 4; do
    start_nats
    fresh_db
    t0=$(now); "$BIN" ingest --nats "$NATS" --org 浙市监 --platform 云集 "$L" 2>/dev/null; t1=$(now)
    [ "$W" = 1 ] && INGEST+=("$(rate "$N" "$t0" "$t1")")
    PIDS=()
    t0=$(now)
    for i in $(seq "$W"); do
      "$BIN" worker --nats "$NATS" --db "$DB" --name "w$i" --exit-when-idle 1 >/dev/null 2>&1 &
      PIDS+=($!)
    done
    until [ "$(count listings)" -ge "$N" ]; do sleep 0.2; done
    t1=$(now)
    wait "${PIDS[@]}"
    WORK_RATE[$W]="${WORK_RATE[$W]:-} $(rate "$N" "$t0" "$t1")"
    LEADS=$(count leads)
    stop_nats
  done
done

# Latency: 2 workers running, listings published in chunks.
start_nats
fresh_db
PIDS=(); ADDRS=()
for i in 1 2; do
  "$BIN" worker --nats "$NATS" --db "$DB" --name "lat$i" --metrics-addr 127.0.0.1:0 > "$WORK/w$i.out" 2>/dev/null &
  PIDS+=($!)
done
sleep 2
for i in 1 2; do ADDRS+=("$(sed -n 's#metrics at http://\(.*\)/metrics#\1#p' "$WORK/w$i.out")"); done
LAT_N=$(( N < 20000 ? N : 20000 ))
head -n "$LAT_N" "$L" | split -l "$CHUNK" - "$WORK/chunk."
for f in "$WORK"/chunk.*; do
  "$BIN" ingest --nats "$NATS" --org 浙市监 --platform 云集 "$f" 2>/dev/null
  sleep 0.5
done
until [ "$(count listings)" -ge "$LAT_N" ]; do sleep 0.2; done
sleep 1
LAT=""
for a in "${ADDRS[@]}"; do
  m=$(curl -s "http://$a/metrics")
  p50=$(echo "$m" | sed -n 's/^wangjian_worker_publish_to_stored_seconds{quantile="0.5"} //p')
  p99=$(echo "$m" | sed -n 's/^wangjian_worker_publish_to_stored_seconds{quantile="0.99"} //p')
  LAT="$LAT worker p50 ${p50:-?} s, p99 ${p99:-?} s;"
done
kill "${PIDS[@]}" 2>/dev/null || true
wait "${PIDS[@]}" 2>/dev/null || true
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
pick() { tr ' ' '\n' | grep -v '^$' | best; }
S=$(printf '%s\n' "${SCAN[@]}" | best); S1=$(printf '%s\n' "${SCAN1[@]}" | best)
P=$(printf '%s\n' "${PATROL[@]}" | best); I=$(printf '%s\n' "${INGEST[@]}" | best)
W1=$(echo "${WORK_RATE[1]}" | pick); W2=$(echo "${WORK_RATE[2]}" | pick); W4=$(echo "${WORK_RATE[4]}" | pick)
{
  echo "# wangjian patrol cluster benchmark"
  echo
  echo "$STARTED, $(nproc) cores shared with other builds (load average before: $LOAD_BEFORE; after: $LOAD_AFTER)."
  echo "$N realistic listings (\`gen_listings … realistic\`), $M marks; nats-server $(nats-server --version | awk '{print $2}') (private, file storage),"
  echo "PostgreSQL $(psql "$PG" -qAtc 'SHOW server_version') on the same machine. Best of $RUNS runs (all runs: in brackets). Made by \`bench/cluster.sh\`."
  echo
  echo "| what | listings/s | runs |"
  echo "|---|---:|---|"
  echo "| baseline: \`scan\` (all cores, no store) | $S | ${SCAN[*]} |"
  echo "| baseline: \`scan\` one core (RAYON_NUM_THREADS=1) | $S1 | ${SCAN1[*]} |"
  echo "| baseline: \`patrol\` into PostgreSQL, one process | $P | ${PATROL[*]} |"
  echo "| \`ingest\` → JetStream (publish, acks pipelined) | $I | ${INGEST[*]} |"
  echo "| 1 worker → PostgreSQL | $W1 | ${WORK_RATE[1]} |"
  echo "| 2 workers → PostgreSQL | $W2 | ${WORK_RATE[2]} |"
  echo "| 4 workers → PostgreSQL | $W4 | ${WORK_RATE[4]} |"
  echo
  echo "Leads per run: $LEADS of $N listings."
  echo "Workers as a share of the one-core scan rate: 1 worker $(python3 -c "print(f'{$W1/$S1:.0%}')"), 2 workers $(python3 -c "print(f'{$W2/$S1:.0%}')") (on 2 cores shared with NATS, PostgreSQL and the publisher)."
  echo
  echo "End-to-end latency publish → stored (2 workers running, $LAT_N listings in chunks of $CHUNK every 0.5 s):$LAT"
} > "$OUT"
echo "wrote $OUT"
cat "$OUT"
