#!/usr/bin/env bash
# Builds the fuzz targets with clang and runs each for a bounded time.
#   fuzz/run.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLL2D_FUZZ=ON \
  -DLL2D_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target query_fuzz import_fuzz
for t in query import; do
  work=$(mktemp -d)
  cp fuzz/corpus/$t/* "$work"/
  ./build-fuzz/fuzz/${t}_fuzz -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -print_final_stats=1 "$work" 2>&1 | tail -3
  rm -rf "$work"
done
echo "fuzzing: 2 passed, 0 failed"
