#!/bin/bash
# The static OT solver beside POT (tests/bench/static_ot_bench.py documents the rows and columns).
#   tests/bench/static_ot_bench.sh [build/measureflow] [--large | --only-large] [--ranks N]
# The default rows take a few minutes on a quiet machine; --large adds n = 10^6 in 2D and 3D and
# n = 10^5 in 10D (tens of minutes); --exact adds the certified exact row beside POT emd. docs/yardstick.md ("The static solver") has the measured table.
set -euo pipefail
binary=${1:-build/measureflow}
shift || true
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
uptime
exec /usr/bin/python3 "$(dirname "$0")/static_ot_bench.py" --binary "$binary" "$@"
