#!/usr/bin/env bash
# Builds the libFuzzer targets (deck loader, point-set reader) with clang in build-fuzz/ and runs each
# for a fixed time, seeded with inputs/ (tests/fuzz/CMakeLists.txt). A crash, leak or hang fails.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        (default 30; CI runs 30 s x 2 targets)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DMF_FUZZ=ON -DMF_BUILD_TESTS=OFF -DMF_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build" -j "${BUILD_JOBS:-2}" --target fuzz_deck fuzz_point_set
cd "$build"
ctest -L fuzz --output-on-failure
