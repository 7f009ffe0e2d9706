#!/usr/bin/env bash
# "Not slower" (issue #12): each model's run at a small deck, timed between two builds of MeasureFlow
# (the pre-consolidation tree and main, say), interleaved in one run so both see the same machine load.
# Prints CPU seconds (user + system, all ranks) per run as medians over REPS runs, per step, and the ratio
# new/base; on a loaded machine CPU time is the fair measure (wall time counts others' jobs).
#
# Each build runs the deck of its own source tree (CMAKE_HOME_DIRECTORY of the build) with the same
# --set overrides, so a deck that changed between the trees (dynamic OT's output times) is each tree's
# own. The cross-view W2 is off (diagnostics.w2: none): main's yardstick is a different, larger
# computation than the pre-consolidation one (docs/yardstick.md states its cost), not part of a step.
#
# Usage: tests/bench/compare_model_steps.sh BASE_BUILD NEW_BUILD [REPS] [RANKS]
#   Both builds need the target measureflow. Models the base tree does not have (flow_matching,
#   mean_field, reconstruction at the pre-consolidation commit) are compared against another build given
#   in MF_BASE_<MODEL> (e.g. MF_BASE_FLOW_MATCHING=/path/to/first-commit-build), or left out.
#   MF_CASES (a regular expression) keeps only the matching case names.
# Not a ctest: run on demand (about 2 minutes per repetition on a quiet 2-core machine).
set -euo pipefail
base=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
reps=${3:-5}
ranks=${4:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source_dir() { sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$1/CMakeCache.txt"; }

# case | model | deck (relative to the source tree) | steps | --set overrides
cases=(
  "continuity_swirl|continuity|inputs/continuity/swirl_2d.yaml|domain.cells=[64,64] lagrangian.particles=10000 time.end=0.5 output.every=0.5"
  "gradient_flow_fv_porous|gradient_flow|inputs/gradient_flow/porous_barenblatt_2d.yaml|domain.cells=[64,64] lagrangian.particles=4000 time.end=0.1 output.every=0.1"
  "transformer_closure|transformer|inputs/transformer/closure_2d.yaml|domain.cells=[32,32] lagrangian.particles=2048 output.every=0.5"
  "dynamic_ot_gaussian|dynamic_ot|inputs/dynamic_ot/gaussian_2d.yaml|domain.cells=[32,32] time.cells=16"
  "flow_matching_gaussian|flow_matching|inputs/flow_matching/gaussian.yaml|domain.cells=[56,56] lagrangian.particles=5000 output.every=1.0"
  "mean_field_linear|mean_field|inputs/mean_field/linear_gaussian.yaml|lagrangian.particles=20000 time.end=1.0"
  "reconstruction_rotation|reconstruction|inputs/reconstruction/rotation_gaussian.yaml|domain.cells=[64,64] lagrangian.particles=5000"
)

# The base build of a model: MF_BASE_<MODEL> if set, else BASE_BUILD when its tree has the model.
base_for() {
  local var="MF_BASE_${1^^}"
  if [ -n "${!var:-}" ]; then (cd "${!var}" && pwd); return; fi
  if [ -d "$(source_dir "$base")/src/models/$1" ]; then echo "$base"; fi
}

run_case() {  # build deck sets... ; prints CPU seconds and steps
  local build=$1 deck=$2; shift 2
  local args=()
  for s in "$@"; do args+=(--set "$s"); done
  local out="$work/out"
  rm -rf "$out"
  /usr/bin/time -f "%U %S" -o "$work/time" mpirun --oversubscribe -np "$ranks" "$build/measureflow" run "$deck" \
    "${args[@]}" --set diagnostics.w2=none --set output.dir="$out" --quiet > "$work/log" 2>&1 ||
    { echo "run failed: $build $deck" >&2; tail -5 "$work/log" >&2; return 1; }
  local steps
  steps=$(/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('steps', d.get('run', {}).get('steps', 0)))" \
    "$out/summary.json" 2>/dev/null || echo 0)
  echo "$(awk '{print $1 + $2}' "$work/time") $steps"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $ranks rank(s), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# base $base ($(git -C "$(source_dir "$base")" rev-parse --short HEAD 2>/dev/null || echo '?'))," \
     "new $new ($(git -C "$(source_dir "$new")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
for rep in $(seq "$reps"); do
  # Alternate which build goes first, so neither always runs on a warmer or cooler machine.
  if [ $((rep % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for c in "${cases[@]}"; do
    IFS='|' read -r name model deck sets <<< "$c"
    [[ "$name" =~ ${MF_CASES:-.} ]] || continue
    b=$(base_for "$model")
    [ -n "$b" ] || continue
    for impl in $order; do
      if [ "$impl" = base ]; then build=$b; else build=$new; fi
      # shellcheck disable=SC2086
      echo "$impl $name $(run_case "$build" "$(source_dir "$build")/$deck" $sets)"
    done
  done
done > "$work/rows"
echo "# load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  IFS='|' read -r name model _ _ <<< "$c"
  [[ "$name" =~ ${MF_CASES:-.} ]] || continue
  [ -n "$(base_for "$model")" ] || echo "# $name: left out (no base build of $model; set MF_BASE_${model^^})"
done
/usr/bin/python3 - "$work/rows" "$reps" <<'PY'
import collections, statistics, sys
rows, steps = collections.defaultdict(list), {}
for line in open(sys.argv[1]):
    impl, case, cpu, n = line.split()
    rows[(case, impl)].append(float(cpu))
    steps[(case, impl)] = int(n)
print(f"{'case':26s} {'steps b/n':>10s} {'base cpu_s':>11s} {'new cpu_s':>11s} {'base s/step':>12s} {'new s/step':>11s} {'new/base':>9s}"
      f"   (medians of {sys.argv[2]})")
for case in dict.fromkeys(c for c, _ in rows):
    b, n = statistics.median(rows[(case, "base")]), statistics.median(rows[(case, "new")])
    sb, sn = steps[(case, "base")], steps[(case, "new")]
    per = lambda t, s: f"{t / s:12.5f}" if s else f"{'?':>12s}"
    print(f"{case:26s} {f'{sb}/{sn}':>10s} {b:11.3f} {n:11.3f} {per(b, sb)} {per(n, sn)[1:]} {n / b:9.3f}")
PY
