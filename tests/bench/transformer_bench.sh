#!/usr/bin/env bash
# Benchmark of one softmax self-attention step (all pairs, n tokens, dimension d): MeasureFlow's streaming
# ring kernel on 1 and 2 ranks beside NumPy (and PyTorch CPU when Debian's python3-torch is installed),
# all in the same run. Prints a table with steps/s and GFLOP/s (4d + 4 flop per pair).
# Usage: tests/bench/transformer_bench.sh [build_dir] ["n1 n2 ..."] ["d1 d2 ..."]
# Not a ctest: run on demand (n = 64000 at d = 64 takes minutes per step on a small machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sizes=${2:-"4000 16000 64000"}
dims=${3:-"2 16 64"}
bin=$build/transformer_attention_bench
bash "$root/tests/bench/transformer_build_bench.sh" "$build" "$root/tests/bench/transformer_attention_bench.cpp" "$bin"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
printf "%-10s %7s %3s %6s %14s %10s\n" impl n d ranks steps_per_s GFLOP/s
for n in $sizes; do
  for d in $dims; do
    reps=$(( n >= 16000 ? 1 : 3 ))
    for np in 1 2; do
      mpirun --oversubscribe -n $np "$bin" "$n" "$d" "$reps" |
        awk -v np=$np '{printf "%-10s %7d %3d %6d %14.4f %10.3f\n", "mf-ring", $1, $2, np, $5, $6}'
    done
    /usr/bin/python3 "$root/tests/bench/transformer_bench_numpy.py" "$n" "$d" "$reps"
  done
done
