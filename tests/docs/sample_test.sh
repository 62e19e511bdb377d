#!/usr/bin/env bash
# The quickstart's sample fills every route: loads it as scripts/quickstart.sh
# does (scripts/sample.sh), serves it, and asks every list route of the API
# root in every mode it has, and the Starship dashboard, for data.
#   sample_test.sh LL2D_BINARY
set -euo pipefail
LL2D=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../compat/serve_world.sh"
WORK=$(mktemp -d /tmp/ll2d-sample.XXXXXX)
trap 'stop_server; rm -rf "$WORK"' EXIT
"$HERE/../../scripts/sample.sh" "$LL2D" "$WORK/sample.sqlite3"
serve_db "$WORK/sample.sqlite3"
python3 "$HERE/every_route_has_data.py" "http://127.0.0.1:$PORT"
