"""What the regression scripts share: the environment for mpirun as root, the check-and-record helper, and
readers of a run's output files (fields.h5 / particles.h5 snapshots, summary.json).

The scripts run as `python3 tests/regression/<name>.py ...`, so this module is found beside them."""
import json
import os

import h5py
import numpy as np

# mpirun as root, without the fault-injection switches a caller's environment might carry.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
for _switch in ("MF_TEST_SIGNAL_AT_STEP", "MF_TEST_NAN_AT_STEP", "MF_TEST_PAUSE_IN_CHECKPOINT"):
    ENV.pop(_switch, None)

failures = []  # the checks that failed, in order (one list per script process)


def expect(cond, what):
    """Prints one check's outcome and records it when it failed."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def snapshots(path, name):
    """[(time, dataset)] of one dataset over the snapshots of a fields.h5 or particles.h5."""
    with h5py.File(path, "r") as f:
        return [(float(np.ravel(f["snapshots"][s].attrs["time"])[0]), f["snapshots"][s][name][()])
                for s in sorted(f["snapshots"].keys())]


def particles_by_id(path):
    """[(time, positions sorted by particle id)] over the snapshots of a particles.h5."""
    out = []
    with h5py.File(path, "r") as f:
        for s in sorted(f["snapshots"].keys()):
            g = f["snapshots"][s]
            out.append((float(np.ravel(g.attrs["time"])[0]), g["positions"][()][np.argsort(g["ids"][()])]))
    return out


def summary(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        return json.load(f)


def run_or_exit(binary, ranks, args):
    """`mpirun -n ranks binary run ARGS --quiet`, echoing its output; a failed run ends the script (exit 1)."""
    import subprocess
    import sys
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run"] + list(args) + ["--quiet"]
    print(" ".join(cmd), flush=True)
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        print(f"FAIL: exit status {p.returncode}")
        sys.exit(1)


def metrics(run_dir):
    """The final metrics of a run (summary.json)."""
    return summary(run_dir)["metrics"]
