#!/usr/bin/env bash
# Generates and imports a small world, serves it, and crawls it from every
# route the API root lists (each mode) and from the lists a client starts at:
# every url and next answers 200 and matches LL2's OpenAPI schema.
#   crawl_test.sh LL2D_BINARY OPENAPI [EVENTS]
# Then the same for LL2 2.4.0 (OPENAPI's directory holds its document).
# Exits 77 (skipped) without Debian's python3-jsonschema.
set -euo pipefail
LL2D=$(readlink -f "$1")
OPENAPI=$(readlink -f "$2")
EVENTS=${3:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  echo "python3-jsonschema missing: skipped"; exit 77
fi
. "$HERE/serve_world.sh"
world_in crawl "$EVENTS"
serve_db "$DB" --now 2000-06-15T12:00:00
timeout 600 /usr/bin/python3 "$HERE/crawl_validate.py" --base "http://127.0.0.1:$PORT" \
  --openapi "$OPENAPI" --all-routes --max 4000
timeout 600 /usr/bin/python3 "$HERE/crawl_validate.py" --base "http://127.0.0.1:$PORT" \
  --openapi "$(dirname "$OPENAPI")/ll-2.4.0-unreleased-openapi.json" --root /api/ll/2.4.0/ \
  --all-routes --max 4000 /api/ll/2.4.0/agencies/

# The composed Starship dashboard at the generator's own "now", when the
# world's Starship flights have a past and a future: every part it lists is
# filled, in every mode, and it and what it links to match the schema.
serve_db "$DB" --now 2025-06-01T00:00:00
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
