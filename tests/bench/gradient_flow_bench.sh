#!/usr/bin/env bash
# Builds and runs the gradient_flow benchmark at 1 and 2 ranks (tables on stdout). Not a ctest.
# Usage: tests/bench/gradient_flow_bench.sh [ranks...]   (default: 1 2)
#        SECTION=crossover tests/bench/gradient_flow_bench.sh 1 2   (one section: fv | blob | crossover | ring)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target bench_gradient_flow_bench >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for np in "${@:-1 2}"; do
  for n in $np; do mpiexec --oversubscribe -n "$n" "$build/tests/bench/bench_gradient_flow_bench" ${SECTION:-}; done
done
