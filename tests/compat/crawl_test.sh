#!/usr/bin/env bash
# Generates and imports a small world, serves it, and crawls it from every
# route the API root lists (each mode) and from the lists a client starts at:
# every url and next answers 200 and matches LL2's OpenAPI schema.
#   crawl_test.sh LL2D_BINARY OPENAPI [EVENTS]
# Exits 77 (skipped) without Debian's python3-jsonschema.
set -euo pipefail
LL2D=$(readlink -f "$1")
OPENAPI=$(readlink -f "$2")
EVENTS=${3:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  echo "python3-jsonschema missing: skipped"; exit 77
fi
WORK=$(mktemp -d /tmp/ll2d-crawl.XXXXXX)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$LL2D" generate --events "$EVENTS" --seed 7 --out "$WORK/gen" --quiet >/dev/null
. "$HERE/backend_db.sh"
DB=$(backend_db ll2d_crawl "$WORK/db.sqlite3")
"$LL2D" import --db "$DB" "$WORK/gen" 2>/dev/null
"$LL2D" serve --db "$DB" --host 127.0.0.1 --port 0 --no-access-log \
  --now 2000-06-15T12:00:00 >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q serving "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/out" | head -1)
if [ -z "$PORT" ]; then echo "ll2d did not start:"; cat "$WORK/out"; exit 1; fi
timeout 600 /usr/bin/python3 "$HERE/crawl_validate.py" --base "http://127.0.0.1:$PORT" \
  --openapi "$OPENAPI" --all-routes --max 4000

# The composed Starship dashboard at the generator's own "now", when the
# world's Starship flights have a past and a future: every part it lists is
# filled, in every mode, and it and what it links to match the schema.
kill "$PID"; wait "$PID" 2>/dev/null || true
"$LL2D" serve --db "$DB" --host 127.0.0.1 --port 0 --no-access-log \
  --now 2025-06-01T00:00:00 >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q serving "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/out" | head -1)
if [ -z "$PORT" ]; then echo "ll2d did not start:"; cat "$WORK/out"; exit 1; fi
DASH="http://127.0.0.1:$PORT/2.3.0/dashboard/starship/"
for mode in list normal detailed; do
  /usr/bin/python3 - "$DASH?mode=$mode" <<'PY'
import json, sys, urllib.request
body = json.load(urllib.request.urlopen(sys.argv[1], timeout=60))
assert isinstance(body, dict), f"{sys.argv[1]}: not one dashboard object"
d = body
empty = [k for k in ("updates", "live_streams", "vehicles", "orbiters") if not d[k]]
empty += [f"{h}.{k}" for h in ("upcoming", "previous") for k in ("launches", "events") if not d[h][k]]
assert not empty, f"{sys.argv[1]}: empty {empty}"
print(f"{sys.argv[1]}: composed, nothing empty")
PY
done
timeout 600 /usr/bin/python3 "$HERE/crawl_validate.py" --base "http://127.0.0.1:$PORT" \
  --openapi "$OPENAPI" --max 400 /2.3.0/dashboard/starship/ "/2.3.0/dashboard/starship/?mode=list" \
  "/2.3.0/dashboard/starship/?mode=normal" "/2.3.0/dashboard/starship/?mode=detailed"
