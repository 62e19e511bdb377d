#!/usr/bin/env bash
# Runs clang-tidy (Debian 12's clang-tidy, version 14) with the repo's
# .clang-tidy on every file of src/ and tests/ and the headers of src/ they
# include, in parallel on every core; exits non-zero on any warning
# (WarningsAsErrors).
# Usage: scripts/tidy.sh [BUILD_DIR [FILE_REGEX...]]  (default: build, and
# every file of src/ and tests/). It reads the build's compile_commands.json
# (CMakeLists.txt exports it), configuring the build directory first if it
# has none. FILE_REGEX narrows the run, e.g. to the files one has touched.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
FILES=("$@")
if [ ${#FILES[@]} -eq 0 ]; then
  while IFS= read -r f; do FILES+=("^$PWD/$f\$"); done < <(git ls-files 'src/*.cpp' 'tests/*.cpp')
fi
RUN=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
TIDY=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$RUN" ] || [ -z "$TIDY" ]; then
  echo "scripts/tidy.sh: clang-tidy is not installed (apt-get install clang-tidy)" >&2
  exit 1
fi
if [ ! -f "$BUILD/compile_commands.json" ]; then
  cmake -S . -B "$BUILD" -DLL2D_TESTS=ON >/dev/null
fi
# The benches and fuzz targets are not in the build's compile commands (they
# are built with LL2D_BENCH and by fuzz/run.sh), so they are not linted yet.
"$RUN" -clang-tidy-binary "$TIDY" -p "$BUILD" -j "$(nproc)" -quiet "${FILES[@]}"
