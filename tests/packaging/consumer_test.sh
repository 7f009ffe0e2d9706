#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and builds tests/consumer against it twice: with
# CMake (find_package(MeasureFlow), target MeasureFlow::measureflow) and with pkg-config
# (measureflow.pc); runs both on 2 ranks.
#   consumer_test.sh BUILD_DIR SOURCE_DIR MPIEXEC
set -euo pipefail
build=$(readlink -f "$1"); src=$(readlink -f "$2"); mpiexec=$3
work=$(mktemp -d /tmp/mf_consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "consumer_test: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install"; }
for f in lib/libmeasureflow.a bin/measureflow include/measureflow/counter_rng.hpp \
         lib/cmake/MeasureFlow/MeasureFlowConfig.cmake lib/cmake/MeasureFlow/MeasureFlowConfigVersion.cmake \
         lib/cmake/MeasureFlow/MeasureFlowTargets.cmake lib/pkgconfig/measureflow.pc; do
  [ -e "$work/prefix/$f" ] || fail "$f not installed"
done
# The installed executable runs on its own.
"$work/prefix/bin/measureflow" --version | grep -q '^measureflow ' || fail "installed measureflow --version"

# 1. CMake consumer.
cmake -S "$src/tests/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "consumer configure"; }
cmake --build "$work/cmake-build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "consumer build"; }
"$mpiexec" --oversubscribe -n 2 "$work/cmake-build/consumer" | tee "$work/cmake-run.txt"
grep -q -- '-> ok' "$work/cmake-run.txt" || fail "CMake consumer result"

# 2. pkg-config consumer (same source, compiler flags from measureflow.pc).
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pkg-config --exists measureflow || fail "pkg-config does not find measureflow"
# shellcheck disable=SC2046
c++ -O2 "$src/tests/consumer/main.cpp" -o "$work/consumer-pc" $(pkg-config --cflags --libs measureflow) \
    >"$work/pc-build.log" 2>&1 || { cat "$work/pc-build.log"; fail "pkg-config build"; }
"$mpiexec" --oversubscribe -n 2 "$work/consumer-pc" | tee "$work/pc-run.txt"
grep -q -- '-> ok' "$work/pc-run.txt" || fail "pkg-config consumer result"
echo "consumer_test: ok (CMake package and pkg-config)"
