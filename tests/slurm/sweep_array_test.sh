#!/usr/bin/env bash
# SLURM test of jobs/ with the real program, inside tests/slurm/slurm_cluster.sh:
#   sweep_array_test.sh MEASUREFLOW_BINARY
# 1. `measureflow sweep` expands the shipped inputs/continuity/translation_convergence.yaml (100, 200,
#    400 cells); jobs/convergence.sh submits it as a job array (2 MPI ranks per task through srun) plus
#    the afterok collect-and-plot job, and waits. Checked: every variant ran in its own array task on
#    2 ranks, logs sit next to the outputs, sweep-collect listed all three, and the fitted order of
#    eulerian.l1_error (>= 1.8) is the least-squares slope of the summaries' own values.
# 2. Resubmitting the whole study skips the finished variants (their outputs are untouched) and reruns
#    a deleted one, which reproduces its error bit for bit.
# 3. jobs/run.sbatch (mpirun launcher) is sent SIGUSR1 the way `--signal=B:USR1@120` does before the
#    time limit: the run writes a checkpoint and exits 4, the job resubmits itself, the new job continues
#    with --restart, and the final output equals an uninterrupted run's bit for bit.
# 4. The same for a sweep task on 2 ranks launched by srun (sbatch'ed directly, so sweep.sbatch finds
#    itself through scontrol): it resubmits only its task, and the continuation matches the 1-rank
#    reference (grid and particles bitwise, metrics to 1e-9: error metrics subtract nearly equal numbers, magnifying the round-off of sums taken in another order).
set -euo pipefail
bin=$(readlink -f "${1:?usage: sweep_array_test.sh MEASUREFLOW_BINARY}")
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/mf-sweep-test.XXXXXX)
trap '[ "${MF_SLURM_KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
chmod 755 "$work"
export MF_BIN=$bin MF_LAUNCHER=srun
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# SLURM hands each task 2 "free" CPUs of a 2-core machine that is busy with other work: ranks that
# busy-poll then wait on each other for whole scheduler slices (a 1 s run took minutes). Yield instead.
export OMPI_MCA_mpi_yield_when_idle=1
start=$SECONDS
# sbatch --wait polls with a growing interval (~30 s late here); poll the queue instead
wait_queue_empty() {
  for _ in $(seq 1200); do [ -z "$(squeue -h -o %A)" ] && return 0; sleep 0.1; done
  fail "jobs still queued after 120 s: $(squeue)"
}
say() { echo "[$((SECONDS - start)) s] $*"; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/sweep/logs/* "$work"/sweep/v*/out/measureflow.log "$work"/single/*.out "$work"/single/out/measureflow.log; do
    [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }
  done
  exit 1
}

# --- 1. sweep -> array -> collect ----------------------------------------------------------------------
cd "$work"
"$bin" sweep "$src/inputs/continuity/translation_convergence.yaml" --out sweep >sweep.txt || fail "measureflow sweep: $(cat sweep.txt)"
grep -q "sbatch --array=0-2 jobs/sweep.sbatch" sweep.txt || fail "sweep did not print the submission: $(cat sweep.txt)"
MF_SBATCH_ARGS="--ntasks=2" "$src/jobs/convergence.sh" sweep >submit.txt || fail "convergence.sh returned $?: $(cat submit.txt)"
wait_queue_empty
array_id=$(awk '/^array/ {print $2}' submit.txt)
say "array $array_id and its collect job finished"

/usr/bin/python3 - "$work/sweep" "$array_id" <<'PY' || fail "sweep results"
import csv, json, os, sys
import numpy as np
d, array = sys.argv[1], sys.argv[2]
index = json.load(open(os.path.join(d, "sweep.json")))
cells = [v["values"]["domain.cells"][0] for v in index["variants"]]
assert cells == [100, 200, 400], cells
errors = []
for v in index["variants"]:
    s = json.load(open(os.path.join(v["output_dir"], "summary.json")))
    assert s["metrics"]["run.completed"] == 1, f"{v['name']} did not complete"
    assert s["ranks"] == 2, f"{v['name']} ran on {s['ranks']} ranks; srun --mpi=pmix should start 2"
    log = open(os.path.join(v["output_dir"], "measureflow.log")).read()
    tag = f"{v['name']} (task {v['id']} of array {array},"
    assert log.count(tag) == 1 and "srun --mpi=pmix" in log, f"{v['name']}: log does not show one srun run as task {v['id']}"
    assert os.path.getsize(os.path.join(d, "logs", f"sweep-{array}_{v['id']}.out")) > 0, "no array log"
    errors.append(s["metrics"]["eulerian.l1_error"])
# what the collect job produced: sweep-collect's table and convergence.py's fit
rows = list(csv.DictReader(open(os.path.join(d, "collected.csv"))))
assert [r["name"] for r in rows] == ["v0000", "v0001", "v0002"] and all(r["status"] == "ok" for r in rows), rows
assert [json.loads(r["domain.cells"]) for r in rows] == [[100], [200], [400]], "swept key column"
assert [float(r["eulerian.l1_error"]) for r in rows] == errors, "collected.csv differs from the summaries"
col = json.load(open(os.path.join(d, "collected.json")))
assert col["missing"] == [] and col["failed"] == [], col
conv = json.load(open(os.path.join(d, "plots", "convergence.json")))
fit = conv["metrics"]["eulerian.l1_error"]["{}"]
expected = -np.polyfit(np.log(cells), np.log(errors), 1)[0]
assert abs(fit["order"] - expected) < 1e-12, f"fitted {fit['order']}, least squares of the summaries {expected}"
assert fit["order"] >= 1.8, f"observed order {fit['order']} < 1.8 (MC limiter, smooth solution)"
assert os.path.getsize(os.path.join(d, "plots", "convergence_eulerian.l1_error.png")) > 1000
print(f"3 variants on 2 ranks each; L1 errors {errors}; fitted order {fit['order']:.4f}")
PY

# --- 2. resubmission: finished variants skipped, a deleted one rerun ---------------------------------
for i in 0 2; do cp "sweep/v000$i/out/summary.json" "before$i.json"; done
err1=$(/usr/bin/python3 -c 'import json; print(repr(json.load(open("sweep/v0001/out/summary.json"))["metrics"]["eulerian.l1_error"]))')
rm -rf sweep/v0001/out
MF_SBATCH_ARGS="--ntasks=2" "$src/jobs/convergence.sh" sweep >resubmit.txt || fail "resubmission: $(cat resubmit.txt)"
wait_queue_empty
array2=$(awk '/^array/ {print $2}' resubmit.txt)
for i in 0 2; do
  cmp -s "before$i.json" "sweep/v000$i/out/summary.json" || fail "finished variant $i was run again"
  grep -q "v000$i already finished" "sweep/logs/sweep-${array2}_$i.out" || fail "task $i did not report the skip"
  [ "$(grep -c "exited with" "sweep/v000$i/out/measureflow.log")" -eq 1 ] || fail "variant $i ran twice"
done
err1b=$(/usr/bin/python3 -c 'import json; print(repr(json.load(open("sweep/v0001/out/summary.json"))["metrics"]["eulerian.l1_error"]))')
[ "$err1" = "$err1b" ] || fail "rerun variant 1: l1 error $err1b, first run $err1"
grep -q '"missing": \[\]' sweep/collected.json || fail "collect after the rerun still misses a variant"
say "resubmission skipped v0000 and v0002, reran the deleted v0001 (same error $err1)"

# --- 3. run.sbatch: signal -> checkpoint -> resubmitted job continues -> same output ----------------
mkdir -p single
deck=$src/inputs/continuity/rotation_2d.yaml
set_args=(--set domain.cells=[96,96] --set lagrangian.particles=4000 --set time.end=1.2 --set output.every=0.3)
job=$(MF_LAUNCHER=mpirun MF_OUT="$work/single/out" MF_JOBS_DIR="$src/jobs" \
  sbatch --parsable --output="$work/single/first-%j.out" "$src/jobs/run.sbatch" "$deck" "${set_args[@]}")
for _ in $(seq 300); do grep -q "output 1/" single/out/measureflow.log 2>/dev/null && break; sleep 0.1; done
grep -q "output 1/" single/out/measureflow.log || fail "run.sbatch: no progress line"
scancel --batch --signal=USR1 "$job"       # what --signal=B:USR1@120 sends before the time limit
# the reference runs meanwhile, outside SLURM, uninterrupted, on the same single rank
"$bin" run "$deck" --quiet --set output.dir="$work/ref" "${set_args[@]}" >ref.txt 2>&1 || fail "reference run: $(cat ref.txt)"
done_=0
for _ in $(seq 600); do
  /usr/bin/python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["metrics"]["run.completed"] == 1 else 1)' \
    single/out/summary.json 2>/dev/null && { done_=1; break; }
  sleep 0.1
done
[ "$done_" = 1 ] || fail "resubmitted run did not complete"
wait_queue_empty
grep -q "exited with 4" single/out/measureflow.log || fail "first job: the run did not stop with status 4"
grep -q "stopped at a checkpoint; resubmitting" single/out/measureflow.log || fail "no resubmission"
grep -q -- "--restart $work/single/out/checkpoint.h5" single/out/measureflow.log || fail "second job did not pass --restart"
cat >same_output.py <<'PY'
import json, sys
import h5py
import numpy as np
def same_metrics(a, b):
    # same rank count: bitwise; another one sums in another order: the given relative tolerance (floor 1e-13)
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    def same(x, y):
        return x == y or (tol > 0 and x is not None and y is not None and abs(x - y) <= tol * abs(x) + 1e-13)
    # Timings (cross.w2_seconds, cross.w2_cpu_seconds) are measurements of this run, not results.
    return set(a) == set(b) and all(same(a[k], b[k]) for k in a if not k.endswith("_seconds"))
ref, cont = sys.argv[1], sys.argv[2]
def snaps(d, f, name):
    with h5py.File(f"{d}/{f}", "r") as h:
        out = []
        for s in sorted(h["snapshots"]):
            g = h["snapshots"][s]
            x = g[name][()]
            if "ids" in g:
                x = x[np.argsort(g["ids"][()])]
            out.append((float(np.ravel(g.attrs["time"])[0]), x))
        return out
for f, name in (("fields.h5", "density"), ("particles.h5", "positions")):
    a, b = snaps(ref, f, name), snaps(cont, f, name)
    assert [t for t, _ in a] == [t for t, _ in b], f"{f}: times {[t for t, _ in b]} vs {[t for t, _ in a]}"
    assert all(np.array_equal(x, y) for (_, x), (_, y) in zip(a, b)), f"{f}: {name} differs"
sa, sb = (json.load(open(f"{d}/summary.json")) for d in (ref, cont))
assert sa["steps"] == sb["steps"] and same_metrics(sa["metrics"], sb["metrics"]), "summary metrics differ"
print(f"continued run: {len(a)} snapshots, {sb['steps']} steps, fields and particles bitwise equal, metrics "
      + ("bitwise equal" if len(sys.argv) < 4 else f"equal to {sys.argv[3]}"))
PY
/usr/bin/python3 same_output.py "$work/ref" "$work/single/out" || fail "continued run differs from the uninterrupted one"
say "run.sbatch (mpirun): SIGUSR1 -> checkpoint, exit 4 -> resubmitted -> --restart -> bitwise equal output"
# --- 4. a sweep task on 2 ranks (srun) stopped the same way resubmits only itself and continues ----------
cat "$deck" >sig.yaml
printf 'sweep:\n  values:\n    domain.cells: [[96, 96]]\n' >>sig.yaml
"$bin" sweep sig.yaml --out sig "${set_args[@]}" >/dev/null || fail "sweep of sig.yaml"
job=$(sbatch --parsable --ntasks=2 --array=0 --output="$work/sig/task-%A_%a.out" "$src/jobs/sweep.sbatch" sig)
log=sig/v0000/out/measureflow.log
for _ in $(seq 300); do grep -q "output 1/" "$log" 2>/dev/null && break; sleep 0.1; done
grep -q "output 1/" "$log" || fail "sweep task: no progress line"
scancel --batch --signal=USR1 "${job}_0"
wait_queue_empty
grep -q "exited with 4" "$log" && grep -q "resubmitting task 0" "$log" && grep -q -- "--restart" "$log" \
  || fail "sweep task did not stop, resubmit and restart: $(grep -v '^step' "$log")"
# the 2-rank continuation against the 1-rank reference: same grid and particles, metrics to round-off
/usr/bin/python3 same_output.py "$work/ref" "$work/sig/v0000/out" 1e-9 || fail "continued sweep task differs"
say "sweep.sbatch (srun, 2 ranks): SIGUSR1 -> exit 4 -> task 0 resubmitted -> --restart -> same output"
echo "PASS: real sweep array + collect (order >= 1.8), resubmit skip/rerun, checkpoint resubmission under SLURM"
