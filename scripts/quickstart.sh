#!/usr/bin/env bash
# README command 1: install dependencies, build, and run the quick-start deck on 2 MPI ranks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "$root"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun --oversubscribe -n 2 build/measureflow run inputs/quickstart.yaml
echo "quickstart: output in out/quickstart (open out/quickstart/run.xmf in ParaView)"
