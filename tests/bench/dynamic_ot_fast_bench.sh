#!/usr/bin/env bash
# Issue #17's benchmark of the Benamou–Brenier solver: one table, every row measured in this one run
# (after scripts/build.sh; builds build/dynamic_ot_bench through dynamic_ot_bench.sh), translated bumps
# (exact W2² = |s|²), one process per row so that peak RSS is that row's:
#   targets   64²×32 and 128²×64 (2D, to W2² error ≤ 1e-3), 32³×32 (3D, to 1 %), fast settings: transform
#             Poisson solve, τ = 10, ρ = 1.8, multilevel start, solver.tolerance: auto;
#   levers    64²×32, one lever changed per row against the target row: stopping rule (fixed 1e-4),
#             multilevel start (1 level), relaxation (ρ = 1), Poisson solve (KSP = CG + GAMG, same
#             iterations), and today's default path (KSP, τ = 1, ρ = 1, 1 level, tolerance 1e-5) on 32²×16
#             to tolerance and on 64²×32 for 20 iterations (its s/iter; its iterations to 1e-5 there, 1065,
#             are docs/dynamic_ot.md's measurement: 100 s on the quiet machine);
#   KSP s/it  KSP at 128²×64 and 32³×32 for DOT_KSP_ITS fixed iterations: its time per iteration, to be
#             multiplied by the fine-equivalent iterations of the target row (an estimate, labelled so).
#   serial    the target rows on 1 rank: CPU seconds there are the work itself (with 2 ranks on a busy
#             machine a rank waiting for its peer polls and is charged CPU time).
#   tests/bench/dynamic_ot_fast_bench.sh [ranks]           (default 2)
# Environment: DOT_ROWS (default "targets levers ksp serial"), DOT_KSP_ITS (5).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
np=${1:-2}
exe=$root/build/dynamic_ot_bench
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Build (the script's own table is not needed here: no rows).
DOT_SIZES=none "$root/tests/bench/dynamic_ot_bench.sh" timing 1 > /dev/null
# row LABEL VAR=value...: one table row from a fresh process.
row() {
  local label=$1; shift
  env DOT_BENCH=row DOT_LABEL="$label" "$@" mpiexec --oversubscribe -n "${ranks:-$np}" "$exe" 2>&1 | grep '^| ' || \
    echo "| $label | (failed) |"
}
fast=(DOT_POISSON=fft DOT_STEP=10 DOT_RELAX=1.8 DOT_LEVELS=3 DOT_TOL=auto)
rows=${DOT_ROWS:-targets levers ksp serial}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $np ranks; $(nproc) cores; $(date -u +%FT%TZ)"
echo
echo "| row | grid | ranks | Poisson | τ | ρ | levels | tolerance | fine its | coarse its (fine-equiv.) | its to err ≤ target |" \
     "W2² rel. error | wall s | CPU s per rank | peak RSS per rank (MB) | s/iter (fine) | µs/(iter·unknown) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
if [[ " $rows " == *" targets "* ]]; then
  row "target 2D" DOT_N=64 "${fast[@]}"
  row "target 2D" DOT_N=128 "${fast[@]}"
  row "target 3D (err ≤ 1e-2)" DOT_CASE=bump3d DOT_N=32 DOT_NT=32 DOT_ERR=1e-2 "${fast[@]}"
fi
if [[ " $rows " == *" levers "* ]]; then
  row "lever: stopping rule (fixed 1e-4)" DOT_N=64 "${fast[@]}" DOT_TOL=1e-4
  row "lever: multilevel (1 level, 1e-4)" DOT_N=64 "${fast[@]}" DOT_LEVELS=1 DOT_TOL=1e-4
  row "lever: relaxation (ρ = 1)" DOT_N=64 "${fast[@]}" DOT_RELAX=1
  row "lever: Poisson (KSP)" DOT_N=64 "${fast[@]}" DOT_POISSON=ksp
  today=(DOT_POISSON=ksp DOT_STEP=1 DOT_RELAX=1 DOT_LEVELS=1 DOT_TOL=1e-5)
  row "today's default path" DOT_N=32 "${today[@]}"
  row "today's default path, s/iter only (20 fixed its)" DOT_N=64 "${today[@]}" DOT_TOL=1e-12 DOT_MAXIT=20
fi
if [[ " $rows " == *" ksp "* ]]; then
  its=${DOT_KSP_ITS:-5}
  for p in ksp fft; do
    row "s/iter only: $p, $its fixed its" DOT_N=128 DOT_POISSON=$p DOT_STEP=10 DOT_RELAX=1.8 DOT_TOL=1e-12 DOT_MAXIT=$its
    row "s/iter only: $p, $its fixed its" DOT_CASE=bump3d DOT_N=32 DOT_NT=32 DOT_POISSON=$p DOT_STEP=10 DOT_RELAX=1.8 \
      DOT_TOL=1e-12 DOT_MAXIT=$its DOT_ERR=1e-2
  done
fi
if [[ " $rows " == *" serial "* ]]; then
  ranks=1 row "target 2D, 1 rank" DOT_N=64 "${fast[@]}"
  ranks=1 row "target 2D, 1 rank" DOT_N=128 "${fast[@]}"
  ranks=1 row "target 3D, 1 rank" DOT_CASE=bump3d DOT_N=32 DOT_NT=32 DOT_ERR=1e-2 "${fast[@]}"
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
