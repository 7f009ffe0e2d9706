#!/usr/bin/env bash
# HARNESS SELF-TEST ONLY: a stand-in for the `measureflow` executable so the SLURM scripts can be tested
# before the real program lands (the lead switches tests/slurm/sweep_array_test.sh to the real binary).
#   fake_measureflow.sh run DECK --set output.dir=DIR [--restart FILE] [...]  -> DIR/summary.json
#   fake_measureflow.sh sweep-collect SWEEPDIR                                  -> SWEEPDIR/collected.json
# The summary follows the pinned keys; its error metric is 3 n^-2 with n = the deck's domain.cells[0], so a
# convergence plot of these runs has a known order. It also records where it ran (SLURM ids, host).
# With MF_FAKE_STOP_ONCE=1 a run without --restart writes DIR/checkpoint.h5 and exits with
# MF_CHECKPOINT_STATUS (4), as the real program will on SIGTERM/SIGUSR1, to test the resubmission path.
set -euo pipefail
cmd=${1:?usage: fake_measureflow.sh run|sweep-collect ...}
shift
exec /usr/bin/python3 - "$cmd" "$@" <<'PY'
import json, os, socket, sys, time
import yaml
cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "sweep-collect":
    d = args[0]
    with open(os.path.join(d, "sweep.json")) as f:
        index = json.load(f)
    rows, missing = [], []
    for v in index["variants"]:
        p = os.path.join(v["output_dir"], "summary.json")
        if os.path.isfile(p):
            with open(p) as f:
                rows.append({"name": v["name"], "values": v["values"], **json.load(f)})
        else:
            missing.append(v["name"])
    with open(os.path.join(d, "collected.json"), "w") as f:
        json.dump({"rows": rows, "missing": missing}, f, indent=1)
    print(f"fake sweep-collect: {len(rows)} rows, missing {missing}")
    sys.exit(0)
if cmd != "run":
    sys.exit(f"fake_measureflow: unknown command {cmd}")
deck_path, out, restart = args[0], None, None
i = 1
while i < len(args):
    if args[i] == "--set" and args[i + 1].startswith("output.dir="):
        out = args[i + 1].split("=", 1)[1]; i += 2
    elif args[i] == "--restart":
        restart = args[i + 1]; i += 2
    else:
        i += 1
with open(deck_path) as f:
    deck = yaml.safe_load(f)
out = out or deck["output"]["dir"]
n = deck["domain"]["cells"][0]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "invocations.txt"), "a") as f:
    f.write(f"{os.environ.get('SLURM_JOB_ID')} restart={restart}\n")
if os.environ.get("MF_FAKE_STOP_ONCE") == "1" and restart is None:
    with open(os.path.join(out, "checkpoint.h5"), "w") as f:
        f.write("fake checkpoint\n")
    print("fake measureflow: stopped, checkpoint written")
    sys.exit(int(os.environ.get("MF_CHECKPOINT_STATUS", "4")))
start = time.time()
summary = {"model": deck.get("model", "continuity"), "ranks": int(os.environ.get("SLURM_NTASKS", "1")),
           "steps": 4 * n, "final_time": float(deck.get("time", {}).get("end", 1.0)),
           "wall_seconds": time.time() - start, "version": "fake-harness",
           "metrics": {"eulerian.l1_error": 3.0 * n ** -2.0, "eulerian.mass_drift": 0.0},
           "provenance": {"host": socket.gethostname(), "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
                          "slurm_array_task_id": os.environ.get("SLURM_ARRAY_TASK_ID"),
                          "slurm_step_id": os.environ.get("SLURM_STEP_ID"), "restart": restart}}
with open(os.path.join(out, "summary.json.tmp"), "w") as f:
    json.dump(summary, f, indent=1)
os.replace(os.path.join(out, "summary.json.tmp"), os.path.join(out, "summary.json"))
print(f"fake measureflow: wrote {out}/summary.json")
PY
