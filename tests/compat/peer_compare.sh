#!/usr/bin/env bash
# Serves the same generated data from ll2d and from the DRF reference peer on
# PostgreSQL (../shared/peer), then compares ~100 varied queries and every
# generated page. Exits 77 (skipped) when the peer or its packages are absent.
#   peer_compare.sh LL2D_BINARY [EVENTS] [SEED]
set -euo pipefail
LL2D=$(readlink -f "$1")
EVENTS=${2:-1000}
SEED=${3:-11}
HERE=$(cd "$(dirname "$0")" && pwd)
PEER_SRC=${PEER_DIR:-$HERE/../../../shared/peer}
PY=/usr/bin/python3
if [ ! -f "$PEER_SRC/manage.py" ]; then echo "peer not found at $PEER_SRC: skipped"; exit 77; fi
# Django, DRF and django-filter are the peer's own (vendor/, LL2's stack).
if ! PYTHONPATH="$PEER_SRC/vendor" $PY -c 'import django, rest_framework, django_filters, psycopg2, gunicorn' 2>/dev/null \
   || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "peer packages (psycopg2, gunicorn, postgresql, the peer's vendor/) missing: skipped"; exit 77
fi

WORK=$(mktemp -d /tmp/ll2d-peer.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do timeout 20 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true; done
  if [ -n "${PEER_PG_DIR:-}" ]; then (cd "$WORK/peer" && ./pg.sh stop "$PEER_PG_DIR" >/dev/null 2>&1) || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
cp -r "$PEER_SRC" "$WORK/peer"
chmod -R u+w "$WORK/peer"

"$LL2D" generate --events "$EVENTS" --seed "$SEED" --out "$WORK/gen" --quiet >/dev/null
# The peer imports docking-event pages only, so ll2d gets exactly the same.
. "$HERE/backend_db.sh"
DB=$(backend_db ll2d_peer "$WORK/ll2d.sqlite3")
"$LL2D" import --db "$DB" "$WORK"/gen/page_*.json 2>/dev/null

cd "$WORK/peer"
eval "$(timeout 180 ./pg.sh start)"
timeout 300 $PY manage.py migrate -v0
timeout 600 $PY manage.py import_ll2 "$WORK"/gen/page_*.json >/dev/null

free_port() { $PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
PEER_PORT=$(free_port)
# launches/upcoming and /previous depend on "now": the same fixed time on both.
NOW=2000-06-15T12:00:00
PEER_NOW=$NOW $PY -m gunicorn --workers 2 --bind "127.0.0.1:$PEER_PORT" peer.wsgi >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
"$LL2D" serve --db "$DB" --host 127.0.0.1 --port 0 --no-access-log --now "$NOW" >"$WORK/ll2d.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do
  grep -q "serving" "$WORK/ll2d.out" 2>/dev/null && curl -sf -o /dev/null "http://127.0.0.1:$PEER_PORT/2.3.0/" && break
  sleep 0.1
done
LL2D_PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$WORK/ll2d.out" | head -1)
if [ -z "$LL2D_PORT" ]; then echo "ll2d did not start:"; cat "$WORK/ll2d.out"; exit 1; fi

timeout 900 python3 "$HERE/compare_with_peer.py" --quiet --random 300 --seed "$SEED" \
  --ll2d "http://127.0.0.1:$LL2D_PORT" --peer "http://127.0.0.1:$PEER_PORT"

# Every generated page must be exactly what the peer serves for that page.
python3 - "$WORK/gen" "$PEER_PORT" "$EVENTS" <<'PYEOF'
import sys, urllib.request
gen, port, events = sys.argv[1], sys.argv[2], int(sys.argv[3])
pages = (events + 99) // 100
same = 0
for k in range(pages):
    url = f"http://127.0.0.1:{port}/2.3.0/docking_events/?format=json&limit=100&mode=detailed&offset={k * 100}"
    peer = urllib.request.urlopen(url, timeout=120).read().decode().replace(f"http://127.0.0.1:{port}", "https://ll2d.example")
    ours = open(f"{gen}/page_{k + 1:04d}.json", encoding="utf-8").read()
    same += peer == ours
    if peer != ours:
        print(f"page {k + 1} differs from the peer's")
print(f"generated pages identical to the peer's: {same} passed, {pages - same} failed")
sys.exit(0 if same == pages else 1)
PYEOF
