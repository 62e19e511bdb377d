#!/usr/bin/env bash
# A real LL2 client against ll2d: pylaunches (the library Home Assistant's
# launch_library integration is built on, ../shared/clients) makes Home
# Assistant's two calls and its other calls against a generated world served
# by ll2d; all must pass (../shared/clients/home_assistant_flow.py).
#   client_flow_test.sh LL2D_BINARY [EVENTS]
# Exits 77 (skipped) without ../shared/clients or Debian's python3-aiohttp.
set -euo pipefail
LL2D=$(readlink -f "$1")
EVENTS=${2:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENTS=${CLIENTS_DIR:-$HERE/../../../shared/clients}
if [ ! -f "$CLIENTS/home_assistant_flow.py" ]; then echo "clients not found at $CLIENTS: skipped"; exit 77; fi
if ! /usr/bin/python3 -c 'import aiohttp' 2>/dev/null; then
  echo "python3-aiohttp missing: skipped"; exit 77
fi
WORK=$(mktemp -d /tmp/ll2d-clients.XXXXXX)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$LL2D" generate --events "$EVENTS" --seed 7 --out "$WORK/gen" --quiet >/dev/null
. "$HERE/backend_db.sh"
DB=$(backend_db ll2d_clients "$WORK/db.sqlite3")
"$LL2D" import --db "$DB" "$WORK/gen" 2>/dev/null
# A "now" inside the world, so that there are upcoming and previous launches
# and events, and Starship flights on both sides of it.
"$LL2D" serve --db "$DB" --host 127.0.0.1 --port 0 --no-access-log \
  --now 2025-06-01T00:00:00 >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q serving "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/out" | head -1)
if [ -z "$PORT" ]; then echo "ll2d did not start:"; cat "$WORK/out"; exit 1; fi
timeout 300 /usr/bin/python3 "$CLIENTS/home_assistant_flow.py" "http://127.0.0.1:$PORT"
