#!/usr/bin/env bash
# The benchmark, one command: builds Release, generates and imports each size
# of docking events, serves it on loopback and drives it with wrk; also the
# transport's ceiling (the same binary answering pre-rendered bytes of the
# same size), nginx serving the same bytes as a static file, and the DRF peer
# (../shared/peer) on the smallest size. Writes bench/results/latest.md and
# latest.json. Loopback only; every step is time-bounded.
#   bench/run.sh
#   env: SIZES="10000 1000000" DURATION=10s CONNS=16 THREADS=2 WORK=/tmp/ll2d-bench
#        PEER=1 (0: skip the peer) BUILD=build-bench
#        ROUNDS=3: turns of ll2d / ceiling / nginx on the same bytes (medians reported)
#        REUSE_DB=1: keep a database an earlier run imported (no import figures)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"10000 1000000"}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
WORK=${WORK:-/tmp/ll2d-bench}
PEER=${PEER:-1}
REUSE_DB=${REUSE_DB:-0}
ROUNDS=${ROUNDS:-3}
CEILING_PIDS=()
PEER_SRC=${PEER_SRC:-$ROOT/../shared/peer}
BUILD=${BUILD:-$ROOT/build-bench}
PY=/usr/bin/python3
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

# What a fresh Debian 12 machine lacks for this.
missing=()
for tool in wrk:wrk nginx:nginx curl:curl cmake:cmake ninja:ninja-build; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y "${missing[@]}" >/dev/null
fi

echo "== building Release in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLL2D_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
LL2D=$BUILD/ll2d

fact() {  # fact SIZE NAME VALUE
  printf '{"size":%s,"fact":"%s","value":%s}\n' "$1" "$2" "$3" >>"$RESULTS"
}

# measure SIZE SERVER NAME BASE PATH [wrk args...]: one wrk run, one JSON line.
measure() {
  local size=$1 server=$2 name=$3 base=$4 path=$5
  shift 5
  local out
  out=$(timeout 300 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s \
    -s "$ROOT/bench/wrk.lua" "$base$path" "$@" | tail -1)
  printf '{"size":%s,"server":"%s","name":"%s","path":"%s","conns":%s,"round":%s,"result":%s}\n' \
    "$size" "$server" "$name" "$path" "$CONNS" "${ROUND:-0}" "$out" >>"$RESULTS"
  printf '  %-28s %s\n' "$name" "$out"
}

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
    timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

