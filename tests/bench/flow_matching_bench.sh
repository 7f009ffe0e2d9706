#!/usr/bin/env bash
# Flow-matching sampling benchmark: n particles through the exact field of N data points (moons), Euler
# steps of the streaming softmax, MeasureFlow on 1 and 2 ranks beside NumPy and PyTorch CPU (threads =
# ranks) in the same run; medians over repeats, ratio to NumPy, GFLOP/s against the machine's peak.
# Usage: tests/bench/flow_matching_bench.sh [build_dir] [n] [N] [steps] [repeats]
# Env: FLOPS_PER_CYCLE overrides the peak assumption (16: one 512-bit or two 256-bit FMA per cycle).
# Not a ctest: run on demand. The learned field's training benchmark is branch fml's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
n=${2:-100000}
N=${3:-10000}
steps=${4:-2}
reps=${5:-3}
cmake --build "$build" --target bench_flow_matching_sampling_bench -j2 > /dev/null
bin=$build/tests/bench/bench_flow_matching_sampling_bench
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cores=$(nproc)
mhz=$(lscpu | awk -F: '/CPU max MHz/ {gsub(/ /, "", $2); print $2}')
[ -n "$mhz" ] || mhz=$(awk -F: '/cpu MHz/ {gsub(/ /, "", $2); print $2; exit}' /proc/cpuinfo)
if grep -qwE 'avx512f|fma' /proc/cpuinfo; then fpc=${FLOPS_PER_CYCLE:-16}; else fpc=${FLOPS_PER_CYCLE:-4}; fi
peak1=$(awk -v m="$mhz" -v f="$fpc" 'BEGIN {printf "%.1f", m * 1e-3 * f}')
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $cores cores at $mhz MHz"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# peak = GHz × $fpc flop/cycle = $peak1 GFLOP/s per core; flop per (particle, data point) pair: 4d + 4 = 12"
echo "# n = $n particles, N = $N data points, $steps Euler steps per repeat, median of $reps repeats"
echo "# wall: seconds per field evaluation; cpu: CPU seconds per evaluation over all ranks/threads (mf: rank 0's"
echo "#   process × ranks), the fair measure on a loaded machine; GFLOP/s, %peak (of one core per rank/thread) and"
echo "#   the ratio to 1-thread NumPy are from cpu; GFLOP/s_wall from wall time"
printf "%-8s %7s %7s %6s %10s %10s %12s %9s %8s %10s\n" impl n N ranks wall_s cpu_s GFLOP/s_wall GFLOP/s %peak vs_numpy
rows=()
for np in 1 2; do rows+=("$(mpirun --oversubscribe -n $np "$bin" "$n" "$N" "$steps" "$reps")"); done
for th in 1 2; do
  while read -r line; do rows+=("$line"); done < <(/usr/bin/python3 "$root/tests/bench/flow_matching_sampling_numpy.py" "$n" "$N" "$steps" "$reps" "$th" numpy torch)
done
flop=$(awk -v n="$n" -v N="$N" 'BEGIN {print n * N * 12}')
numpy1=$(printf '%s\n' "${rows[@]}" | awk '$1 == "numpy" && $5 == 1 {print $8}')
for r in "${rows[@]}"; do
  read -r impl rn rN d ranks s gf cpu <<<"$r"
  if [ "$s" = "not" ]; then printf "%-8s %7s %7s %6s not installed\n" "$impl" "$rn" "$rN" "$ranks"; continue; fi
  # NumPy/PyTorch report the CPU time of all threads; mf reports rank 0's process.
  total=$(awk -v c="$cpu" -v r="$ranks" -v i="$impl" 'BEGIN {print (i == "mf") ? c * r : c}')
  printf "%-8s %7s %7s %6s %10.3f %10.3f %12.3f %9.3f %8.1f %10.2f\n" "$impl" "$rn" "$rN" "$ranks" "$s" "$total" "$gf" \
    "$(awk -v f="$flop" -v c="$total" 'BEGIN {print f / c * 1e-9}')" \
    "$(awk -v f="$flop" -v c="$total" -v p="$peak1" 'BEGIN {print 100 * f / c * 1e-9 / p}')" \
    "$(awk -v a="$numpy1" -v b="$total" 'BEGIN {print a / b}')"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
