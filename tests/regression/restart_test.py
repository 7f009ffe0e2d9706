#!/usr/bin/python3
"""Checkpoint/restart for real: a run is stopped by a signal mid-way (exit 4, checkpoint.h5 written, the
output so far published), continued with --restart, and its output compared with an uninterrupted run:
bitwise on the same rank count, and again when the continuation uses another rank count.

  restart_test.py BINARY SOURCE_DIR RANKS_FIRST RANKS_CONTINUE
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from mf_check import ENV, expect, snapshots, particles_by_id, failures


def command(binary, ranks, deck, out, extra=()):
    return ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck, "--set", f"output.dir={out}",
            "--set", "domain.cells=[64,64]", "--set", "lagrangian.particles=4000", "--set", "time.end=6.0",
            "--set", "output.every=0.3", "--set", "diagnostics.w2=none", *extra]


def main():
    binary, source, r1, r2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    deck = os.path.join(source, "inputs/continuity/rotation_2d.yaml")
    work = tempfile.mkdtemp(prefix="mf_restart_")
    try:
        ref = os.path.join(work, "ref")
        proc = subprocess.run(command(binary, r1, deck, ref, ["--quiet"]), env=ENV, capture_output=True, text=True)
        expect(proc.returncode == 0, "uninterrupted run")

        out = os.path.join(work, "stopped")
        run = subprocess.Popen(command(binary, r1, deck, out), env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        # Stop it after its first output time has passed (the progress line says so), like SLURM's
        # --signal=USR1@T before the time limit; mpirun forwards SIGUSR1 to every rank.
        seen = []
        for line in run.stdout:
            seen.append(line)
            if "output 1/" in line:
                time.sleep(0.3)
                run.send_signal(signal.SIGUSR1)
                break
        rest, _ = run.communicate(timeout=300)
        text = "".join(seen) + rest
        expect(run.returncode == 4, f"signalled run exits 4 (got {run.returncode})")
        expect(os.path.exists(os.path.join(out, "checkpoint.h5")), "checkpoint.h5 written")
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
        expect(s["metrics"].get("run.completed") == 0, "summary of the stopped run says run.completed = 0")
        stopped_at = s["final_time"]
        expect(0.3 <= stopped_at < 6.0, f"stopped mid-way at t = {stopped_at}")
        expect(len(snapshots(os.path.join(out, "fields.h5"), "density")) >= 2, "output so far published")
        if run.returncode != 4:
            print(text[-3000:])
            raise SystemExit(1)

        # Continue on another copy with a different rank count, then on the same rank count.
        other = os.path.join(work, "other")
        shutil.copytree(out, other)
        proc = subprocess.run(command(binary, r1, deck, out, ["--quiet", "--restart", os.path.join(out, "checkpoint.h5")]),
                              env=ENV, capture_output=True, text=True)
        expect(proc.returncode == 0, f"restart on {r1} ranks exits 0 {proc.stderr[-800:]}")
        proc = subprocess.run(command(binary, r2, deck, other, ["--quiet", "--restart", os.path.join(other, "checkpoint.h5")]),
                              env=ENV, capture_output=True, text=True)
        expect(proc.returncode == 0, f"restart on {r2} ranks exits 0 {proc.stderr[-800:]}")

        a = snapshots(os.path.join(ref, "fields.h5"), "density")
        for label, d in [(f"{r1} ranks", out), (f"{r2} ranks", other)]:
            b = snapshots(os.path.join(d, "fields.h5"), "density")
            expect([t for t, _ in a] == [t for t, _ in b], f"{label}: same snapshot times {[t for t, _ in b]}")
            expect(all(np.array_equal(x, y) for (_, x), (_, y) in zip(a, b)), f"{label}: every density snapshot bitwise equal")
            pa, pb = particles_by_id(os.path.join(ref, "particles.h5")), particles_by_id(os.path.join(d, "particles.h5"))
            expect(len(pa) == len(pb) and all(np.array_equal(x, y) for (_, x), (_, y) in zip(pa, pb)),
                   f"{label}: every particle snapshot equal (by id)")
            with open(os.path.join(ref, "summary.json")) as f:
                ma = json.load(f)
            with open(os.path.join(d, "summary.json")) as f:
                mb = json.load(f)
            expect(ma["steps"] == mb["steps"], f"{label}: same step count ({ma['steps']} vs {mb['steps']})")
            same = label.startswith(str(r1))
            # Another rank count sums in another order: the moments agree to round-off, error metrics
            # (differences of nearly equal numbers) to 1e-9 relative, with an absolute floor of 1e-13 for
            # metrics that are themselves round-off (integrator errors of 1e-12, mass drifts of 1e-16).
            diffs = {k: abs(ma["metrics"][k] - mb["metrics"][k]) for k in ma["metrics"] if k in mb["metrics"]}
            bad = [k for k, d in diffs.items() if (d != 0.0 if same else d > 1e-9 * abs(ma["metrics"][k]) + 1e-13)]
            expect(not bad and set(ma["metrics"]) == set(mb["metrics"]), f"{label}: metrics agree (differing: {bad})")
            with open(os.path.join(d, "diagnostics.csv")) as f:
                rows = f.read().strip().splitlines()
            expect(len(rows) == 1 + len(a), f"{label}: diagnostics.csv has every output time once ({len(rows) - 1})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