# start_ll2d LOG ARGS...: serve on a free port; sets PORT and SERVE_PID.
start_ll2d() {
  local log=$1
  shift
  "$LL2D" serve --port 0 --no-access-log --threads "$THREADS" "$@" >"$log" 2>&1 &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  for _ in $(seq 1 300); do grep -q 'serving' "$log" && break; sleep 0.05; done
  PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$log")
}
stop_pid() {
  kill "$1" 2>/dev/null || true
  timeout 15 tail --pid="$1" -f /dev/null || kill -9 "$1" 2>/dev/null || true
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

for N in $SIZES; do
  echo "== $N events"
  GEN=$WORK/gen-$N
  DB=$WORK/db-$N.sqlite3
  if [ ! -f "$GEN/.complete" ]; then
    rm -rf "$GEN"
    /usr/bin/time -f '%e %M' -o "$WORK/gen.time" timeout 3600 \
      "$LL2D" generate --events "$N" --seed 1 --out "$GEN" --only docking_events --quiet >/dev/null
    touch "$GEN/.complete"
    read -r secs kib <"$WORK/gen.time"
    fact "$N" generate_seconds "$secs"
    fact "$N" generate_max_rss_mib "$((kib / 1024))"
  fi
  if [ "$REUSE_DB" = 1 ] && [ -s "$DB" ]; then
    echo "  reusing $DB"
  else
    # Into a new file; a set that imports in seconds is imported three times
    # (each into a new file) and the median kept, as one run of half a
    # second is at the mercy of whatever else the machine does.
    times=1
    [ "$N" -le 100000 ] && times=3
    runs=()
    for _ in $(seq 1 "$times"); do
      rm -f "$DB" "$DB-wal" "$DB-shm"
      /usr/bin/time -f '%e %M' -o "$WORK/import.time" timeout 3600 \
        "$LL2D" import --db "$DB" "$GEN" 2>"$WORK/import.log"
      runs+=("$(cat "$WORK/import.time")")
    done
    read -r secs kib < <(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((times + 1) / 2))p")
    fact "$N" import_seconds "$secs"
    fact "$N" import_runs "$times"
    fact "$N" import_events_per_second "$($PY -c "print(round($N / $secs))")"
    fact "$N" import_max_rss_mib "$((kib / 1024))"
    echo "  imported in ${secs}s (median of $times)"
  fi
  fact "$N" database_mib "$(du -cm "$DB"* | tail -1 | cut -f1)"

  t0=$(date +%s%N)
  start_ll2d "$WORK/serve-$N.log" --db "$DB"
  BASE="http://127.0.0.1:$PORT/2.3.0/docking_events/"
  MID=$((N / 2 + 1))
  until curl -sf -o /dev/null "$BASE$MID/"; do sleep 0.01; done
  fact "$N" first_answer_ms "$((($(date +%s%N) - t0) / 1000000))"
  # The list indexes are built in the background: wait for them (bounded).
  for _ in $(seq 1 1200); do grep -q 'list indexes built' "$WORK/serve-$N.log" && break; sleep 0.1; done
  fact "$N" indexes_ready_ms "$((($(date +%s%N) - t0) / 1000000))"
  # A station with events, for the filter, from the middle event's target
  # and the year before its docking (so the filter keeps some events).
  read -r STATION SINCE < <(curl -s "$BASE$MID/?format=json" | $PY -c '
import json, sys
d = json.load(sys.stdin)
s = d.get("space_station_target") or d.get("space_station_chaser") or {"id": 1}
year = int((d.get("docking") or "2001")[:4]) - 1
print(s["id"], f"{year}-01-01")')
  declare -A URLS=(
    [detail]="$MID/"
    [list]="?format=json"
    [detailed_100]="?format=json&mode=detailed&limit=100"
    [search_one_term]="?format=json&search=Salyut"
    [search_two_terms]="?format=json&search=soyuz%20mir"
    [search_nearly_all]="?format=json&search=a"
    [search_nothing]="?format=json&search=qqqzz"
    [filter_ordering]="?format=json&space_station_target__id=$STATION&docking__gte=$SINCE&ordering=-docking"
    [deep_offset]="?format=json&offset=$((N - 10))"
    [api_detail]="$MID/?format=api"
    [api_list]="?format=api"
    [api_search]="?format=api&search=Salyut"
  )
  ORDER=(detail list detailed_100 search_one_term search_two_terms search_nearly_all search_nothing
         filter_ordering deep_offset api_detail api_list api_search)
  for name in "${ORDER[@]}"; do curl -s -o /dev/null "$BASE${URLS[$name]}"; done  # warm-up
  fact "$N" serve_rss_warm_mib "$(($(rss_kib "$SERVE_PID") / 1024))"
  for name in "${ORDER[@]}"; do measure "$N" ll2d "$name" "$BASE" "${URLS[$name]}"; done
  measure "$N" ll2d detail_spread "$BASE" "1/" -- spread /2.3.0/docking_events/ "$N" /
  # A search for a term not asked before, every request (a number: it misses
  # the response cache and the list index's cache of searches).
  measure "$N" ll2d search_new_term "$BASE" "?format=json&search=1" -- \
    spread "/2.3.0/docking_events/?format=json&search=" 100000000
  fact "$N" serve_rss_after_mib "$(($(rss_kib "$SERVE_PID") / 1024))"
  # The same run again: memory must not grow between two identical runs.
  for name in detail list search_one_term; do measure "$N" ll2d "${name}_again" "$BASE" "${URLS[$name]}"; done
  fact "$N" serve_rss_after_second_run_mib "$(($(rss_kib "$SERVE_PID") / 1024))"

  # The ratios: ll2d, the transport's ceiling (the same binary answering the
  # same bytes pre-rendered) and nginx (the same bytes as static files), all
  # running at once and measured in turn, ROUNDS times: the report compares
  # them within each round and takes the median ratio, so a slower stretch of
  # a shared machine hits all three alike.
  mkdir -p "$WORK/www"
  curl -s -o "$WORK/www/detail.json" "$BASE$MID/"
  curl -s -o "$WORK/www/detailed_100.json" "$BASE${URLS[detailed_100]}"
  LL2D_PID=$SERVE_PID
  declare -A CEILING_PORT
  for body in detail detailed_100; do
    start_ll2d "$WORK/ceiling-$body.log" --db "$DB" --fixed-response "$WORK/www/$body.json"
    CEILING_PORT[$body]=$PORT
    CEILING_PIDS+=("$SERVE_PID")
  done
  start_nginx "$WORK/www"
  for round in $(seq 1 "$ROUNDS"); do
    echo "  -- ratios, round $round of $ROUNDS"
    for body in detail detailed_100; do
      ROUND=$round measure "$N" ll2d "$body" "$BASE" "${URLS[$body]}"
      ROUND=$round measure "$N" ceiling "$body" "http://127.0.0.1:${CEILING_PORT[$body]}" "/$body"
      ROUND=$round measure "$N" nginx "$body" "http://127.0.0.1:$NGINX_PORT" "/$body.json"
    done
  done
  for p in "$LL2D_PID" "$NGINX_PID" "${CEILING_PIDS[@]}"; do stop_pid "$p"; done
  CEILING_PIDS=()
  unset URLS CEILING_PORT
done

# The DRF peer on the smallest size (2 gunicorn workers, as LL2 runs DRF).
SMALL=${SIZES%% *}
if [ "$PEER" = 1 ] && [ -f "$PEER_SRC/manage.py" ] &&
  $PY -c 'import django, rest_framework, django_filters, gunicorn' 2>/dev/null; then
  echo "== DRF peer, $SMALL events"
  export PEER_DB=$WORK/peer-$SMALL.sqlite3
  if [ ! -s "$PEER_DB" ]; then
    (cd "$PEER_SRC" && timeout 300 $PY manage.py migrate -v0 &&
      timeout 3600 $PY manage.py import_ll2 --quiet "$WORK/gen-$SMALL"/page_*.json)
  fi
  PPORT=$(free_port)
  (cd "$PEER_SRC" && exec $PY -m gunicorn --workers 2 --bind "127.0.0.1:$PPORT" \
    --log-level warning peer.wsgi) >"$WORK/gunicorn.log" 2>&1 &
  PEER_PID=$!
  PIDS+=("$PEER_PID")
  PBASE="http://127.0.0.1:$PPORT/2.3.0/docking_events/"
  for _ in $(seq 1 120); do curl -sf -o /dev/null "$PBASE?limit=1" && break; sleep 0.5; done
  MID=$((SMALL / 2 + 1))
  CONNS_SAVED=$CONNS
  CONNS=2  # two sync workers: more connections only queue
  measure "$SMALL" peer detail "$PBASE" "$MID/"
  measure "$SMALL" peer list "$PBASE" "?format=json"
  measure "$SMALL" peer detailed_100 "$PBASE" "?format=json&mode=detailed&limit=100"
  measure "$SMALL" peer search_one_term "$PBASE" "?format=json&search=Salyut"
  CONNS=$CONNS_SAVED
  stop_pid "$PEER_PID"
fi

$PY "$ROOT/bench/report.py" "$RESULTS" "$ROOT/bench/results"
echo "== wrote bench/results/latest.md and latest.json"
