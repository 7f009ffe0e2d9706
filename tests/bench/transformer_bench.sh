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
# Compile and link like the test programs (same flags, same libraries), without touching CMake.
compile=$(/usr/bin/python3 - "$build" <<'PY'
import json, sys
cc = json.load(open(sys.argv[1] + "/compile_commands.json"))
cmd = next(e["command"] for e in cc if e["file"].endswith("tests/unit/transformer_closure_test.cpp"))
print(cmd.split(" -o ")[0])
PY
)
link=$(sed -e 's# CMakeFiles/[^ ]*\.o -o [^ ]*# BENCH_OBJ -o BENCH_BIN#' \
           -e 's#libmf_test_main.a##' -e 's#/usr/lib/x86_64-linux-gnu/libgtest.a##' \
           "$build/tests/CMakeFiles/unit_transformer_closure_test.dir/link.txt")
$compile -march=native -o "$build/transformer_attention_bench.o" -c "$root/tests/bench/transformer_attention_bench.cpp"
(cd "$build/tests" && eval "$(echo "$link" | sed "s#BENCH_OBJ#$build/transformer_attention_bench.o#; s#BENCH_BIN#$bin#")")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
printf "%-10s %7s %3s %6s %14s %10s\n" impl n d ranks steps_per_s GFLOP/s
for n in $sizes; do
  for d in $dims; do
    reps=$(( n >= 64000 ? 1 : 3 ))
    for np in 1 2; do
      mpirun --oversubscribe -n $np "$bin" "$n" "$d" "$reps" |
        awk -v np=$np '{printf "%-10s %7d %3d %6d %14.4f %10.3f\n", "mf-ring", $1, $2, np, $5, $6}'
    done
    /usr/bin/python3 "$root/tests/bench/transformer_bench_numpy.py" "$n" "$d" "$reps"
  done
done
