#!/usr/bin/env bash
# Time per full-batch gradient-descent step of the mean_field model (issue 15): 10⁴ neurons, 10⁴ samples,
# d = 20, d' = 1, ReLU; MeasureFlow's Kokkos kernels on 1 and 2 ranks beside NumPy (float64, Debian's
# BLAS) in the same run; medians of REPS steps, CPU-second ratios against NumPy, GFLOP/s against the peak.
# Usage: tests/bench/mean_field_step_bench.sh [build_dir] [n] [N] [d]     Env: REPS (default 5).
# Not a ctest: run on demand.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
n=${2:-10000}; N=${3:-10000}; d=${4:-20}; reps=${REPS:-5}
cmake --build "$build" --target bench_mean_field_step_bench -j2 >/dev/null
bin=$build/tests/bench/bench_mean_field_step_bench
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mhz=$(awk -F: '/cpu MHz/ {gsub(/ /, "", $2); print $2; exit}' /proc/cpuinfo)
fpc=${FLOPS_PER_CYCLE:-16}  # AVX-512: one 512-bit FMA per cycle (8 doubles × 2)
peak1=$(awk -v m="$mhz" -v f="$fpc" 'BEGIN {printf "%.1f", m * 1e-3 * f}')
# flop per (neuron, sample) pair: pre-activation 2d, output 2d', <r, v> 2d', ∇u 2d, ∇v 2d'
flop=$(awk -v n="$n" -v N="$N" -v d="$d" 'BEGIN {printf "%.0f", n * N * (4 * d + 6)}')
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores at $mhz MHz, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# n = $n neurons, N = $N samples, d = $d, d' = 1, relu; $(awk -v f="$flop" 'BEGIN {printf "%.2f", f / 1e9}') GFLOP per step (n N (4d + 6)); peak $peak1 GFLOP/s per core ($fpc flop/cycle)"
echo "# BLAS behind NumPy and PyTorch (Debian's libblas.so.3 alternative): $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3); one thread each"
echo "# wall: median seconds per step; cpu: rank 0's CPU seconds per step (NumPy: the process). On a loaded machine"
echo "# the CPU figures are the fair ones: GFLOP per CPU-second, %peak of the cores used, ratio of CPU seconds."
printf "| %-16s | %5s | %9s | %9s | %12s | %10s | %16s |\n" impl ranks "wall s" "cpu s" "GFLOP/cpu-s" "%peak(cpu)" "NumPy cpu / this"
printf "|---|---|---|---|---|---|---|\n"
declare -A wall cpu
run() {  # name ranks command...
  local name=$1 ranks=$2; shift 2
  read -r w c risk < <("$@")
  wall[$name]=$w
  cpu[$name]=$c
  # Every rank does 1/ranks of the flop in (about) rank 0's CPU time.
  local g; g=$(awk -v f="$flop" -v c="$c" 'BEGIN {printf "%.2f", f / c / 1e9}')
  local p; p=$(awk -v g="$g" -v pk="$peak1" -v r="$ranks" 'BEGIN {printf "%.1f", 100 * g / (pk * r)}')
  local ratio="-"
  [ -n "${cpu[numpy_1]:-}" ] && ratio=$(awk -v a="${cpu[numpy_1]}" -v b="$c" 'BEGIN {printf "%.2fx", a / b}')
  printf "| %-16s | %5s | %9s | %9s | %12s | %10s | %16s |\n" "$name" "$ranks" "$w" "$c" "$g" "$p" "$ratio"
}
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 run numpy_1 1 /usr/bin/python3 "$root/tests/bench/mean_field_step_numpy.py" "$n" "$N" "$d" "$reps"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  run torch_1 1 /usr/bin/python3 "$root/tests/bench/mean_field_step_torch.py" "$n" "$N" "$d" "$reps"
fi
run measureflow_1 1 mpirun --oversubscribe -np 1 "$bin" "$n" "$N" "$d" "$reps"
run measureflow_2 2 mpirun --oversubscribe -np 2 "$bin" "$n" "$N" "$d" "$reps"
echo "# NumPy and PyTorch run one thread each (the BLAS they load is printed above); PyTorch's row appears where"
echo "# python3-torch is installed (scripts/setup.sh --bench installs it)."
