#!/bin/bash
# The final risk of a ReLU student against the number of neurons n (issue 15, docs/mean_field.md): the
# shipped inputs/mean_field/relu_population.yaml (4-neuron teacher in d = 10, exact population risk) at
# n = 10, 100, 1000, 10000 (or the n given as arguments), RANKS ranks (default 2), to time END (default
# the deck's 40). Prints one markdown row per n: risk at t = 0, final risk, teacher alignment, seconds.
# SAMPLES=N: the same teacher with N sampled data (inputs/mean_field/relu_teacher.yaml, data.samples = N)
# instead of the population risk, whose all-pairs cost makes n = 10⁴ take hours.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${MF_BINARY:-$here/build/measureflow}
ranks=${RANKS:-2}
end=${END:-40}
out=${OUT:-/tmp/mean_field_width_table}
deck=$here/inputs/mean_field/relu_population.yaml
extra=()
if [ -n "${SAMPLES:-}" ]; then
  deck=$here/inputs/mean_field/relu_teacher.yaml
  extra=(--set data.samples="$SAMPLES")
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10 100 1000 10000)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); $(basename "$deck") ${extra[*]}"
echo "| n | risk(0) | risk(t=$end) | teacher_alignment | wall s ($ranks ranks) |"
echo "|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  start=$(date +%s.%N)
  mpirun --oversubscribe -np "$ranks" "$bin" run "$deck" --quiet "${extra[@]}" \
    --set output.dir="$out/n$n" --set lagrangian.particles="$n" --set time.end="$end" --set output.every="$end" >/dev/null
  stop=$(date +%s.%N)
  /usr/bin/python3 - "$out/n$n/diagnostics.csv" "$n" "$start" "$stop" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
f0, f1, a = float(rows[0]["lagrangian.risk"]), float(rows[-1]["lagrangian.risk"]), float(rows[-1]["lagrangian.teacher_alignment"])
print(f"| {sys.argv[2]} | {f0:.4g} | {f1:.4g} | {a:.3f} | {float(sys.argv[4]) - float(sys.argv[3]):.0f} |")
PY
done
