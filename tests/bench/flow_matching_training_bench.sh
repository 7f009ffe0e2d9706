#!/usr/bin/env bash
# Benchmark of training the learned flow-matching fields (N(0, I) → eight Gaussians, 2D): MeasureFlow's
# train_learned_field on 1 and 2 ranks beside the same computation in NumPy and PyTorch CPU (threads =
# ranks; "not installed" without Debian's python3-torch), all in the same run. Median of `repeats`.
# Usage: tests/bench/flow_matching_training_bench.sh [build_dir] [repeats]
# Env: FLOPS_PER_CYCLE overrides the peak assumption (see below). Not a ctest: run on demand.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
repeats=${2:-3}
cmake --build "$build" --target bench_flow_matching_training_bench >/dev/null
bin=$build/tests/bench/bench_flow_matching_training_bench
peers=$root/tests/bench/flow_matching_training_peers.py
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Peak: cores × clock × double-precision flop per cycle (16 = one 512-bit FMA or two 256-bit FMAs per
# cycle; set FLOPS_PER_CYCLE=32 on parts with two 512-bit FMA units).
cores=$(nproc)
mhz=$(lscpu | awk -F: '/CPU max MHz/ {gsub(/ /, "", $2); print $2}')
[ -n "$mhz" ] || mhz=$(awk -F: '/cpu MHz/ {gsub(/ /, "", $2); print $2; exit}' /proc/cpuinfo)
if grep -qwE 'avx512f|fma' /proc/cpuinfo; then fpc=${FLOPS_PER_CYCLE:-16}; else fpc=${FLOPS_PER_CYCLE:-4}; fi
peak1=$(awk -v m="$mhz" -v f="$fpc" 'BEGIN {printf "%.1f", m * 1e-3 * f}')
blas=$(basename "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)")
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $cores cores at $mhz MHz"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)  (a shared machine: compare rows of the same run only)"
echo "# peak = GHz × $fpc flop/cycle = $peak1 GFLOP/s per core; NumPy's BLAS: $blas"
echo "# flop model (all implementations): least squares rows·(m(m+1) + 2md + 2·n_cos(d+1)) + m³/3;"
echo "#   mlp 6 flop per weight per pair (forward 2, backward 4)"
echo "# time: median wall seconds of $repeats runs; cpu_s: CPU seconds (mf: rank 0; peers: all threads);"
echo "# vs_mf: peer seconds / mf seconds at the same threads (> 1: MeasureFlow is faster)"
echo "# GF/cpu_s: flop / CPU seconds (per busy core; the fair kernel comparison while the machine is oversubscribed)"
printf "%-10s %-16s %5s %7s %6s %7s %9s %8s %7s %8s %9s %7s %9s\n" impl basis size pairs epochs ranks seconds GFLOP/s %peak cpu_s GF/cpu_s vs_mf loss

cases=("affine 16 100000 1 256" "random_features 256 20000 1 256" "random_features 512 20000 1 256"
       "mlp 64 20000 4 256" "mlp 128 20000 2 256")
# mf's cpu_s is rank 0's alone: its flop share is 1/ranks of the total.
percpu() { awk -v g="$1" -v s="$2" -v c="$3" -v r="$4" 'BEGIN {printf "%.2f", g * s / (c * r)}'; }
pct() { awk -v g="$1" -v p="$peak1" -v r="$2" 'BEGIN {printf "%.1f", 100 * g / (p * r)}'; }
for c in "${cases[@]}"; do
  read -r basis size pairs epochs batch <<<"$c"
  for np in 1 2; do
    read -r _ _ _ _ _ ranks s gf cpu loss < <(mpirun --oversubscribe -n "$np" "$bin" "$basis" "$size" "$pairs" "$epochs" "$batch" "$repeats")
    mf_s=$s
    printf "%-10s %-16s %5d %7d %6d %7d %9.3f %8.3f %7s %8.3f %9s %7s %9.5f\n" mf "$basis" "$size" "$pairs" "$epochs" "$ranks" \
      "$s" "$gf" "$(pct "$gf" "$np")" "$cpu" "$(percpu "$gf" "$s" "$cpu" "$np")" 1.00 "$loss"
    for impl in numpy torch; do
      out=$(OPENBLAS_NUM_THREADS=$np OMP_NUM_THREADS=$np /usr/bin/python3 "$peers" "$impl" "$basis" "$size" "$pairs" "$epochs" "$batch" "$repeats" "$np")
      if [[ "$out" == *"not installed"* || "$out" == *"skipped"* ]]; then
        [ "$np" = 1 ] && echo "$out"
        continue
      fi
      read -r label _ _ _ _ thr s gf cpu loss <<<"$out"
      printf "%-10s %-16s %5d %7d %6d %7d %9.3f %8.3f %7s %8.3f %9s %7.2f %9.5f\n" "$label" "$basis" "$size" "$pairs" "$epochs" "$thr" \
        "$s" "$gf" "$(pct "$gf" "$np")" "$cpu" "$(percpu "$gf" "$s" "$cpu" 1)" "$(awk -v a="$s" -v b="$mf_s" 'BEGIN {print a / b}')" "$loss"
    done
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
