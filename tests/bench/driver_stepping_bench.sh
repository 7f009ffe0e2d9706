#!/usr/bin/env bash
# Driver stepping benchmarks (issue #12), tables in markdown:
#   1. dynamic OT output stepping, before (100 sub-steps per output interval) vs now (one step per
#      output), the same model in the same run (bench_driver_stepping_bench);
#   2. with OLD_BIN=path/to/an/older/measureflow: whole runs of a continuity, a gradient_flow and a
#      transformer deck (and with DOT_WHOLE=1 a dynamic OT deck, whose run is mostly its solve), old vs
#      new binary alternating in the same session, median wall time and time per step (summary.json
#      wall_seconds / steps) over REPEATS runs.
# Usage: tests/bench/driver_stepping_bench.sh [build_dir] [ranks]     Env: REPEATS (default 5), OLD_BIN.
# Not a ctest: run on demand. This machine is shared; the load average is printed with the tables.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
ranks=${2:-2}
repeats=${REPEATS:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cmake --build "$build" --target bench_driver_stepping_bench measureflow >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $ranks ranks"
echo
echo "## dynamic OT output stepping (inputs/dynamic_ot/bump_translation_2d.yaml at 24² × 8, 200 particles)"
mpirun --oversubscribe -n "$ranks" "$build/tests/bench/bench_driver_stepping_bench" "$root/inputs/dynamic_ot/bump_translation_2d.yaml" \
  "$repeats" --set "domain.cells=[24,24]" --set time.cells=8 --set lagrangian.particles=200 | grep '^|'

[ -n "${OLD_BIN:-}" ] || { echo; echo "(OLD_BIN not set: whole-run comparison skipped)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run_case() {  # name deck sets...
  local name=$1 deck=$2; shift 2
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  for r in $(seq "$repeats"); do
    for which in old new; do
      local bin=$build/measureflow
      [ "$which" = old ] && bin=$OLD_BIN
      mpirun --oversubscribe -n "$ranks" "$bin" run "$root/$deck" --quiet --set "output.dir=$work/$which" \
        --set diagnostics.w2=none "${sets[@]}" >/dev/null
      /usr/bin/python3 -c "import json; s=json.load(open('$work/$which/summary.json')); print('$name', '$which', s['wall_seconds'], s['steps'])"
    done
  done
}
{
  [ -n "${DOT_WHOLE:-}" ] && run_case dynamic_ot inputs/dynamic_ot/bump_translation_2d.yaml "domain.cells=[24,24]" time.cells=8 lagrangian.particles=200
  run_case continuity inputs/continuity/rotation_2d.yaml "domain.cells=[64,64]" lagrangian.particles=20000 time.end=0.8
  run_case gradient_flow inputs/gradient_flow/porous_barenblatt_2d.yaml "domain.cells=[40,40]" lagrangian.particles=2000 time.end=0.1 time.dt=0.01
  run_case transformer inputs/transformer/blowup_2d.yaml "domain.cells=[24,24]" lagrangian.particles=600
} > "$work/times.txt"
echo
echo "## whole runs, old vs new binary (median of $repeats, alternating), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$work/times.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
print("| deck | binary | steps | median wall (s) | median per step (ms) | new / old |")
print("|---|---|---|---|---|---|")
for name in dict.fromkeys(r[0] for r in rows):
    med = {}
    for which in ("old", "new"):
        w = [float(r[2]) for r in rows if r[0] == name and r[1] == which]
        steps = [int(r[3]) for r in rows if r[0] == name and r[1] == which][0]
        med[which] = (statistics.median(w), steps)
    for which in ("old", "new"):
        w, steps = med[which]
        ratio = "1" if which == "old" else f"{(w / steps) / (med['old'][0] / med['old'][1]):.2f} per step, {w / med['old'][0]:.2f} whole run"
        print(f"| {name} | {which} | {steps} | {w:.3f} | {1e3 * w / steps:.3f} | {ratio} |")
PY
