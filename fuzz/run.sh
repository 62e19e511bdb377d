#!/usr/bin/env bash
# Builds the fuzz targets with clang and runs each for a bounded time.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#   env: JOBS (build jobs, default 2), PARALLEL (targets run at once,
#   default one per core), TIMEOUT (seconds one input may take
#   before it counts as a hang, default 25: raise it on a loaded machine,
#   where a starved process is slow without hanging)
# Targets: query, import, request, sync_page (all four by default). Each runs on a copy
# of its seed corpus in fuzz/corpus/TARGET; with KEEP=1, inputs that add
# new coverage edges are merged back into fuzz/corpus/TARGET (only those under
# 4 KiB; hit counts are not counted, which keeps the corpus small).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(query import request sync_page)
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLL2D_FUZZ=ON -DLL2D_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"${JOBS:-2}" --target "${TARGETS[@]/%/_fuzz}"
# One target per core at a time (libFuzzer runs on one thread); each one's
# report is printed whole when it ends.
fuzz_target() {
  local t=$1 work
  work=$(mktemp -d)
  cp fuzz/corpus/"$t"/* "$work"/ || return 1
  echo "== ${t}_fuzz for ${SECONDS_PER_TARGET}s"
  # A finding (crash-*, leak-*, timeout-*, slow-unit-*) is kept in
  # build-fuzz/artifacts, not in the working tree.
  local status=0
  if ./build-fuzz/fuzz/"${t}"_fuzz -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
    -timeout="${TIMEOUT:-25}" -artifact_prefix="build-fuzz/artifacts/${t}-" \
    -print_final_stats=1 "$work" >"$work.log" 2>&1; then
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' \
      "$work.log" || tail -3 "$work.log"
  else
    status=1
    tail -40 "$work.log"
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    local small
    small=$(mktemp -d)
    find "$work" -type f -size -4k -exec cp {} "$small"/ \;
    ./build-fuzz/fuzz/"${t}"_fuzz -merge=1 -use_counters=0 -max_len=4096 fuzz/corpus/"$t" "$small" 2>&1 |
      grep -E 'MERGE-OUTER: [0-9]+ new files' || true
    rm -rf "$small"
  fi
  rm -rf "$work" "$work.log"
  return $status
}
mkdir -p build-fuzz/artifacts
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
at_once=${PARALLEL:-$(nproc)}
for t in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$at_once" ]; do wait -n || true; done
  (if fuzz_target "$t"; then echo ok; else echo failed; fi) >"$reports/$t" 2>&1 &
done
wait
failed=0
for t in "${TARGETS[@]}"; do
  sed '$d' "$reports/$t"
  [ "$(tail -1 "$reports/$t")" = ok ] || failed=$((failed + 1))
done
echo "fuzzing: $(( ${#TARGETS[@]} - failed )) passed, $failed failed"
[ "$failed" = 0 ]
