#!/usr/bin/env bash
# SLURM test of jobs/: a 3-variant sweep index submitted as a job array through jobs/convergence.sh
# (array + afterok collect-and-plot job), waited for with sbatch --wait, then checked: every variant's
# summary.json was written inside its own array task, logs sit next to the outputs, the collect job
# fitted the known order, and a resubmission skips every finished variant.
# Run inside tests/slurm/slurm_cluster.sh. MF_BIN defaults to the HARNESS SELF-TEST fake binary;
# set MF_BIN (and a sweep made by `measureflow sweep`) to test the real program.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/mf-sweep-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
export MF_BIN=${MF_BIN:-$src/tests/slurm/fake_measureflow.sh}
export MF_LAUNCHER=${MF_LAUNCHER:-srun}
fail() { echo "FAIL: $*" >&2; for f in "$work"/sweep/logs/* "$work"/sweep/v*/out/measureflow.log; do [ -f "$f" ] && { echo "== $f" >&2; cat "$f" >&2; }; done; exit 1; }

# The sweep index in the format `measureflow sweep` writes (HARNESS: written here until it lands).
/usr/bin/python3 - "$work/sweep" <<'PY'
import json, os, sys
d = sys.argv[1]
variants = []
for i, n in enumerate([16, 32, 64]):
    name = f"v{i:04d}"
    os.makedirs(os.path.join(d, name), exist_ok=True)
    deck = os.path.join(d, name, "deck.yaml")
    with open(deck, "w") as f:
        f.write(f"model: continuity\ndomain: {{dim: 2, lower: [-1, -1], upper: [1, 1], cells: [{n}, {n}]}}\n"
                f"time: {{end: 0.5}}\noutput: {{dir: {d}/{name}/out}}\n")
    variants.append({"id": i, "name": name, "values": {"domain.cells": [n, n]}, "deck": deck,
                     "output_dir": os.path.join(d, name, "out")})
with open(os.path.join(d, "sweep.json"), "w") as f:
    json.dump({"deck": "harness.yaml", "mode": "product", "keys": ["domain.cells"], "variants": variants}, f)
PY

cd "$work"
MF_WAIT=1 "$src/jobs/convergence.sh" "$work/sweep" >"$work/submit.txt" || fail "convergence.sh returned $?: $(cat "$work/submit.txt")"
cat "$work/submit.txt"
array_id=$(awk '/^array/ {print $2}' "$work/submit.txt")

for i in 0 1 2; do
  s="$work/sweep/v000$i/out/summary.json"
  [ -f "$s" ] || fail "variant $i wrote no summary.json"
  /usr/bin/python3 - "$s" "$i" "$array_id" <<'PY' || fail "summary of variant $i"
import json, sys
s = json.load(open(sys.argv[1])); task = sys.argv[2]; array = sys.argv[3]
for k in ("model", "ranks", "steps", "final_time", "wall_seconds", "version", "metrics"):
    assert k in s, f"missing pinned key {k}"
p = s["provenance"]
assert p["slurm_array_task_id"] == task, f"ran as task {p['slurm_array_task_id']}, expected {task}"
assert p["slurm_step_id"] is not None, "not launched through srun (no step id)"
print(f"variant {task}: array task {p['slurm_array_task_id']} job {p['slurm_job_id']} step {p['slurm_step_id']} ok")
PY
  [ -s "$work/sweep/v000$i/out/measureflow.log" ] || fail "no log next to the output of variant $i"
  [ -s "$work/sweep/logs/sweep-${array_id}_$i.out" ] || fail "no array log for task $i"
done
[ -f "$work/sweep/collected.json" ] || fail "collect job did not run sweep-collect"
[ -f "$work/sweep/plots/convergence_eulerian.l1_error.png" ] || fail "collect job made no plot"
/usr/bin/python3 - "$work/sweep/plots/convergence.json" <<'PY' || fail "convergence.json"
import json, sys
r = json.load(open(sys.argv[1]))
g = r["metrics"]["eulerian.l1_error"]
order = list(g.values())[0]["order"]
assert abs(order - 2.0) < 1e-9, f"observed order {order}, the runs were made with order 2"
assert r["missing"] == [], r["missing"]
print(f"collect job: observed order {order:.6f}, no variant missing")
PY

# Resubmission: every variant is finished, so no task may run the program again.
sbatch --wait --array=0-2 --output="$work/sweep/logs/resubmit-%A_%a.out" "$src/jobs/sweep.sbatch" "$work/sweep" >/dev/null \
  || fail "resubmitted array failed"
for i in 0 1 2; do
  runs=$(wc -l <"$work/sweep/v000$i/out/invocations.txt")
  [ "$runs" -eq 1 ] || fail "variant $i ran $runs times; a finished variant must be skipped"
  grep -q "already finished" "$work"/sweep/logs/resubmit-*_$i.out || fail "task $i did not report the skip"
done
echo "resubmission skipped all 3 finished variants"

# A missing variant is run again on resubmission (resubmit-safe in the other direction).
rm "$work/sweep/v0001/out/summary.json"
sbatch --wait --array=1 --output="$work/sweep/logs/rerun-%A_%a.out" "$src/jobs/sweep.sbatch" "$work/sweep" >/dev/null \
  || fail "rerun of variant 1 failed"
[ -f "$work/sweep/v0001/out/summary.json" ] || fail "variant 1 not rerun"
[ "$(wc -l <"$work/sweep/v0001/out/invocations.txt")" -eq 2 ] || fail "variant 1 should have run twice"

# jobs/run.sbatch with the mpirun launcher: a run that stops at a checkpoint (exit 4) is resubmitted by
# the job itself and continues with --restart; the log sits next to the output.
mkdir -p "$work/single"
printf 'model: continuity\ndomain: {dim: 2, cells: [8, 8]}\noutput: {dir: %s}\n' "$work/single/out" >"$work/single/deck.yaml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MF_LAUNCHER=mpirun MF_LAUNCHER_ARGS=--oversubscribe MF_FAKE_STOP_ONCE=1 MF_JOBS_DIR="$src/jobs" \
  sbatch --wait --output="$work/single/slurm-%j.out" "$src/jobs/run.sbatch" "$work/single/deck.yaml" >/dev/null \
  || fail "run.sbatch failed: $(cat "$work"/single/slurm-*.out)"
for _ in $(seq 100); do [ -f "$work/single/out/summary.json" ] && break; sleep 0.3; done
[ -f "$work/single/out/summary.json" ] || fail "resubmitted run wrote no summary: $(cat "$work"/single/slurm-*.out "$work/single/out/measureflow.log")"
grep -q "restart=None" "$work/single/out/invocations.txt" || fail "first run missing"
grep -q "restart=$work/single/out/checkpoint.h5" "$work/single/out/invocations.txt" || fail "second run did not get --restart"
grep -q "stopped at a checkpoint; resubmitting" "$work/single/out/measureflow.log" || fail "no resubmission in the log"
echo "run.sbatch (mpirun): stopped at a checkpoint, resubmitted itself, continued with --restart"
echo "PASS: sweep array, afterok collect, skip and rerun, run.sbatch checkpoint resubmission"
