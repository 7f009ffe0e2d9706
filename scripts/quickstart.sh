#!/usr/bin/env bash
# README command 1: install dependencies, build, run the quick-start deck on 2 MPI ranks, then summarise and
# draw it: compare.py (metric table, plots, 2D panels and animation) and render.py (ParaView frames and the
# state file out/quickstart/run.pvsm that `paraview --state=...` opens ready to play).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "$root"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun --oversubscribe -n 2 build/measureflow run inputs/quickstart.yaml
/usr/bin/python3 postprocess/compare.py out/quickstart
/usr/bin/python3 postprocess/render.py out/quickstart
echo "quickstart: output in out/quickstart; pictures in out/quickstart/plots/ (panel_*.png, animation.mp4);"
echo "            open it in ParaView with: paraview --state=out/quickstart/run.pvsm"
