#!/usr/bin/env bash
# Benchmark of one softmax self-attention step (all pairs, n tokens, dimension d): MeasureFlow's streaming
# ring kernel on 1 and 2 ranks beside NumPy and PyTorch CPU (torch.set_num_threads = ranks; "not
# installed" when Debian's python3-torch is absent), all in the same run.
# Usage: tests/bench/transformer_bench.sh [build_dir] ["n1 n2 ..."] ["d1 d2 ..."]
# Env: MAX_STEP_S (default 150): a row whose predicted step time (its n/4 row's time × 16; pairs grow
#      as n²) exceeds this is skipped with the reason printed. FLOPS_PER_CYCLE overrides the peak assumption.
# Not a ctest: run on demand.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sizes=${2:-"4000 16000 64000"}
dims=${3:-"2 16 64"}
max_step=${MAX_STEP_S:-150}
bin=$build/transformer_attention_bench
bash "$root/tests/bench/transformer_build_bench.sh" "$build" "$root/tests/bench/transformer_attention_bench.cpp" "$bin"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Peak: cores × clock × double-precision flop per cycle. Assumption: AVX-512 with one 512-bit FMA per
# cycle per core (8 doubles × 2 flop = 16 flop/cycle; AMD Zen 4 issues it as two 256-bit halves);
# parts with two 512-bit FMA units (many Intel Xeons) do 32: set FLOPS_PER_CYCLE=32 there.
cores=$(nproc)
mhz=$(lscpu | awk -F: '/CPU max MHz/ {gsub(/ /, "", $2); print $2}')
[ -n "$mhz" ] || mhz=$(awk -F: '/cpu MHz/ {gsub(/ /, "", $2); print $2; exit}' /proc/cpuinfo)
# Without AVX-512: two 256-bit FMA pipes (AVX2 + FMA) are also 16; plain SSE2 is 4.
if grep -qwE 'avx512f|fma' /proc/cpuinfo; then fpc=${FLOPS_PER_CYCLE:-16}; else fpc=${FLOPS_PER_CYCLE:-4}; fi
peak1=$(awk -v m="$mhz" -v f="$fpc" 'BEGIN {printf "%.1f", m * 1e-3 * f}')
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $cores cores at $mhz MHz, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# peak = cores × GHz × $fpc flop/cycle (AVX-512 FMA doubles) = $peak1 GFLOP/s per core, $(awk -v p="$peak1" -v c="$cores" 'BEGIN {printf "%.1f", p * c}') for $cores"
echo "# flop per pair: 4d + 4 (score dot 2d, value update 2d, shift + exp + sum + weight 4; exp counted as 1)"
echo "# peers: row blocks of max(1, 32e6/n) targets, so no n×n matrix is formed (33 GB at n = 64000)"
echo "# cpu_s: CPU seconds per step (mf: rank 0's process; peers: all threads): on a loaded machine the"
echo "#        fair comparison of kernels; GFLOP/s and %peak are from wall time (steps_per_s)"
printf "%-10s %7s %3s %6s %14s %10s %10s %10s %8s\n" impl n d ranks steps_per_s GFLOP/s s_per_step cpu_s %peak

# Debian's NumPy links the reference BLAS unless OpenBLAS/BLIS is the libblas.so.3 alternative.
blas=$(basename "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)")
case "$blas" in *openblas*|*blis*) numpy_threads=many ;; *) numpy_threads=1 ;; esac
echo "# NumPy's BLAS: $blas"
declare -A last  # seconds per step of the previous size, per impl/d/ranks
pct() { awk -v g="$1" -v p="$peak1" -v r="$2" 'BEGIN {printf "%.1f", 100 * g / (p * r)}'; }
too_slow() {  # impl d ranks n -> 0 (skip) if the prediction from n/4 exceeds max_step
  local key="$1/$2/$3" prev_n=$(( $4 / 4 ))
  [ -n "${last[$key]:-}" ] || return 1
  awk -v s="${last[$key]}" -v m="$max_step" 'BEGIN {exit !(s * 16 > m)}' || return 1
  printf "%-10s %7d %3d %6d skipped: predicted %.0f s per step (16 × %.1f s at n = %d) > MAX_STEP_S = %s\n" \
    "$1" "$4" "$2" "$3" "$(awk -v s="${last[$key]}" 'BEGIN {print 16 * s}')" "${last[$key]}" "$prev_n" "$max_step"
  return 0
}
for n in $sizes; do
  for d in $dims; do
    reps=$(( n >= 16000 ? 1 : 3 ))
    for np in 1 2; do
      if ! too_slow mf-ring "$d" "$np" "$n"; then
        line=$(mpirun --oversubscribe -n $np "$bin" "$n" "$d" "$reps")
        read -r _ _ _ s sps gf cpu <<<"$line"
        printf "%-10s %7d %3d %6d %14.4f %10.3f %10.3f %10.3f %8s\n" mf-ring "$n" "$d" "$np" "$sps" "$gf" "$s" "$cpu" "$(pct "$gf" "$np")"
        last[mf-ring/$d/$np]=$s
      fi
      for impl in numpy torch; do
        label=$impl; [ "$impl" = torch ] && label=torch-cpu
        if [ "$impl" = numpy ] && [ "$np" -gt 1 ] && [ "$numpy_threads" = 1 ]; then
          printf "%-10s %7d %3d %6d skipped: NumPy's BLAS (%s) is single-threaded\n" numpy "$n" "$d" "$np" "$blas"
          continue
        fi
        too_slow "$label" "$d" "$np" "$n" && continue
        out=$(OPENBLAS_NUM_THREADS=$np OMP_NUM_THREADS=$np /usr/bin/python3 \
              "$root/tests/bench/transformer_bench_numpy.py" "$n" "$d" "$reps" "$np" "$impl")
        if [[ "$out" == *"not installed"* ]]; then echo "$out"; continue; fi
        read -r _ _ _ thr sps gf s cpu <<<"$out"
        printf "%-10s %7d %3d %6d %14.4f %10.3f %10.3f %10.3f %8s\n" "$label" "$n" "$d" "$thr" "$sps" "$gf" "$s" "$cpu" "$(pct "$gf" "$np")"
        last[$label/$d/$np]=$s
      done
    done
  done
done
