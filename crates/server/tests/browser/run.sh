#!/usr/bin/env bash
# Runs the browser tests: builds the fixture server, starts it on a random port over a
# fresh SQLite database, runs the node tests against it with Debian's chromium, stops it.
# Screenshots: $WJ_ARTIFACTS (default: $CARGO_TARGET_DIR/browser-artifacts).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export WJ_ARTIFACTS="${WJ_ARTIFACTS:-$CARGO_TARGET_DIR/browser-artifacts}"
export CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$CHROMIUM" ]; then
  echo "browser tests: chromium is not installed (apt-get install chromium)" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

cargo build --quiet -p wangjian-server --example fixture_server
tmp="$(mktemp -d)"
out="$tmp/server.out"
"$CARGO_TARGET_DIR/debug/examples/fixture_server" "$tmp/wangjian.db" 127.0.0.1:0 >"$out" 2>"$tmp/server.err" &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q '^case_hz=' "$out" 2>/dev/null && break
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$tmp/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
WJ_URL="$(sed -n 's|^wangjian: serving on \(http://[^/]*\)/$|\1|p' "$out")"
WJ_CASE_HZ="$(sed -n 's/^case_hz=//p' "$out")"
export WJ_URL WJ_CASE_HZ
echo "browser tests against $WJ_URL (screenshots in $WJ_ARTIFACTS)"
cd "$here"
node --test --test-concurrency=1 console.test.mjs portal.test.mjs
