#!/usr/bin/env bash
# Installs dependencies, builds ll2d, loads the sample (scripts/sample.sh: a
# small synthetic world around today, so every route has data) and serves it
# on http://127.0.0.1:8000/2.3.0/ (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLL2D_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
scripts/sample.sh build/ll2d sample.sqlite3
exec ./build/ll2d serve --db sample.sqlite3 --host 127.0.0.1 --port 8000
