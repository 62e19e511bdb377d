#!/usr/bin/env bash
# Soak test over loopback: `ll2d serve` under a mixed load (details, lists,
# searches, filters, other endpoints) for --minutes, while `ll2d import`
# re-imports a slice of the data at the start of every minute. Prints one
# Markdown row per minute: requests, errors (non-2xx/3xx and socket errors),
# p50/p99 latency, the server's RSS, and the import's exit status and time.
# Ends with `ll2d check` of the database. Needs wrk (apt-get install wrk).
#
#   scripts/soak.sh [--minutes N] [--build DIR] [--events N] [--threads N]
#                   [--connections N] [--work DIR]
#
# Defaults: 10 minutes, build/ (a Release build), 10,000 events, 2 server
# threads, wrk with 2 threads and 8 connections, work files in /tmp/ll2d-soak.
set -euo pipefail

MINUTES=10
BUILD=build
EVENTS=10000
THREADS=2
CONNS=8
WORK=/tmp/ll2d-soak
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --events) EVENTS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$MINUTES" in ''|*[!0-9]*) echo "soak.sh: --minutes takes a whole number" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { echo "soak.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
LL2D=$(readlink -f "$BUILD/ll2d")
[ -x "$LL2D" ] || { echo "soak.sh: no $BUILD/ll2d; build first" >&2; exit 2; }

mkdir -p "$WORK"
PAGES="$WORK/gen-$EVENTS"
DB="$WORK/soak-$EVENTS.sqlite3"
if [ ! -d "$PAGES" ]; then
  timeout 1200 "$LL2D" generate --events "$EVENTS" --seed 1 --only docking_events --out "$PAGES" \
    >/dev/null 2>&1
fi
rm -f "$DB" "$DB-wal" "$DB-shm"
timeout 1200 "$LL2D" import --db "$DB" "$PAGES" 2>&1 | tail -1 >&2
mapfile -t PAGE_FILES < <(ls "$PAGES"/page_*.json)
SLICE=5  # pages (of 100 events) re-imported each minute

"$LL2D" serve --db "$DB" --port 0 --threads "$THREADS" --no-access-log \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
PID=$!
stop_server() {
  if kill -0 "$PID" 2>/dev/null; then
    kill "$PID"
    timeout 20 tail --pid="$PID" -f /dev/null || kill -9 "$PID"
  fi
}
trap stop_server EXIT
for _ in $(seq 1 300); do grep -q serving "$WORK/serve.out" && break; sleep 0.1; done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/serve.out")
[ -n "$PORT" ] || { echo "soak.sh: ll2d did not start" >&2; cat "$WORK/serve.err" >&2; exit 1; }

# The mix: every request picks one of these kinds at random, with random ids,
# offsets, terms and dates, so caches see a spread of keys.
cat >"$WORK/mix.lua" <<EOF
local events = $EVENTS
-- percent-encoded as a client sends them: "Жаворонок", "a b"
local terms = {"soyuz", "progress", "dragon", "Salyut", "ISS", "Tiangong", "cargo", "crew",
               "Chang", "%D0%96%D0%B0%D0%B2%D0%BE%D1%80%D0%BE%D0%BD%D0%BE%D0%BA", "a+b", "xyz"}
local orderings = {"docking", "-docking", "departure", "-departure", "-docking,departure"}
local paths = {}
local function pick(t) return t[math.random(#t)] end
local function year() return string.format("%04d-%02d-01", math.random(1995, 2030), math.random(1, 12)) end
local kinds = {
  function() return "/2.3.0/docking_events/" .. math.random(events) .. "/" end,
  function() return "/2.3.0/docking_events/" .. math.random(events) .. "/?mode=normal" end,
  function() return "/2.3.0/docking_events/?limit=10&offset=" .. math.random(0, events - 10) end,
  function() return "/2.3.0/docking_events/?mode=detailed&limit=100&offset=" .. math.random(0, events - 100) end,
  function() return "/2.3.0/docking_events/?search=" .. pick(terms) end,
  function() return "/2.3.0/docking_events/?docking__gte=" .. year() .. "&ordering=" .. pick(orderings) end,
  function() return "/2.3.0/docking_events/?space_station_target__id=" .. math.random(20) .. "&limit=20" end,
  function() return "/2.3.0/space_stations/?limit=20" end,
  function() return "/2.3.0/agencies/?search=" .. pick(terms) end,
  function() return "/2.3.0/docking_events/?format=api&limit=5&offset=" .. math.random(0, events - 5) end,
}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + id)
  for i = 1, 4000 do paths[i] = kinds[math.random(#kinds)]() end
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
EOF

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status" 2>/dev/null || echo "?"; }

echo "soak: ll2d pid $PID on port $PORT, $EVENTS events, $THREADS server threads," \
  "wrk -t2 -c$CONNS, $MINUTES minute(s), $SLICE pages re-imported each minute" >&2
printf '| minute | requests | req/s | errors | p50 | p99 | RSS MiB (start → end) | import |\n'
printf '|---|---|---|---|---|---|---|---|\n'
TOTAL_ERRORS=0
FAILED_IMPORTS=0
for m in $(seq 1 "$MINUTES"); do
  rss_start=$(rss_mib)
  first=$(( ((m - 1) * SLICE) % ${#PAGE_FILES[@]} ))
  slice=("${PAGE_FILES[@]:first:SLICE}")
  ( start=$(date +%s.%N)
    if timeout 120 "$LL2D" import --db "$DB" "${slice[@]}" >/dev/null 2>"$WORK/import-$m.err"; then
      code=0
    else
      code=$?
    fi
    echo "$code $(awk "BEGIN {print $(date +%s.%N) - $start}")" >"$WORK/import-$m.status" ) &
  IMPORT=$!
  out=$(timeout 90 wrk -t2 -c"$CONNS" -d60s --timeout 10s --latency -s "$WORK/mix.lua" \
    "http://127.0.0.1:$PORT" 2>&1) || true
  wait "$IMPORT" || true
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx or 3xx/ {print $NF}')
  sockerr=$(echo "$out" | awk '/Socket errors/ {s = 0; for (i = 1; i <= NF; i++) s += $i; print s}')
  errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
  TOTAL_ERRORS=$(( TOTAL_ERRORS + errors ))
  read -r icode isecs <"$WORK/import-$m.status"
  [ "$icode" = 0 ] || FAILED_IMPORTS=$((FAILED_IMPORTS + 1))
  import_text=$( [ "$icode" = 0 ] && printf 'ok, %.1f s' "$isecs" || printf 'FAILED (exit %s)' "$icode")
  printf '| %d | %s | %s | %d | %s | %s | %s → %s | %s |\n' "$m" "${requests:-0}" "${rps:-0}" \
    "$errors" "${p50:-?}" "${p99:-?}" "$rss_start" "$(rss_mib)" "$import_text"
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "soak: ll2d exited during minute $m" >&2
    cat "$WORK/serve.err" >&2
    exit 1
  fi
done
kill "$PID"
wait "$PID" && code=0 || code=$?
echo "soak: $TOTAL_ERRORS errors, $FAILED_IMPORTS failed imports, ll2d exit status $code;" \
  "server log lines other than shutdown: $(grep -vc 'shutting down' "$WORK/serve.err" || true)" >&2
"$LL2D" check --db "$DB" --quick | tail -1 >&2
[ "$TOTAL_ERRORS" = 0 ] && [ "$FAILED_IMPORTS" = 0 ]
