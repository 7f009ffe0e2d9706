#!/usr/bin/env bash
# Before/after timing of the all-pairs kernels between two builds of MeasureFlow (say main and a branch),
# interleaved in one run so both see the same machine load: attention steps (transformer_attention_bench,
# 1 rank, n × d) and one `measureflow ot` solve (n = 4000 uniform points in 2D per side, ε = 0.01,
# --no-divergence). Prints CPU seconds per step (per solve for ot) as medians over REPS runs and the
# ratio new/base; on a loaded machine CPU time is the fair measure (wall time counts others' jobs).
# Usage: tests/bench/compare_builds.sh BASE_BUILD NEW_BUILD [REPS]   (both builds need the targets
#        measureflow and bench_transformer_attention_bench). Not a ctest: run on demand.
set -euo pipefail
base=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
reps=${3:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import sys, h5py, numpy as np
rng = np.random.default_rng([1, 4000, 2])
for name in ("x", "y"):
    with h5py.File(f"{sys.argv[1]}/{name}.h5", "w") as f:
        f["positions"] = rng.random((4000, 2))
PY
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq "$reps"); do
  # Alternate which build goes first, so neither always runs on a warmer or cooler machine.
  if [ $((rep % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for impl in $order; do
    if [ "$impl" = base ]; then b=$base; else b=$new; fi
    for nd in "4000 2" "4000 16" "2000 64"; do
      set -- $nd
      echo "$impl attention_n$1_d$2 $("$b/tests/bench/bench_transformer_attention_bench" "$1" "$2" 3 | awk '{print $7}')"
    done
    /usr/bin/time -f "%U %S" -o "$work/time" "$b/measureflow" ot "$work/x.h5" "$work/y.h5" --eps 0.01 --no-divergence \
      --json > /dev/null 2>&1
    echo "$impl ot_n4000_d2 $(awk '{print $1 + $2}' "$work/time")"
  done
done > "$work/rows"
echo "# load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$work/rows" "$reps" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    impl, case, value = line.split()
    rows[(case, impl)].append(float(value))
print(f"{'case':22s} {'base cpu_s':>11s} {'new cpu_s':>11s} {'new/base':>9s}   (medians of {sys.argv[2]})")
for case in sorted({c for c, _ in rows}):
    b, n = statistics.median(rows[(case, "base")]), statistics.median(rows[(case, "new")])
    print(f"{case:22s} {b:11.4f} {n:11.4f} {n / b:9.3f}")
PY
