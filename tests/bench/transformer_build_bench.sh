#!/usr/bin/env bash
# Compiles one benchmark source against a configured build, with the test programs' flags and libraries
# (read from compile_commands.json and a test's link.txt), so benchmarks need no CMake target.
# Usage: transformer_build_bench.sh BUILD_DIR SOURCE.cpp OUTPUT_BINARY
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
bin=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
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
$compile -march=native -o "$bin.o" -c "$src"
(cd "$build/tests" && eval "$(echo "$link" | sed "s#BENCH_OBJ#$bin.o#; s#BENCH_BIN#$bin#")")
