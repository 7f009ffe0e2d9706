#!/usr/bin/env bash
# Builds tests/bench/dynamic_ot_bench.cpp against an existing build/ (scripts/build.sh first) with the
# flags of a dynamic_ot unit test, then prints the benchmark tables (markdown).
#   tests/bench/dynamic_ot_bench.sh [timing|accuracy] [ranks...]      (default: timing 1 2)
#   modes: timing (fixed DOT_ITERS iterations), tolerance (to DOT_TOL, cap DOT_MAXIT), accuracy.
# Environment: DOT_ITERS (default 20), DOT_TOL / DOT_MAXIT, DOT_METHOD, DOT_PROGRESS=1 (progress lines), DOT_SIZES (e.g. 32x32,64x32),
#   DOT_PC_LABEL (table label; choose the preconditioner with PETSC_OPTIONS="-dot_pc_type mg").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
mode=${1:-timing}; shift || true
ranks=${*:-1 2}
exe=$build/dynamic_ot_bench
ref=tests/unit/dynamic_ot_closed_form_test.cpp
compile=$(/usr/bin/python3 -c "
import json,sys
for e in json.load(open('$build/compile_commands.json')):
    if e['file'].endswith('$ref'): print(e['command']); break")
[ -n "$compile" ] || { echo "build/ has no $ref: run scripts/build.sh first" >&2; exit 1; }
obj=$build/dynamic_ot_bench.o
compile=$(echo "$compile" | sed -e "s| -o [^ ]*| -o $obj|" -e "s| -c [^ ]*| -c $root/tests/bench/dynamic_ot_bench.cpp|")
(cd "$build/tests" && eval "$compile")
link=$(cat "$build/tests/CMakeFiles/unit_dynamic_ot_closed_form_test.dir/link.txt")
link=$(echo "$link" | sed -e "s|CMakeFiles/unit_dynamic_ot_closed_form_test.dir/unit/dynamic_ot_closed_form_test.cpp.o|$obj|" \
                          -e "s| -o [^ ]*| -o $exe|")
(cd "$build/tests" && eval "$link")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for np in $ranks; do
  DOT_BENCH=$mode mpiexec --oversubscribe -n "$np" "$exe" 2>&1 | grep '^|' | { [ "$np" = "${ranks%% *}" ] && cat || grep -v -e '^| grid' -e '^|---'; }
done
