#!/usr/bin/python3
"""Faults a run must survive, one per sub-command (docs/workflow.md, "Faults"):

  faults_test.py BINARY SOURCE_DIR sigkill RANKS
      A rank is SIGKILLed while it writes a checkpoint (the test-only hook MF_TEST_PAUSE_IN_CHECKPOINT
      holds it there, half written). The last published output and the previous checkpoint stay
      readable, and --restart from that checkpoint reproduces the uninterrupted run bitwise.
  faults_test.py BINARY SOURCE_DIR full_disk RANKS
      A small tmpfs (mounted in a private mount namespace by unshare, so nothing outlives the test)
      holds the output of a first run; a second, larger run in the same folder fills it. It must stop
      with exit status != 0 and a message naming the file and the cause, and leave the first run's
      published files as they were.
  faults_test.py BINARY SOURCE_DIR nan RANKS
      A NaN is injected into the grid density mid-run (MF_TEST_NAN_AT_STEP). The run stops with exit 3,
      a message naming the view and the time, and the output published up to the last good output time,
      equal to the uninterrupted run's.
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

from mf_check import ENV, expect, snapshots, particles_by_id, summary, failures

SKIP = 77  # ctest SKIP_RETURN_CODE


def command(binary, ranks, source, out, sets=()):
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run",
           os.path.join(source, "inputs/continuity/rotation_2d.yaml"), "--quiet", "--set", f"output.dir={out}",
           "--set", "domain.cells=[32,32]", "--set", "lagrangian.particles=2000", "--set", "time.end=1.0",
           "--set", "output.every=0.25", "--set", "diagnostics.w2=none"]
    for s in sets:
        cmd += ["--set", s]
    return cmd


def same_output(ref, got, label, upto=None):
    """Snapshots of `got` equal those of `ref` bitwise (all of them, or those with time <= upto)."""
    for name, key, reader in [("fields.h5", "density", snapshots), ("particles.h5", None, particles_by_id)]:
        a = reader(os.path.join(ref, name), key) if key else reader(os.path.join(ref, name))
        b = reader(os.path.join(got, name), key) if key else reader(os.path.join(got, name))
        if upto is not None:
            a = [x for x in a if x[0] <= upto + 1e-12]
        expect([t for t, _ in a] == [t for t, _ in b], f"{label}: {name} snapshot times {[round(t, 4) for t, _ in b]}")
        expect(all(np.array_equal(x, y) for (_, x), (_, y) in zip(a, b)), f"{label}: {name} snapshots bitwise equal")


def sigkill(binary, source, ranks, work):
    ref = os.path.join(work, "ref")
    sets = ["output.checkpoint_steps=6"]
    p = subprocess.run(command(binary, ranks, source, ref, sets), env=ENV, capture_output=True, text=True)
    expect(p.returncode == 0, f"uninterrupted run exits 0 {p.stderr[-500:]}")
    out = os.path.join(work, "killed")
    run = subprocess.Popen(command(binary, ranks, source, out, sets), env=dict(ENV, MF_TEST_PAUSE_IN_CHECKPOINT="2"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    pauses, killed = 0, None
    for line in run.stderr:
        if "checkpoint write paused" in line:
            pauses += 1
            if pauses == 5:  # four checkpoints (one at t = 0.25) are complete; kill a rank inside the fifth
                killed = int(line.split("pid ")[1].split(")")[0])
                os.kill(killed, signal.SIGKILL)
                break
    try:
        run.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
    expect(killed is not None, f"a rank (pid {killed}) was killed inside the fifth checkpoint write")
    expect(run.returncode != 0, f"the killed run exits non-zero ({run.returncode})")
    with h5py.File(os.path.join(out, "checkpoint.h5"), "r") as f:
        t_ck = float(np.ravel(f.attrs["time"])[0])
        expect(f.attrs["format"] in (b"measureflow-checkpoint-2", "measureflow-checkpoint-2"),
               f"checkpoint.h5 readable (t = {t_ck:.4g})")
    s = summary(out)
    expect(s["metrics"].get("run.completed") == 0, f"published summary.json readable (t = {s['final_time']:.4g})")
    # Each checkpoint publishes first: the published output reaches at least the checkpoint's time and
    # holds every snapshot the uninterrupted run wrote up to its own time.
    expect(s["final_time"] >= t_ck, f"the published output is not behind the checkpoint ({s['final_time']:.4g} >= {t_ck:.4g})")
    published = [t for t, _ in snapshots(os.path.join(out, "fields.h5"), "density")]
    expected = [t for t, _ in snapshots(os.path.join(ref, "fields.h5"), "density") if t <= s["final_time"] + 1e-12]
    expect(published == expected, f"published fields.h5 readable with every snapshot up to then ({published})")
    p = subprocess.run(command(binary, ranks, source, out, sets + []) + ["--restart", os.path.join(out, "checkpoint.h5")],
                       env=ENV, capture_output=True, text=True)
    expect(p.returncode == 0, f"restart from the surviving checkpoint exits 0 {p.stderr[-500:]}")
    if p.returncode == 0:
        same_output(ref, out, "after SIGKILL and restart")
        a, b = summary(ref)["metrics"], summary(out)["metrics"]
        expect(a == b, "summary metrics bitwise equal to the uninterrupted run")


def full_disk_inner(binary, source, ranks, work):
    disk = os.path.join(work, "disk")
    os.makedirs(disk)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", disk], check=True)
    out = os.path.join(disk, "run")
    p = subprocess.run(command(binary, ranks, source, out), env=ENV, capture_output=True, text=True)
    expect(p.returncode == 0, f"first run fits on the 1.2 MB disk {p.stderr[-500:]}")
    before = {n: open(os.path.join(out, n), "rb").read() for n in sorted(os.listdir(out)) if not n.endswith(".tmp")}
    big = ["domain.cells=[160,160]", "lagrangian.particles=40000", "output.every=0.125"]
    p = subprocess.run(command(binary, ranks, source, out, big), env=ENV, capture_output=True, text=True)
    message = p.stderr + p.stdout
    print("     message: " + " | ".join(l for l in message.splitlines() if "measureflow" in l)[:600])
    expect(p.returncode not in (0, 4) and p.returncode < 128, f"the run that fills the disk exits with an error ({p.returncode})")
    expect("No space left on device" in message or "disk full" in message.lower(),
           "its message says the disk is full")
    expect(".h5" in message, "its message names the file")
    after = {n: open(os.path.join(out, n), "rb").read() for n in sorted(os.listdir(out)) if not n.endswith(".tmp")}
    changed = [n for n in before if before[n] != after.get(n)]
    # deck.resolved.yaml is the one file a run writes before it starts computing.
    expect(changed in ([], ["deck.resolved.yaml"]), f"the first run's published files are intact (changed: {changed})")
    expect(len(snapshots(os.path.join(out, "fields.h5"), "density")) == 5, "its fields.h5 still opens with its 5 snapshots")


def full_disk(binary, source, ranks, work):
    inner = [sys.executable, os.path.abspath(__file__), binary, source, "full_disk_inner", str(ranks), work]
    attempts = [["unshare", "--mount", "--propagation", "private"]] if os.geteuid() == 0 else []
    attempts.append(["unshare", "--mount", "--map-root-user", "--propagation", "private"])
    for prefix in attempts:
        probe = subprocess.run(prefix + ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", work], capture_output=True)
        if probe.returncode == 0:
            p = subprocess.run(prefix + inner, env=ENV, text=True)
            return p.returncode
    print("SKIPPED: cannot mount a tmpfs in a private mount namespace here (unshare --mount refused)")
    return SKIP


def nan(binary, source, ranks, work):
    ref = os.path.join(work, "ref")
    p = subprocess.run(command(binary, ranks, source, ref), env=ENV, capture_output=True, text=True)
    expect(p.returncode == 0, "uninterrupted run exits 0")
    steps = summary(ref)["steps"]
    at = (3 * steps) // 5
    out = os.path.join(work, "nan")
    p = subprocess.run(command(binary, ranks, source, out), env=dict(ENV, MF_TEST_NAN_AT_STEP=str(at)),
                       capture_output=True, text=True)
    expect(p.returncode == 3, f"NaN injected at step {at} of {steps}: exit 3 (got {p.returncode})")
    lines = [l for l in p.stderr.splitlines() if l.startswith("measureflow:")]
    expect(any("eulerian density is not finite" in l and "t = " in l for l in lines),
           f"the message names the view, the problem and the time: {lines[:1]}")
    expect("last good output kept" in p.stderr, "the message says where the last good output is")
    s = summary(out)
    expect(s["metrics"].get("run.completed") == 0 and s["steps"] == at,
           f"summary.json published with run.completed = 0 at step {s['steps']}")
    last_good = max(t for t, _ in snapshots(os.path.join(out, "fields.h5"), "density"))
    expect(last_good < s["final_time"], f"the last snapshot (t = {last_good:.4g}) precedes the failure (t = {s['final_time']:.4g})")
    same_output(ref, out, "last good output", upto=last_good)


def main():
    binary, source, what, ranks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if what == "full_disk_inner":
        full_disk_inner(binary, source, ranks, sys.argv[5])
        sys.exit(1 if failures else 0)
    work = tempfile.mkdtemp(prefix=f"mf_fault_{what}_")
    try:
        rc = {"sigkill": sigkill, "full_disk": full_disk, "nan": nan}[what](binary, source, ranks, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if rc == SKIP:
        sys.exit(SKIP)
    if rc:
        failures.append(f"inner run exited {rc}")
    print(f"{what}: {'FAILED ' + str(len(failures)) + ' checks' if failures else 'all checks passed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
