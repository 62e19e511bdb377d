#!/usr/bin/env bash
# The quickstart's sample fills every route: loads it as scripts/quickstart.sh
# does (scripts/sample.sh), serves it, and asks every list route of the API
# root in every mode it has, and the Starship dashboard, for data.
#   sample_test.sh LL2D_BINARY
set -euo pipefail
LL2D=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/ll2d-sample.XXXXXX)
trap 'kill "$PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$HERE/../../scripts/sample.sh" "$LL2D" "$WORK/sample.sqlite3"
"$LL2D" serve --db "$WORK/sample.sqlite3" --port 0 --no-access-log >"$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 1 300); do grep -q serving "$WORK/out" && break; sleep 0.1; done
PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/out" | head -1)
python3 "$HERE/every_route_has_data.py" "http://127.0.0.1:$PORT"
