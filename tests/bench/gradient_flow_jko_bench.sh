#!/usr/bin/env bash
# Builds and runs the grid JKO benchmark (porous medium m = 2, 2D Barenblatt from t0 = 0.05 to t = 0.1) beside
# the implicit FV scheme on the same case and prints one table: each lever of issue 17 as one row changed
# from the shipped JKO settings (row "JKO, shipped": the Barenblatt deck's N_t = 1, step size 1,
# tolerance 1e-4, no warm start, τ = 0.0025); the last column is the CPU s/step against the 128² FV row
# of the same τ in this run.
# Not a ctest. About 5 minutes on a quiet 2-core machine (1 rank).
# Usage: tests/bench/gradient_flow_jko_bench.sh            (1 rank)
#        RANKS=2 tests/bench/gradient_flow_jko_bench.sh    (the JKO solve is replicated: same answer, no speed-up)
#        QUICK=1 ...                                       (the first four rows only: FV, DR shipped, back-and-forth, DR before)
#        BFM=1 ...                                         (FV and eulerian.jko_solver back_and_forth rows only)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target bench_gradient_flow_jko_bench >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
bench=(mpiexec --oversubscribe -n "${RANKS:-1}" "$build/tests/bench/bench_gradient_flow_jko_bench")
bfm="scheme=jko solver=back_and_forth tolerance=1e-4 warm=1"
shipped="scheme=jko cells=128 tau=0.0025 steps=20 time_cells=1 step_size=1 tolerance=1e-4 warm=0"
rows=(
  "FV|scheme=fv tau=0.0025 steps=20"
  "JKO, shipped|$shipped"
  "JKO back-and-forth (target row)|$bfm tau=0.0025 steps=20"
  "JKO, before (step size 0.3, warm start)|$shipped step_size=0.3 warm=1"
  "JKO, warm start|$shipped warm=1"
  "JKO, N_t = 2|$shipped time_cells=2"
  "JKO, tolerance 3e-4|$shipped tolerance=3e-4"
  "JKO, tolerance 3e-5 (converged)|$shipped tolerance=3e-5"
  "FV|scheme=fv tau=0.005 steps=10"
  "JKO, tau 0.005 converged|$shipped tau=0.005 steps=10 tolerance=3e-5"
  "JKO back-and-forth, tau 0.005|$bfm tau=0.005 steps=10"
  "FV|scheme=fv tau=0.00125 steps=40"
  "JKO, tau 0.00125 converged|$shipped tau=0.00125 steps=40 tolerance=3e-5"
  "JKO back-and-forth, tau 0.00125|$bfm tau=0.00125 steps=40"
  "FV|scheme=fv tau=0.000625 steps=80"
  "JKO back-and-forth, tau 0.000625|$bfm tau=0.000625 steps=80"
  "JKO, 160²|$shipped cells=160"
  "JKO, 160², converged|$shipped cells=160 tolerance=3e-5"
  "JKO back-and-forth, 160²|$bfm tau=0.0025 steps=20 cells=160"
  "JKO back-and-forth, 256²|$bfm tau=0.0025 steps=20 cells=256"
  "JKO, 192²|$shipped cells=192"
  "JKO, 192², converged|$shipped cells=192 tolerance=3e-5"
)
[ -n "${QUICK:-}" ] && rows=("${rows[@]:0:4}")
# BFM=1: the FV rows and the back-and-forth rows only (the τ sweep of the back-and-forth solver).
if [ -n "${BFM:-}" ]; then
  keep=()
  for row in "${rows[@]}"; do [[ ${row#*|} == scheme=fv* || ${row#*|} == *back_and_forth* ]] && keep+=("$row"); done
  rows=("${keep[@]}")
fi
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo
echo "| row | scheme | cells | tau (steps) | N_t | step size | tolerance | warm start | ranks | L1 error | CPU s/step | wall s/step | iterations/step | step W2² error | CPU / FV (same tau) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
declare -A fv_cpu
for row in "${rows[@]}"; do
  label=${row%%|*}
  args=${row#*|}
  line=$("${bench[@]}" $args | grep '^| ')
  tau=$(awk -F'|' '{print $4}' <<<"$line" | awk '{print $1}')
  cpu=$(awk -F'|' '{print $11}' <<<"$line" | tr -d ' ')
  if [[ $args == scheme=fv* ]]; then
    fv_cpu[$tau]=$cpu
    ratio=1
  else
    ratio=$(awk -v a="$cpu" -v b="${fv_cpu[$tau]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }')
  fi
  echo "| $label $line $ratio |"
done
echo
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
