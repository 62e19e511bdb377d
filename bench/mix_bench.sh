#!/usr/bin/env bash
# The request mix of LL2's real clients (bench/make_mix.py: upcoming and
# previous launches in every mode, launch details, events, the Starship
# dashboard, agencies, astronauts, stations, searches, NET windows; a tenth
# of the paths of 2.4.0: launch lists, launches, rockets, stages) on a
# world of LL2's size, driven by wrk over loopback against ll2d on SQLite,
# ll2d on PostgreSQL (PG=1, a throw-away cluster: scripts/pg-cluster.sh), and
# nginx serving the same answers as static files (the ceiling for bytes per
# second). Each ll2d is measured twice: every distinct path once from one
# client on a fresh server (`-miss`: what an answer costs when no cache holds
# it), and the mix for DURATION from a server started afresh (its caches warm
# up within the run). One JSON line per run in $WORK/mix.jsonl, a table on
# stdout.
#   bench/mix_bench.sh [BUILD_DIR]
#   env: EVENTS=10000 PATHS=5000 DURATION=20s CONNS=16 THREADS=2 PG=1
#        WORK=/tmp/ll2d-mix
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
LL2D=$(readlink -f "$BUILD/ll2d")
EVENTS=${EVENTS:-10000}
PATHS=${PATHS:-5000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
PG=${PG:-1}
WORK=${WORK:-/tmp/ll2d-mix}
PY=/usr/bin/python3
mkdir -p "$WORK"
RESULTS=$WORK/mix.jsonl
: >"$RESULTS"
PIDS=()
PG_DIR=
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
trap stop_started EXIT

# The world around today, so upcoming lists have data; then the mix.
GEN=$WORK/gen-$EVENTS
DB=$WORK/db-$EVENTS.sqlite3
# Its NETs are placed around the day it was made: after 12 hours a world is
# made again (and imported again), or upcoming lists would thin out.
if [ -z "$(find "$GEN/.complete" -mmin -720 2>/dev/null)" ]; then
  rm -rf "$GEN" "$DB"
  "$LL2D" generate --events "$EVENTS" --seed 1 --now now --out "$GEN" --quiet >/dev/null
  touch "$GEN/.complete"
fi
MIX=$WORK/mix.txt
$PY "$ROOT/bench/make_mix.py" "$GEN" "$MIX" "$PATHS"
echo "== $EVENTS events; $PATHS requests, $(sort -u "$MIX" | wc -l) distinct"

# run SERVER BASE PATHS_FILE: one wrk run, one JSON line.
run() {
  local out
  out=$(timeout 600 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s \
    -s "$ROOT/bench/mix.lua" "$2" -- "$3" | tail -1)
  printf '{"server":"%s","events":%s,"conns":%s,"result":%s}\n' "$1" "$EVENTS" "$CONNS" "$out" \
    >>"$RESULTS"
  printf '  %-16s %s\n' "$1" "$out"
}

[ -f "$DB" ] || "$LL2D" import --db "$DB" "$GEN" 2>&1 | tail -1
serve "$DB"
BASE=http://127.0.0.1:$PORT

# cold NAME BASE [WWW]: every distinct path of the mix once, in order, from
# one client against a server that has answered nothing yet: what an answer
# costs when no cache holds it. With WWW, each body is also kept there as a
# static file under a name of its own, and $WORK/mix-static.txt is the mix
# rewritten to those names (nginx's copy of the same answers).
cold() {
  $PY - "$MIX" "$2" "${3:-}" "$WORK/mix-static.txt" "$1" "$EVENTS" >>"$RESULTS" <<'EOF2'
import hashlib, json, sys, time, urllib.request
mix, base, www, out, name, events = sys.argv[1:7]
names, times, size = {}, [], 0
paths = [line.strip() for line in open(mix)]
for path in paths:
    if path in names:
        continue
    names[path] = hashlib.sha1(path.encode()).hexdigest() + ".json"
    start = time.perf_counter()
    with urllib.request.urlopen(base + path) as r:
        body = r.read()
    times.append(time.perf_counter() - start)
    size += len(body)
    if www:
        with open(f"{www}/{names[path]}", "wb") as b:
            b.write(body)
if www:
    with open(out, "w") as o:
        o.writelines("/" + names[p] + "\n" for p in paths)
times.sort()
pct = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1e6
print(json.dumps({"server": name, "events": int(events), "conns": 1, "result": {
    "requests": len(times), "seconds": sum(times), "rps": len(times) / sum(times),
    "bytes_per_second": size / sum(times), "bytes_per_response": size / len(times),
    "p50_us": pct(0.5), "p90_us": pct(0.9), "p99_us": pct(0.99), "max_us": times[-1] * 1e6,
    "socket_errors": 0, "non_2xx": 0}}))
EOF2
  tail -1 "$RESULTS" | $PY -c 'import json,sys; r=json.load(sys.stdin); print("  %-16s %s" % (r["server"], json.dumps(r["result"])))'
}

WWW=$WORK/www
rm -rf "$WWW" && mkdir -p "$WWW"
cold ll2d-sqlite-miss "$BASE" "$WWW"
# Then the mix itself, from a server started afresh (its caches warm up
# within the run, as a real server's do).
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
serve "$DB"
run ll2d-sqlite "http://127.0.0.1:$PORT" "$MIX"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

start_nginx "$WWW"
run nginx "http://127.0.0.1:$NGINX_PORT" "$WORK/mix-static.txt"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true

if [ "$PG" = 1 ]; then
  eval "$("$ROOT/scripts/pg-cluster.sh" start)"
  PG_DIR=$LL2D_PG_DIR
  PG_URL="postgresql://postgres@127.0.0.1:$LL2D_PG_PORT/postgres"
  "$LL2D" import --db "$PG_URL" "$GEN" 2>&1 | tail -1
  serve "$PG_URL"
  cold ll2d-pg-miss "http://127.0.0.1:$PORT"
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  serve "$PG_URL"
  run ll2d-pg "http://127.0.0.1:$PORT" "$MIX"
fi

echo "== bytes/s against nginx's on the same answers, and PostgreSQL against SQLite"
$PY - "$RESULTS" <<'EOF'
import json, sys
rows = {r["server"]: r["result"] for r in map(json.loads, open(sys.argv[1]))}
ceiling = rows["nginx"]["bytes_per_second"]
print(f"{'server':18} {'req/s':>8} {'MB/s':>8} {'x nginx':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
for name, r in rows.items():
    print(f"{name:18} {r['rps']:8.0f} {r['bytes_per_second'] / 1e6:8.1f} "
          f"{r['bytes_per_second'] / ceiling:8.2f} {r['p50_us'] / 1000:8.1f} {r['p99_us'] / 1000:8.1f} "
          f"{r['non_2xx']:8d}")
if "ll2d-pg" in rows:
    print(f"PostgreSQL / SQLite bytes/s: "
          f"{rows['ll2d-pg']['bytes_per_second'] / rows['ll2d-sqlite']['bytes_per_second']:.2f} "
          f"(mix), {rows['ll2d-pg-miss']['bytes_per_second'] / rows['ll2d-sqlite-miss']['bytes_per_second']:.2f} (misses)")
EOF
