#!/usr/bin/env bash
# Load test over loopback: generates and imports N events, starts ll2d, runs
# wrk on the URLs the peer's bench.sh measures, stops ll2d. Every step is
# time-bounded. Needs `wrk` (apt-get install wrk).
#   bench/http_bench.sh [BUILD_DIR]
#   env: N=10000 SEED=1 DURATION=10s THREADS=2 CONNS=4 WORK=/tmp/ll2d-bench
#        BACKEND=sqlite|postgres|both (default sqlite)
# On PostgreSQL (a throw-away cluster from scripts/pg-cluster.sh, on the same
# machine) the table also gives the SQL statements per request, counted by
# pg_stat_statements over the run.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build}
LL2D=$(readlink -f "$BUILD/ll2d")
N=${N:-10000}
SEED=${SEED:-1}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-4}
WORK=${WORK:-/tmp/ll2d-bench}
BACKEND=${BACKEND:-sqlite}
mkdir -p "$WORK"
GEN="$WORK/gen-$N-$SEED"
[ -d "$GEN" ] || timeout 600 "$LL2D" generate --events "$N" --seed "$SEED" --out "$GEN" --quiet >/dev/null
MID=$((N / 2 + 1))
URLS=(
  "/docking_events/$MID/?format=json"
  "/docking_events/$MID/?format=json&mode=detailed"
  "/docking_events/?format=json"
  "/docking_events/?format=json&mode=detailed&limit=100"
  "/docking_events/?format=json&search=Salyut"
  "/docking_events/?format=json&docking__gte=2019-12-19T03:20:49Z&ordering=-docking"
)

PID=
PG_DIR=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; timeout 10 tail --pid="$PID" -f /dev/null || kill -9 "$PID"; fi
  if [ -n "$PG_DIR" ]; then "$HERE/../scripts/pg-cluster.sh" stop "$PG_DIR"; fi
}
trap cleanup EXIT

# bench_one NAME DB [PGURL]: serve DB and measure every URL.
bench_one() {
  local name=$1 db=$2 pg=${3:-}
  "$LL2D" serve --db "$db" --port 0 --no-access-log >"$WORK/serve.out" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do grep -q serving "$WORK/serve.out" && break; sleep 0.1; done
  local port base
  port=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/serve.out")
  base="http://127.0.0.1:$port/2.3.0"
  printf '\n%s, %s events, wrk -t%s -c%s -d%s\n\n' "$name" "$N" "$THREADS" "$CONNS" "$DURATION"
  printf '| URL | req/s | bytes | p50 | p90 | p99 | SQL statements per request |\n|---|---|---|---|---|---|---|\n'
  for u in "${URLS[@]}"; do
    local bytes out rps p50 p90 p99 requests per=""
    bytes=$(curl -s "$base$u" | wc -c)
    [ -n "$pg" ] && psql "$pg" -qAt -c 'SELECT pg_stat_statements_reset()' >/dev/null
    out=$(timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$base$u")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p90=$(echo "$out" | awk '$1=="90%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    if [ -n "$pg" ] && [ "${requests:-0}" -gt 0 ]; then
      # Every statement the server ran for this database (BEGIN and COMMIT included).
      per=$(psql "$pg" -qAt -c "SELECT round(coalesce(sum(calls), 0)::numeric / $requests, 2) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()")
    fi
    printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "$u" "$rps" "$bytes" "$p50" "$p90" "$p99" "${per:-n/a}"
  done
  kill "$PID"; timeout 10 tail --pid="$PID" -f /dev/null || kill -9 "$PID"
  PID=
}

if [ "$BACKEND" = sqlite ] || [ "$BACKEND" = both ]; then
  DB="$WORK/bench-$N-$SEED.sqlite3"
  [ -f "$DB" ] || timeout 600 "$LL2D" import --db "$DB" "$GEN" 2>&1 | tail -1
  bench_one "SQLite" "$DB"
fi
if [ "$BACKEND" = postgres ] || [ "$BACKEND" = both ]; then
  eval "$("$HERE/../scripts/pg-cluster.sh" start)"
  PG_DIR=$LL2D_PG_DIR
  psql "$LL2D_PG_URL" -qAt -c 'CREATE EXTENSION pg_stat_statements' >/dev/null
  timeout 1800 "$LL2D" import --db "$LL2D_PG_URL" "$GEN" 2>&1 | tail -1
  psql "$LL2D_PG_URL" -qAt -c 'VACUUM ANALYZE' >/dev/null
  bench_one "PostgreSQL 15 (same machine, loopback)" "$LL2D_PG_URL" "$LL2D_PG_URL"
fi
