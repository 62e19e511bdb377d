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
#                   [--sync-from [--anon-rate N/PERIOD] [--neighbour N]
#                    [--rewalk-every T]]
#
# Defaults: 10 minutes, build/ (a Release build), 10,000 events, 2 server
# threads, wrk with 2 threads and 8 connections, work files in /tmp/ll2d-soak.
#
# --sync-from: the load goes to a mirror, `ll2d serve --sync-from` an
# upstream `ll2d serve --anon-rate 60/m` (docking events and space stations,
# re-walked every 2m) whose data changes every minute: the slice is imported
# into the upstream, 5 new events are created and those of two minutes before
# deleted, and a neighbour on the same address spends 20 of the upstream's
# calls, so the mirror meets 429s and waits for its budget. Each row adds the
# mirror's sync (pages read, 429s, budget waits, walks finished). At the end
# the mirror must hold exactly the upstream's ids after one more walk, both
# servers must be alive, the mirror's RSS bounded and its database pass
# `ll2d check`. Needs curl, sqlite3 and python3 besides wrk.
set -euo pipefail

MINUTES=10
BUILD=build
EVENTS=10000
THREADS=2
CONNS=8
WORK=/tmp/ll2d-soak
SYNC=0
ANON_RATE=60/m
NEIGHBOUR=20
REWALK=2m
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --events) EVENTS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --sync-from) SYNC=1; shift ;;
    --anon-rate) ANON_RATE=$2; shift 2 ;;
    --neighbour) NEIGHBOUR=$2; shift 2 ;;
    --rewalk-every) REWALK=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for n in "$MINUTES" "$EVENTS" "$NEIGHBOUR"; do
  case "$n" in ''|*[!0-9]*) echo "soak.sh: --minutes, --events and --neighbour take whole numbers" >&2; exit 2 ;; esac
done
NEEDS=(wrk)
[ "$SYNC" = 0 ] || NEEDS+=(curl sqlite3 python3)
for tool in "${NEEDS[@]}"; do
  command -v "$tool" >/dev/null || { echo "soak.sh: needs $tool (apt-get install $tool)" >&2; exit 2; }
done
LL2D=$(readlink -f "$BUILD/ll2d")
[ -x "$LL2D" ] || { echo "soak.sh: no $BUILD/ll2d; build first" >&2; exit 2; }

mkdir -p "$WORK"
PAGES="$WORK/gen-$EVENTS"
DB="$WORK/soak-$EVENTS.sqlite3"  # what the per-minute import writes: the upstream's with --sync-from
MIRROR_DB="$WORK/mirror-$EVENTS.sqlite3"
if [ ! -d "$PAGES" ]; then
  timeout 1200 "$LL2D" generate --events "$EVENTS" --seed 1 --only docking_events --out "$PAGES.tmp" \
    >/dev/null 2>&1
  mv "$PAGES.tmp" "$PAGES"
