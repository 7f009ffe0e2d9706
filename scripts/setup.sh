#!/usr/bin/env bash
# Installs the Debian 12 packages MeasureFlow needs (idempotent: only missing ones are installed).
# Runs as root, or through sudo otherwise.
#   scripts/setup.sh          what the build and the test suite need
#   scripts/setup.sh --bench  also the benchmarks' peers (PyTorch for tests/bench/transformer_bench.sh)
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config git
  clang
  libopenmpi-dev openmpi-bin
  petsc-dev libhdf5-openmpi-dev
  libyaml-cpp-dev libgtest-dev
  libtrilinos-kokkos-dev
  libopenblas-serial-dev
  libeigen3-dev nlohmann-json3-dev libcli11-dev librandom123-dev libfftw3-dev libfftw3-mpi-dev
  liblemon-dev
  python3-h5py python3-numpy python3-matplotlib python3-pot python3-scipy python3-yaml
  slurm-wlm munge paraview python3-paraview xvfb xauth ffmpeg
)
# Benchmark peers only (large; never needed by a test).
BENCH_PACKAGES=(python3-torch)
[ "${1:-}" = "--bench" ] && PACKAGES+=("${BENCH_PACKAGES[@]}")
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
