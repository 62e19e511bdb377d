#!/usr/bin/env bash
# Import speed: `ll2d import` of generated docking-event pages into a fresh
# SQLite file, then the same files again into the filled one, with wall and
# CPU time (the import uses two threads: CPU above wall means both worked);
# then the fresh import once more without the change log
# (--changes-retention 0), and what the log costs, as a ratio of the two.
#   bench/import_bench.sh [BUILD_DIR]
#   env: N=10000 (events; above the generated set, copies are made with
#        bench/make_import_set.py), GEN=100000 (events to generate when N is
#        larger: the copies' source), SEED=1, WORK=/tmp/ll2d-import-bench,
#        WORLD=0 (1: import the whole generated world, every route, not only
#        the docking-event pages), PERF=0 (1: sample each import with perf
#        and print each thread's CPU seconds: on a shared machine they say
#        more than the wall time)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build}
LL2D=$(readlink -f "$BUILD/ll2d")
N=${N:-10000}
GEN=${GEN:-100000}
SEED=${SEED:-1}
WORK=${WORK:-/tmp/ll2d-import-bench}
WORLD=${WORLD:-0}
PERF=${PERF:-0}
HZ=199 # perf samples per CPU second
mkdir -p "$WORK"
events=$N
[ "$N" -gt "$GEN" ] && events=$GEN
gen="$WORK/gen$events"
if [ ! -d "$gen" ]; then
  echo "== generating $events events into $gen" >&2
  "$LL2D" generate --events "$events" --seed "$SEED" --out "$gen" --quiet
fi
if [ "$WORLD" = 1 ]; then
  input=("$gen")
elif [ "$N" -gt "$events" ]; then
  set_dir="$WORK/set$N"
  [ -d "$set_dir" ] || python3 "$HERE/make_import_set.py" "$gen" "$N" "$set_dir"
  input=("$set_dir")
else
  input=("$gen"/page_*.json)
fi
bytes=$(du -scb "${input[@]}" | tail -1 | cut -f1)
db="$WORK/import.sqlite3"
rm -f "$db" "$db-wal" "$db-shm"
# Each thread's CPU seconds from the samples: the main thread (the lowest
# id) writes and builds the indexes, the next one reads and validates.
threads() {
  perf report -i "$1" --sort pid --stdio -n 2>/dev/null |
    awk '/^ +[0-9.]+%/ { split($3, t, ":"); print t[1], $2 }' | sort -n |
    awk -v hz="$HZ" '{
      role = NR == 1 ? "writer" : NR == 2 ? "reader" : "helper"
      printf "  %s thread: %.1f s CPU\n", role, $2 / hz
    }'
}
run() {
  local label=$1
  shift
  local sample=()
  [ "$PERF" = 1 ] && sample=(perf record -q -F "$HZ" -o "$WORK/$label.perf" --)
  /usr/bin/time -f "$label: %e s wall, %U s user + %S s system, max RSS %M KB" \
    "${sample[@]}" "$LL2D" import --db "$db" "$@" "${input[@]}" 2>"$WORK/$label.log" >/dev/null ||
    { tail -5 "$WORK/$label.log"; exit 1; }
  local wall
  wall=$(tail -1 "$WORK/$label.log" | sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p')
  echo "$wall" >"$WORK/$label.wall"
  tail -2 "$WORK/$label.log" | head -1
  tail -1 "$WORK/$label.log"
  awk -v n="$N" -v w="$wall" -v b="$bytes" 'BEGIN { printf "  %.0f events/s, %.0f MB/s of JSON\n", n / w, b / w / 1e6 }'
  if [ "$PERF" = 1 ]; then threads "$WORK/$label.perf"; fi
}
echo "== $N events, $((bytes / 1000000)) MB of JSON; load average $(cut -d' ' -f1-3 /proc/loadavg)"
run fresh
run again
rm -f "$db" "$db-wal" "$db-shm"
run fresh-unlogged --changes-retention 0
awk -v a="$(cat "$WORK/fresh.wall")" -v b="$(cat "$WORK/fresh-unlogged.wall")" \
  'BEGIN { printf "== the change log adds %.1f%% to a fresh import (%.2f s logged, %.2f s not)\n", (a / b - 1) * 100, a, b }'
echo "== load average $(cut -d' ' -f1-3 /proc/loadavg); database $(du -h "$db" | cut -f1)"
