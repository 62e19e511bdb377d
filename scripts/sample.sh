#!/usr/bin/env bash
# Makes the sample database: a small synthetic LL2 world (300 docking events
# and everything else in LL2's proportions) whose "now" is this moment, so
# that every route, every mode and the Starship dashboard have data, the
# upcoming lists included, whatever the date; plus LL2's real docking event 609.
# The generator's own database is kept (generate --db): it also holds what
# only the dashboard prints (notices, road closures), which no page carries.
#   scripts/sample.sh [LL2D_BINARY] [DB]     (defaults: build/ll2d, sample.sqlite3)
set -euo pipefail
LL2D=$(readlink -f "${1:-build/ll2d}")
DB=$(readlink -f "${2:-sample.sqlite3}")
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -f "$DB" "$DB-wal" "$DB-shm"
"$LL2D" generate --events 300 --seed 1 --now now --db "$DB" --out "$WORK/pages" --quiet >/dev/null
"$LL2D" import --db "$DB" tests/fixtures/docking_event_609_detailed.json 2>&1 | tail -1