fi
rm -f "$DB" "$DB-wal" "$DB-shm" "$MIRROR_DB" "$MIRROR_DB-wal" "$MIRROR_DB-shm" "$WORK"/*.err
timeout 1200 "$LL2D" import --db "$DB" "$PAGES" 2>&1 | tail -1 >&2
mapfile -t PAGE_FILES < <(ls "$PAGES"/page_*.json)
SLICE=5    # pages (of 100 events) re-imported each minute
CREATED=5  # events created upstream each minute (--sync-from), deleted two minutes later

SERVERS=()
stop_servers() {
  for pid in "${SERVERS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      timeout 20 tail --pid="$pid" -f /dev/null || kill -9 "$pid"
    fi
  done
}
trap stop_servers EXIT
# start_server NAME ARGS...: `ll2d serve ARGS` on an ephemeral port, its
# output in $WORK/NAME.out and .err; sets SERVER_PID and SERVER_PORT.
start_server() {
  local name=$1
  shift
  "$LL2D" serve --port 0 --no-access-log "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SERVER_PID=$!
  SERVERS+=("$SERVER_PID")
  for _ in $(seq 1 300); do grep -qs serving "$WORK/$name.out" && break; sleep 0.1; done
  SERVER_PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/$name.out")
  [ -n "$SERVER_PORT" ] || { echo "soak.sh: ll2d ($name) did not start" >&2; cat "$WORK/$name.err" >&2; exit 1; }
}

if [ "$SYNC" = 1 ]; then
  start_server upstream --db "$DB" --threads 1 --anon-rate "$ANON_RATE"
  UPSTREAM_PID=$SERVER_PID
  UPSTREAM="http://127.0.0.1:$SERVER_PORT"
  # A budget above the upstream's: the mirror learns the real one from
  # /2.3.0/api-throttle/ and from 429s.
  start_server serve --db "$MIRROR_DB" --threads "$THREADS" --sync-from "$UPSTREAM" \
    --sync-calls 6000/min --sync-resources docking_events,space_stations \
    --sync-refresh-every 1m --sync-rewalk-every "$REWALK" --sync-timeout 30
else
  start_server serve --db "$DB" --threads "$THREADS"
fi
PID=$SERVER_PID
PORT=$SERVER_PORT

# wait_for_log PATTERN SECONDS [FROM_LINE]: until serve.err (after FROM_LINE)
# has a line matching PATTERN.
wait_for_log() {
  local deadline=$((SECONDS + $2))
  while ! awk -v from="${3:-0}" -v pat="$1" 'NR > from && $0 ~ pat {found = 1; exit}
                                             END {exit !found}' "$WORK/serve.err"; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$PID" 2>/dev/null; then return 1; fi
    sleep 1
  done
}
LOAD_SECONDS=$((600 + EVENTS * 6 / 100))
if [ "$SYNC" = 1 ]; then
  echo "soak: mirror loading from $UPSTREAM (anonymous rate $ANON_RATE)" >&2
  for route in space_stations docking_events; do
    wait_for_log "$route walk: .*, done" "$LOAD_SECONDS" || {
      echo "soak: the mirror did not load $route" >&2; cat "$WORK/serve.err" >&2; exit 1; }
  done
fi

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

# Copies of a page's first N events under new ids (the soak's own, above
# every id the mix asks for): PAGE N FIRST_ID OUT.
cat >"$WORK/copy_events.py" <<'EOF'
import copy, json, sys
page, n, first, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
results = []
for i, event in enumerate(json.load(open(page))["results"][:n]):
    event = copy.deepcopy(event)
    event["url"] = event["url"].replace(f"/docking_events/{event['id']}/", f"/docking_events/{first + i}/")
    event["id"] = first + i
    results.append(event)
json.dump({"count": len(results), "next": None, "previous": None, "results": results}, open(out, "w"))
EOF

# What changes each minute: the slice re-imported (both modes); with
# --sync-from also events created and those of two minutes before deleted
# (through SQLite, as ll2d's store deletes: the row, the links to it, and a
# new generation for the upstream's caches). Writes "EXIT SECONDS TEXT".
change_data() {
  local m=$1 start code=0 text=""
  start=$(date +%s.%N)
  local first=$(( ((m - 1) * SLICE) % ${#PAGE_FILES[@]} ))
  local slice=("${PAGE_FILES[@]:first:SLICE}")
  timeout 120 "$LL2D" import --db "$DB" "${slice[@]}" >/dev/null 2>"$WORK/import-$m.err" || code=$?
  if [ "$SYNC" = 1 ] && [ "$code" = 0 ]; then
    local new=$((EVENTS + (m - 1) * CREATED + 1)) gone=$((EVENTS + (m - 3) * CREATED + 1))
    python3 "$WORK/copy_events.py" "${slice[0]}" "$CREATED" "$new" "$WORK/created-$m.json" &&
      timeout 120 "$LL2D" import --db "$DB" "$WORK/created-$m.json" >/dev/null 2>>"$WORK/import-$m.err" ||
      code=$?
    text=", +$CREATED"
    if [ "$code" = 0 ] && [ "$m" -ge 3 ]; then
      local ids
      ids=$(seq -s, "$gone" $((gone + CREATED - 1)))
      sqlite3 -cmd '.timeout 30000' "$DB" "BEGIN IMMEDIATE;
        DELETE FROM docking_event WHERE id IN ($ids);
        DELETE FROM space_station__active_docking_events WHERE target_id IN ($ids);
        UPDATE ll2d_state SET generation = generation + 1;
        UPDATE ll2d_kind_state SET generation = (SELECT generation FROM ll2d_state);
        COMMIT;" 2>>"$WORK/import-$m.err" || code=$?
      text="$text −$CREATED"
    fi
  fi
  echo "$code $(awk "BEGIN {print $(date +%s.%N) - $start}") $text" >"$WORK/import-$m.status"
}

# Another client behind the mirror's address spending the upstream's budget:
# writes how many of its calls were answered and how many were 429.
neighbour() {
  local m=$1 ok=0 throttled=0 code
  for _ in $(seq 1 "$NEIGHBOUR"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$UPSTREAM/2.3.0/agencies/?limit=1") || true
    case "$code" in 200) ok=$((ok + 1)) ;; 429) throttled=$((throttled + 1)) ;; esac
  done
  echo "$ok/$throttled" >"$WORK/neighbour-$m.status"
}

# The mirror's sync log after line $1 (up to line $2): pages read, 429s,
# budget waits, walks of docking_events finished, objects deleted.
sync_counts() {
  awk -v from="$1" -v to="${2:-0}" 'NR <= from || (to > 0 && NR > to) {next}
    / walk: page / {pages++}
    /throttled \(429/ {t429++}
    /calls used of .*; next call/ {waits++}
    /docking_events walk: .*, done/ {walks++}
    /: deleted [0-9]+ objects no longer upstream/ {deleted += $(NF - 4)}
    END {printf "%d | %d | %d | %d | %d", pages, t429, waits, walks, deleted}' "$WORK/serve.err"
}

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status" 2>/dev/null || echo "?"; }

echo "soak: ll2d pid $PID on port $PORT, $EVENTS events, $THREADS server threads," \
  "wrk -t2 -c$CONNS, $MINUTES minute(s), $SLICE pages re-imported each minute" >&2
if [ "$SYNC" = 1 ]; then
  printf '| minute | requests | req/s | errors | p50 | p99 | mirror RSS MiB (start → end) | upstream change | neighbour 200/429 | sync pages | 429s | budget waits | walks done | deleted |\n'
  printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
else
  printf '| minute | requests | req/s | errors | p50 | p99 | RSS MiB (start → end) | import |\n'
  printf '|---|---|---|---|---|---|---|---|\n'
fi
TOTAL_ERRORS=0
FAILED_IMPORTS=0
TOTAL_REQUESTS=0
RSS_FIRST=""
RSS_HALF=""
SYNC_FROM_LINE=$(wc -l <"$WORK/serve.err")
SYNC_START_LINE=$SYNC_FROM_LINE
for m in $(seq 1 "$MINUTES"); do
  rss_start=$(rss_mib)
  change_data "$m" &
  CHANGE=$!
  NEIGHBOUR_JOB=""
  if [ "$SYNC" = 1 ]; then neighbour "$m" & NEIGHBOUR_JOB=$!; fi
  out=$(timeout 90 wrk -t2 -c"$CONNS" -d60s --timeout 10s --latency -s "$WORK/mix.lua" \
    "http://127.0.0.1:$PORT" 2>&1) || true
  wait "$CHANGE" || true
  [ -z "$NEIGHBOUR_JOB" ] || wait "$NEIGHBOUR_JOB" || true
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx or 3xx/ {print $NF}')
  sockerr=$(echo "$out" | awk '/Socket errors/ {s = 0; for (i = 1; i <= NF; i++) s += $i; print s}')
  errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
  TOTAL_ERRORS=$(( TOTAL_ERRORS + errors ))
  TOTAL_REQUESTS=$(( TOTAL_REQUESTS + ${requests:-0} ))
  read -r icode isecs itext <"$WORK/import-$m.status"
  [ "$icode" = 0 ] || FAILED_IMPORTS=$((FAILED_IMPORTS + 1))
  import_text=$( [ "$icode" = 0 ] && printf 'ok, %.1f s%s' "$isecs" "$itext" || printf 'FAILED (exit %s)' "$icode")
  rss_end=$(rss_mib)
  [ -n "$RSS_FIRST" ] || RSS_FIRST=$rss_end
  [ "$m" != $(((MINUTES + 1) / 2)) ] || RSS_HALF=$rss_end
  row=$(printf '| %d | %s | %s | %d | %s | %s | %s → %s | %s |' "$m" "${requests:-0}" "${rps:-0}" \
    "$errors" "${p50:-?}" "${p99:-?}" "$rss_start" "$rss_end" "$import_text")
  if [ "$SYNC" = 1 ]; then
    now_line=$(wc -l <"$WORK/serve.err")
    row="$row $(cat "$WORK/neighbour-$m.status") | $(sync_counts "$SYNC_FROM_LINE" "$now_line") |"
    SYNC_FROM_LINE=$now_line
  fi
  echo "$row"
  for p in "${SERVERS[@]}"; do
    if ! kill -0 "$p" 2>/dev/null; then
      echo "soak: ll2d (pid $p) exited during minute $m" >&2
      cat "$WORK"/*.err >&2
      exit 1
    fi
  done
done
RSS_LAST=$(rss_mib)

FAILURES=()
# compare_ids: the ids of each synced endpoint's kind in the two databases.
compare_ids() {
  local same=0 route table up mirror
  for pair in docking_events:docking_event space_stations:space_station; do
    route=${pair%%:*} table=${pair#*:}
    up="$WORK/ids-upstream-$route" mirror="$WORK/ids-mirror-$route"
    sqlite3 -readonly -cmd '.timeout 30000' "$DB" "SELECT id FROM $table" | sort >"$up"
    sqlite3 -readonly -cmd '.timeout 30000' "$MIRROR_DB" "SELECT id FROM $table" | sort >"$mirror"
    IDS_TEXT="${IDS_TEXT:+$IDS_TEXT; }$route: $(wc -l <"$up") upstream, $(wc -l <"$mirror") mirror,"
    IDS_TEXT="$IDS_TEXT $(comm -23 "$up" "$mirror" | wc -l) only upstream, $(comm -13 "$up" "$mirror" | wc -l) only in the mirror"
    cmp -s "$up" "$mirror" || same=1
  done
  return "$same"
}
if [ "$SYNC" = 1 ]; then
  # The upstream no longer changes: one whole walk started after now must
  # bring the mirror level (its deletion sweep included).
  mark=$(wc -l <"$WORK/serve.err")
  echo "soak: waiting for a walk of docking_events started after the last change" >&2
  converged=0
  if wait_for_log "docking_events walk: page 1 of" "$LOAD_SECONDS" "$mark"; then
    walk_line=$(awk -v from="$mark" 'NR > from && /docking_events walk: page 1 of/ {print NR; exit}' "$WORK/serve.err")
    if wait_for_log "docking_events walk: .*, done" "$LOAD_SECONDS" "$walk_line"; then
      # then its sweep: unseen ids are confirmed one call each
      for _ in $(seq 1 60); do
        IDS_TEXT=""
        if compare_ids; then converged=1; break; fi
        sleep 5
      done
    fi
  fi
  IDS_TEXT=""
  compare_ids || true
  echo "soak: after the last walk: $IDS_TEXT" >&2
  [ "$converged" = 1 ] || FAILURES+=("the mirror did not come level with the upstream")
  mirror_count=$(curl -s --max-time 30 "http://127.0.0.1:$PORT/2.3.0/docking_events/?limit=1&format=json" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])' || echo "?")
  [ "$mirror_count" = "$(wc -l <"$WORK/ids-upstream-docking_events")" ] ||
    FAILURES+=("the mirror serves a count of $mirror_count docking events")
  totals=$(sync_counts "$SYNC_START_LINE")
  echo "soak: the mirror's sync over the run (pages | 429s | budget waits | walks done | deleted): $totals" >&2
  kill -0 "$UPSTREAM_PID" 2>/dev/null || FAILURES+=("the upstream exited")
fi
kill -0 "$PID" 2>/dev/null || FAILURES+=("ll2d serve exited")
kill "$PID" 2>/dev/null || true
wait "$PID" && code=0 || code=$?
[ "$code" = 0 ] || FAILURES+=("ll2d serve exited with status $code")
[ "$TOTAL_ERRORS" = 0 ] || FAILURES+=("$TOTAL_ERRORS errors")
[ "$FAILED_IMPORTS" = 0 ] || FAILURES+=("$FAILED_IMPORTS failed imports")
# The caches (bounded) fill over the first minutes, more slowly as they near
# their bounds: from half-time to the end the RSS may grow by 15 % + 32 MiB.
if [ "$RSS_HALF" != "?" ] && [ "$RSS_LAST" != "?" ] &&
  [ "$RSS_LAST" -gt $((RSS_HALF * 115 / 100 + 32)) ]; then
  FAILURES+=("RSS grew from $RSS_HALF MiB at half-time to $RSS_LAST MiB")
fi
CHECK_DB=$DB
CHECK_ARGS=(--quick)
if [ "$SYNC" = 1 ]; then CHECK_DB=$MIRROR_DB CHECK_ARGS=(); fi
if ! "$LL2D" check --db "$CHECK_DB" "${CHECK_ARGS[@]}" >"$WORK/check.out" 2>&1; then
  FAILURES+=("ll2d check failed on $CHECK_DB")
fi
tail -1 "$WORK/check.out" >&2
echo "soak: $TOTAL_REQUESTS requests, $TOTAL_ERRORS errors, $FAILED_IMPORTS failed imports," \
  "RSS $RSS_FIRST → $RSS_HALF → $RSS_LAST MiB (end of minute 1, half-time, end), ll2d exit status $code;" \
  "server log lines other than shutdown and sync: $(grep -v 'shutting down\|ll2d sync: ' "$WORK/serve.err" | grep -vc 'list indexes built' || true)" >&2
if [ ${#FAILURES[@]} -gt 0 ]; then
  printf 'soak: FAILED: %s\n' "${FAILURES[@]}" >&2
  exit 1
fi
echo "soak: passed" >&2
