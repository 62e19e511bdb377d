# Sourced by the compatibility scripts (after LL2D is set): a
# generated world in a scratch directory, served by ll2d on a free port.
#   world_in NAME EVENTS   generates EVENTS (seed 7) into $WORK, imports it
#                          into $DB (backend_db NAME); cleaned up on exit
#   serve_db DB ARGS...    (re)starts `ll2d serve --db DB ARGS...`: $PID, $PORT
. "$(dirname "${BASH_SOURCE[0]}")/backend_db.sh"
PID=
stop_server() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  PID=
}
world_in() {
  WORK=$(mktemp -d "/tmp/ll2d-$1.XXXXXX")
  trap 'stop_server; rm -rf "$WORK"' EXIT
  "$LL2D" generate --events "$2" --seed 7 --out "$WORK/gen" --quiet >/dev/null
  DB=$(backend_db "ll2d_$1" "$WORK/db.sqlite3")
  "$LL2D" import --db "$DB" "$WORK/gen" 2>/dev/null
}
serve_db() {
  stop_server
  local db=$1
  shift
  "$LL2D" serve --db "$db" --host 127.0.0.1 --port 0 --no-access-log "$@" >"$WORK/out" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do grep -q serving "$WORK/out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/out" | head -1)
  if [ -z "$PORT" ]; then echo "ll2d did not start:"; cat "$WORK/out"; exit 1; fi
}
