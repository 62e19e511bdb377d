#!/usr/bin/env bash
# What an uncached answer costs on PostgreSQL, split between ll2d and the
# database: N distinct paths of the request mix (bench/mix_bench.sh's world
# and mix, made first if missing) asked once each, in a fixed shuffled
# order, from one client, of a fresh server on a throw-away cluster
# (scripts/pg-cluster.sh). Prints the wall time, the CPU ticks of ll2d and of
# every postgres process over the run (from /proc), the statements run per
# request and their execution time (pg_stat_statements), and the statements
# run most often. Compare two builds by running it for each, alternately.
#   bench/pg_miss_profile.sh [BUILD_DIR]
#   env: N=1500 EVENTS=10000 WORK=/tmp/ll2d-mix (mix_bench.sh's) TOP=15
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
LL2D=$(readlink -f "$BUILD/ll2d")
N=${N:-1500}
EVENTS=${EVENTS:-10000}
WORK=${WORK:-/tmp/ll2d-mix}
TOP=${TOP:-15}
PY=/usr/bin/python3
GEN=$WORK/gen-$EVENTS
MIX=$WORK/mix.txt
if [ ! -f "$GEN/.complete" ] || [ ! -f "$MIX" ]; then
  echo "pg_miss_profile.sh: no world or mix in $WORK: run bench/mix_bench.sh first" >&2
  exit 2
fi
PIDS=()
PG_DIR=
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
trap stop_started EXIT

eval "$("$ROOT/scripts/pg-cluster.sh" start)"
PG_DIR=$LL2D_PG_DIR
URL="postgresql://postgres@127.0.0.1:$LL2D_PG_PORT/postgres"
PGBIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$LL2D_PG_PORT" -U postgres -d postgres -qAt)
"$LL2D" import --db "$URL" "$GEN" 2>&1 | tail -1
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

PATHS=$WORK/miss-paths.txt
$PY - "$MIX" "$N" >"$PATHS" <<'EOF'
import random, sys
paths = sorted(set(open(sys.argv[1]).read().split()))
random.Random(1).shuffle(paths)
print("\n".join(paths[: int(sys.argv[2])]))
EOF
asked=$(wc -l <"$PATHS") # fewer than N when the mix holds fewer distinct paths

serve "$URL"
"${PSQL[@]}" -c "SELECT pg_stat_statements_reset()" >/dev/null

ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() {
  local total=0
  for p in $(pgrep -x postgres); do total=$((total + $(ticks_of "$p"))); done
  echo "$total"
}
ll2d_before=$(ticks_of "$SERVE_PID")
pg_before=$(postgres_ticks)
started=$(date +%s.%N)
$PY - "$PORT" "$PATHS" <<'EOF'
import sys, urllib.request
for path in open(sys.argv[2]).read().split():
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{path}") as r:
        r.read()
EOF
ended=$(date +%s.%N)
echo "== $asked distinct paths once, $LL2D"
echo "wall $(echo "$ended - $started" | bc) s; CPU ticks: ll2d $(($(ticks_of "$SERVE_PID") - ll2d_before)), postgres $(($(postgres_ticks) - pg_before))"
"${PSQL[@]}" -F ' ' -c "SELECT 'statements per request', round(sum(calls)::numeric / $asked, 1),
  'executing (ms)', round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements
  WHERE query NOT LIKE '%pg_stat_statements%'"
"${PSQL[@]}" -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 1),
  left(regexp_replace(query, '\s+', ' ', 'g'), 100) FROM pg_stat_statements
  WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT $TOP"
