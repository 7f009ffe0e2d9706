#!/usr/bin/env bash
# Issue #17's benchmark of the Benamou–Brenier solver, every row measured in this one run (after
# scripts/build.sh; builds build/dynamic_ot_bench through dynamic_ot_bench.sh):
#   1. solves to tolerance with the fast settings (FFT, τ = DOT_STEP, ρ = DOT_RELAX, multilevel start
#      with DOT_LEVELS grids, tolerance DOT_TOL): iterations, seconds, W2² error, peak memory per rank;
#   2. time per iteration, today's KSP path (CG + GAMG, τ = 1) beside the transform path (FFT), same
#      fixed DOT_ITERS iterations: the first lever alone;
#   3. the same with the KSP path for the smallest grid (the other levers on today's Poisson solver).
#   tests/bench/dynamic_ot_fast_bench.sh [ranks]           (default 2)
# Environment: DOT_FAST_2D (default 64,128: N²×N/2), DOT_FAST_3D (default 32: N³×DOT_NT3, DOT_NT3 = 32),
#   DOT_ITERS (3), DOT_STEP (10), DOT_RELAX (1.8), DOT_LEVELS (2), DOT_TOL (1e-4), DOT_TOL3 (1e-3).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
np=${1:-2}
exe=$root/build/dynamic_ot_bench
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Build (the script's own table is not needed here: one 16² row).
DOT_SIZES=none "$root/tests/bench/dynamic_ot_bench.sh" timing 1 > /dev/null
run() { mpiexec --oversubscribe -n "$np" "$exe" 2>&1 | grep '^|' ; }
step=${DOT_STEP:-10}; relax=${DOT_RELAX:-1.8}; levels=${DOT_LEVELS:-2}; tol=${DOT_TOL:-1e-4}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $np ranks; $(date -u +%FT%TZ)"
echo
echo "### 1. To tolerance $tol: transform, τ = $step, ρ = $relax, $levels levels (one process per row)"
first=1
for n in ${DOT_FAST_2D:-64 128}; do
  DOT_BENCH=accuracy DOT_NS=$n DOT_TOL=$tol DOT_STEP=$step DOT_RELAX=$relax DOT_LEVELS=$levels DOT_POISSON=fft run | \
    { [ $first = 1 ] && cat || grep -v -e '^| grid' -e '^|---' -e '^| exact'; }
  first=0
done
for n in ${DOT_FAST_3D:-32}; do
  DOT_CASE=bump3d DOT_NT=${DOT_NT3:-32} DOT_BENCH=accuracy DOT_NS=$n DOT_TOL=${DOT_TOL3:-1e-3} DOT_ERR=1e-2 DOT_STEP=$step \
    DOT_RELAX=$relax DOT_LEVELS=$levels DOT_POISSON=fft run | grep -v -e '^|---'
done
echo
echo "### 2. Time per iteration, KSP (GAMG) vs transform, ${DOT_ITERS:-3} iterations, τ = 1"
for sizes in 64x32 128x64 32x32x32; do
  for poisson in ksp fft; do
    DOT_BENCH=timing DOT_SIZES=$sizes DOT_ITERS=${DOT_ITERS:-3} DOT_POISSON=$poisson run | \
      { [ "$sizes$poisson" = 64x32ksp ] && cat || grep -v -e '^| grid' -e '^|---'; }
  done
done
echo
echo "### 3. The same settings on the KSP path (64²×32)"
DOT_BENCH=accuracy DOT_NS=64 DOT_TOL=$tol DOT_STEP=$step DOT_RELAX=$relax DOT_LEVELS=$levels DOT_POISSON=ksp run | \
  grep -v -e '^|---' -e '^| exact'
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
