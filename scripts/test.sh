#!/usr/bin/env bash
# Runs the whole test suite: unit and integration tests (which start the real
# ll2d on ephemeral loopback ports), built with AddressSanitizer and
# UndefinedBehaviorSanitizer, plus the comparison with the DRF reference peer
# when ../shared/peer is present. Then the tests labelled "backend" (the
# integration suite, the peer comparison, the crawl) run again with ll2d on
# PostgreSQL, in a throw-away cluster (scripts/pg-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if command -v clang-format >/dev/null; then
  # Formatting is part of the contract (.clang-format).
  git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' | xargs clang-format --dry-run --Werror
fi
BUILD=${BUILD:-build-asan}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLL2D_SANITIZE=ON -DLL2D_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)"

echo "== the same integration suite, peer comparison and crawl on PostgreSQL"
eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop "$LL2D_PG_DIR"' EXIT
LL2D_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$LL2D_PG_PORT/postgres" \
  ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" -L backend -E "/Postgres$"
