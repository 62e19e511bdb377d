#!/usr/bin/env bash
# Load test over loopback: generates and imports N events, starts ll2d, runs
# wrk on the URLs the peer's bench.sh measures, stops ll2d. Every step is
# time-bounded. Needs `wrk` (apt-get install wrk).
#   bench/http_bench.sh [BUILD_DIR]   env: N=10000 SEED=1 DURATION=10s THREADS=2 CONNS=4 WORK=/tmp/ll2d-bench
set -euo pipefail
BUILD=${1:-build}
LL2D=$(readlink -f "$BUILD/ll2d")
N=${N:-10000}
SEED=${SEED:-1}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-4}
WORK=${WORK:-/tmp/ll2d-bench}
mkdir -p "$WORK"
DB="$WORK/bench-$N-$SEED.sqlite3"
if [ ! -f "$DB" ]; then
  timeout 600 "$LL2D" generate --events "$N" --seed "$SEED" --out "$WORK/gen-$N-$SEED" >/dev/null
  timeout 600 "$LL2D" import --db "$DB" "$WORK/gen-$N-$SEED" 2>&1 | tail -1
fi
"$LL2D" serve --db "$DB" --port 0 --no-access-log >"$WORK/serve.out" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; timeout 10 tail --pid=$PID -f /dev/null || kill -9 $PID' EXIT
for _ in $(seq 1 100); do grep -q serving "$WORK/serve.out" && break; sleep 0.1; done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/serve.out")
BASE="http://127.0.0.1:$PORT/2.3.0"
MID=$((N / 2 + 1))
URLS=(
  "/docking_events/$MID/?format=json"
  "/docking_events/?format=json"
  "/docking_events/?format=json&mode=detailed&limit=100"
  "/docking_events/?format=json&search=Salyut"
  "/docking_events/?format=json&docking__gte=2019-12-19T03:20:49Z&ordering=-docking"
)
printf '| URL | req/s | bytes | p50 | p90 | p99 |\n|---|---|---|---|---|---|\n'
for u in "${URLS[@]}"; do
  bytes=$(curl -s "$BASE$u" | wc -c)
  out=$(timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$BASE$u")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p90=$(echo "$out" | awk '$1=="90%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '| `%s` | %s | %s | %s | %s | %s |\n' "$u" "$rps" "$bytes" "$p50" "$p90" "$p99"
done
