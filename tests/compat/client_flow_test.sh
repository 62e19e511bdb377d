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
. "$HERE/serve_world.sh"
world_in clients "$EVENTS"
# A "now" inside the world, so that there are upcoming and previous launches
# and events, and Starship flights on both sides of it.
serve_db "$DB" --now 2025-06-01T00:00:00
timeout 300 /usr/bin/python3 "$CLIENTS/home_assistant_flow.py" "http://127.0.0.1:$PORT"
