#!/usr/bin/env bash
# Builds and runs the grid JKO benchmark (porous medium m = 2, 2D Barenblatt) beside the implicit FV scheme
# on the same case; prints a table. Not a ctest.
# Usage: tests/bench/gradient_flow_jko_bench.sh [cells] [tau] [steps] [jko tolerance]   (default 128 0.005 10 1e-4)
#        RANKS=2 tests/bench/gradient_flow_jko_bench.sh ...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target bench_gradient_flow_jko_bench >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpiexec --oversubscribe -n "${RANKS:-1}" "$build/tests/bench/bench_gradient_flow_jko_bench" "$@"
