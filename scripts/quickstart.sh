#!/usr/bin/env bash
# Installs dependencies, builds ll2d, loads the bundled sample data and serves
# it on http://127.0.0.1:8000/2.3.0/docking_events/ (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLL2D_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
rm -f sample.sqlite3 sample.sqlite3-wal sample.sqlite3-shm
./build/ll2d import --db sample.sqlite3 data/sample tests/fixtures/docking_event_609_detailed.json
exec ./build/ll2d serve --db sample.sqlite3 --host 127.0.0.1 --port 8000
