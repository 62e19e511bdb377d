#!/usr/bin/env bash
# The whole suite, RUNS times in a row, with every core kept busy beside it
# (stress-ng --cpu 0: one CPU hog per core): a test whose verdict depends on
# how fast the machine is right now fails here rather than at random in CI.
# Each run is scripts/test.sh's two phases on an existing build: every test on
# SQLite, then the backend-labelled ones on PostgreSQL (a throw-away cluster).
# One line per phase in $REPORT; exit 1 if any phase failed.
#   scripts/stress-suite.sh [RUNS] [BUILD_DIR]
#   env: LOAD="stress-ng --cpu 0"  REPORT=stress-suite.log
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BUILD=${2:-build-asan}
LOAD=${LOAD:-stress-ng --cpu 0}
REPORT=${REPORT:-stress-suite.log}
[ -f "$BUILD/CTestTestfile.cmake" ] || { echo "no test build in $BUILD (scripts/test.sh makes one)" >&2; exit 2; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# What is tested: the build's own version line (its commit), not the tree's.
TESTED=$("$BUILD/ll2d" --version)

$LOAD >/dev/null 2>&1 &
LOAD_PID=$!
eval "$(scripts/pg-cluster.sh start)"
trap 'kill "$LOAD_PID" 2>/dev/null || true; scripts/pg-cluster.sh stop "$LL2D_PG_DIR"' EXIT
PG_URL="postgresql://postgres@127.0.0.1:$LL2D_PG_PORT/postgres"

: >"$REPORT"
failed=0
# phase NAME CTEST_ARGS...: one ctest run, its verdict and duration reported.
phase() {
  local name=$1 start rc=0 log
  shift
  log=$(mktemp)
  start=$(date +%s)
  ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" "$@" >"$log" 2>&1 || rc=$?
  local line
  line="$(date -u +%FT%TZ) run $run $name: $(grep -E 'tests passed' "$log" | tail -1) in $(($(date +%s) - start)) s"
  [ "$rc" = 0 ] || { line="$line FAILED: $(grep -E '^\s+[0-9]+ - ' "$log" | tr -s ' ' | tr '\n' ';')"; failed=1; }
  echo "$line" | tee -a "$REPORT"
  rm -f "$log"
}
for run in $(seq 1 "$RUNS"); do
  phase sqlite
  LL2D_TEST_POSTGRES=$PG_URL phase postgresql -L backend -E "/Postgres$"
done
echo "load: $LOAD on $(nproc) cores; $BUILD: $TESTED" | tee -a "$REPORT"
exit "$failed"
