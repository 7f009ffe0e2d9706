#!/usr/bin/env bash
# Benchmark of one softmax self-attention step (all pairs, n tokens, dimension d, Q = K = d^{-1/4} I,
# V = I) against one core's measured double-precision peak, all in the same run:
#   mf-blas      MeasureFlow's ring with the BLAS path of the dot-product kernel, 1 and 2 ranks
#   mf-portable  the same step with the portable Kokkos kernel (the kernel before the BLAS path), 1 rank
#   numpy        NumPy, row blocks, 1 thread
#   torch-cpu    PyTorch CPU, the same blocked step, torch.set_num_threads = 1 and 2
# ("not installed" when python3-torch is absent: scripts/setup.sh --bench installs it).
# Usage: tests/bench/transformer_bench.sh [build_dir] ["n1 n2 ..."] ["d1 d2 ..."]
# Env: REPEATS (default 3): timed steps per row after one warm-up; the row gives their medians.
#      MAX_STEP_S (default 150): a row whose predicted step time (its n/4 row's CPU time × 16; pairs grow
#      as n²) exceeds this is skipped with the reason printed.
# Every rate is from CPU time (the process's, summed over ranks/threads): on a machine shared with other
# jobs that is the rate of the kernel while it runs; wall times are printed beside it. Not a ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sizes=${2:-"4000 16000"}
dims=${3:-"2 16 64"}
reps=${REPEATS:-3}
max_step=${MAX_STEP_S:-150}
cmake --build "$build" --target bench_transformer_attention_bench bench_cpu_peak_bench >/dev/null
bin=$build/tests/bench/bench_transformer_attention_bench
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One BLAS thread per process everywhere (MeasureFlow also sets it itself at start-up).
export OPENBLAS_NUM_THREADS=1

echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
# Peak of one core, measured (tests/bench/cpu_peak_bench.cpp): fma = independent FMAs of the widest
# vector (flop/cycle × the clock the core runs at), dgemm = OpenBLAS DGEMM 2048³; medians of 5, CPU time.
peak_out=$("$build/tests/bench/bench_cpu_peak_bench" 2048 5)
peak=$(awk '/^fma/ {print $2}' <<<"$peak_out")
dgemm=$(awk '/^dgemm/ {print $2}' <<<"$peak_out")
echo "# one core's peak: FMA loop $peak GFLOP/s (the %peak denominator), OpenBLAS DGEMM 2048³ $dgemm GFLOP/s"
echo "# $(grep '^openblas' <<<"$peak_out")"
/usr/bin/python3 "$root/tests/bench/transformer_bench_numpy.py" 300 8 1 1 config
echo "# flop per pair: 4d + 4 (score dot 2d, value update 2d, shift + exp + sum + weight 4; exp counted as 1)"
echo "# medians of $reps steps; cpu_s: CPU seconds per step, all ranks/threads; GFLOP/s: flop / cpu_s per core;"
echo "# vs_mf: this row's cpu_s / mf-blas 1-rank cpu_s at that n, d (> 1: slower); peers work in row blocks of"
echo "# max(1, 32e6/n) targets, so no n×n matrix is formed"
printf "%-11s %6s %3s %5s %10s %10s %9s %7s %7s %8s\n" impl n d procs wall_s cpu_s GFLOP/s %peak %dgemm vs_mf

declare -A last  # CPU seconds per step of the previous size, per impl/d/procs
too_slow() {  # impl d procs n -> 0 (skip) if the prediction from n/4 exceeds max_step
  local key="$1/$2/$3"
  [ -n "${last[$key]:-}" ] || return 1
  awk -v s="${last[$key]}" -v m="$max_step" 'BEGIN {exit !(s * 16 > m)}' || return 1
  printf "%-11s %6d %3d %5d skipped: predicted %.0f CPU s per step (16 × %.1f s at n/4) > MAX_STEP_S = %s\n" \
    "$1" "$4" "$2" "$3" "$(awk -v s="${last[$key]}" 'BEGIN {print 16 * s}')" "${last[$key]}" "$max_step"
  return 0
}
print_row() {  # impl n d procs wall cpu
  local flops gf
  flops=$(awk -v n="$2" -v d="$3" 'BEGIN {print n * n * (4 * d + 4)}')
  gf=$(awk -v f="$flops" -v c="$6" 'BEGIN {printf "%.2f", f / c * 1e-9}')
  printf "%-11s %6d %3d %5d %10.3f %10.3f %9s %7s %7s %8s\n" "$1" "$2" "$3" "$4" "$5" "$6" "$gf" \
    "$(awk -v g="$gf" -v p="$peak" 'BEGIN {printf "%.1f", 100 * g / p}')" \
    "$(awk -v g="$gf" -v p="$dgemm" 'BEGIN {printf "%.1f", 100 * g / p}')" \
    "$(awk -v c="$6" -v b="${base:-0}" 'BEGIN {if (b > 0) printf "%.2f", c / b; else print "-"}')"
  last[$1/$3/$4]=$6
}
for n in $sizes; do
  for d in $dims; do
    base=""
    mf=mf-blas
    for np in 1 2; do
      too_slow "$mf" "$d" "$np" "$n" && continue
      read -r _ _ _ wall cpu _ <<<"$(mpirun --oversubscribe -n $np "$bin" "$n" "$d" "$reps")"
      [ "$np" = 1 ] && base=$cpu
      print_row "$mf" "$n" "$d" "$np" "$wall" "$cpu"
    done
    if ! too_slow mf-portable "$d" 1 "$n"; then
      read -r _ _ _ wall cpu _ <<<"$(mpirun --oversubscribe -n 1 "$bin" "$n" "$d" "$reps" portable)"
      print_row mf-portable "$n" "$d" 1 "$wall" "$cpu"
    fi
    for peer in "numpy 1" "torch 1" "torch 2"; do
      read -r impl thr <<<"$peer"
      label=$impl; [ "$impl" = torch ] && label=torch-cpu
      too_slow "$label" "$d" "$thr" "$n" && continue
      out=$(OMP_NUM_THREADS=$thr /usr/bin/python3 "$root/tests/bench/transformer_bench_numpy.py" "$n" "$d" "$reps" "$thr" "$impl")
      if [[ "$out" == *"not installed"* ]]; then echo "$out"; continue; fi
      read -r _ _ _ _ wall cpu _ <<<"$out"
      print_row "$label" "$n" "$d" "$thr" "$wall" "$cpu"
    done
  done
done
echo "# load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
