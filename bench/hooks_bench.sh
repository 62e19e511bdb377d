#!/usr/bin/env bash
# Serving while webhooks misbehave: the request mix (bench/make_mix.py) on a
# generated world while another process imports a page of 100 launches with
# moved NETs every second, first with no webhook, then with four hooks whose
# receivers hang (three) or answer 500 (one) to every POST. Prints both wrk
# results and the ratio of their latencies: delivery runs beside serving, so
# it should stay near 1.
#   bench/hooks_bench.sh [BUILD_DIR]
#   env: EVENTS=10000 PATHS=3000 DURATION=20s CONNS=16 THREADS=2 WORK=/tmp/ll2d-hooks
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
LL2D=$(readlink -f "$BUILD/ll2d")
EVENTS=${EVENTS:-10000}
PATHS=${PATHS:-3000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
WORK=${WORK:-/tmp/ll2d-hooks}
PY=/usr/bin/python3
mkdir -p "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

GEN=$WORK/gen-$EVENTS
if [ ! -f "$GEN/.complete" ]; then
  rm -rf "$GEN"
  "$LL2D" generate --events "$EVENTS" --seed 1 --now now --out "$GEN" --quiet >/dev/null
  touch "$GEN/.complete"
fi
$PY "$ROOT/bench/make_mix.py" "$GEN" "$WORK/mix.txt" "$PATHS"
DB=$WORK/db.sqlite3
rm -f "$DB" "$DB-wal" "$DB-shm"
"$LL2D" import --db "$DB" "$GEN" 2>&1 | tail -1

# Two versions of one page of launches, their NETs a day apart.
$PY - "$GEN/launches/page_0001.json" "$WORK" <<'EOF'
import json, sys
from datetime import datetime, timedelta
page = json.load(open(sys.argv[1]))
for name, days in (("a", 1), ("b", -1)):
    for l in page["results"]:
        net = datetime.fromisoformat(l["net"].replace("Z", "+00:00")) + timedelta(days=days)
        l["net"] = net.strftime("%Y-%m-%dT%H:%M:%SZ")
    json.dump(page, open(f"{sys.argv[2]}/moved-{name}.json", "w"))
EOF

PORT=$(free_port)
"$LL2D" serve --db "$DB" --port "$PORT" --no-access-log --hook-retry 1s --hook-timeout 3600 \
  2>"$WORK/serve.log" >/dev/null &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q "list indexes built" "$WORK/serve.log" && break; sleep 0.1; done

# One import a second, for the whole run.
(while true; do
  for f in a b; do "$LL2D" import --db "$DB" "$WORK/moved-$f.json" >/dev/null 2>&1; sleep 1; done
done) &
PIDS+=($!)

run() {
  timeout 600 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s -s "$ROOT/bench/mix.lua" \
    "http://127.0.0.1:$PORT" -- "$WORK/mix.txt" | tail -1
}
echo "== the mix while imports run, no webhook"
quiet=$(run)
echo "  $quiet"

for script in hang hang hang 500; do
  p=$(free_port)
  $PY "$ROOT/tests/integration/hook_receiver.py" "$p" "$WORK/received-$p.jsonl" \
    "$(printf "$script,%.0s" $(seq 1 1000))" >/dev/null &
  PIDS+=($!)
  "$LL2D" hooks add --db "$DB" --url "http://127.0.0.1:$p/" --types launch.updated >/dev/null
done
sleep 3
echo "== the same with four webhooks: three receivers hang, one answers 500"
busy=$(run)
echo "  $busy"
"$LL2D" hooks deliveries --db "$DB" --limit 100000 | awk '{print $5}' | sort | uniq -c |
  sed 's/^/  deliveries: /'
$PY - "$quiet" "$busy" <<'EOF'
import json, sys
q, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for k in ("rps", "p50_us", "p99_us"):
    print(f"  {k:8} {q[k]:10.0f} {b[k]:10.0f}  x{b[k] / q[k]:.2f}")
EOF
