#!/usr/bin/python3
"""`initial.type: file` continues from an earlier run's output: from fields.h5 the new grid starts with
exactly the stored density (same grid), from particles.h5 with `lagrangian.particles` equal to the stored
count the new particles are exactly the stored ones.

  file_initial_test.py BINARY SOURCE_DIR RANKS
"""
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from mf_check import expect, failures


def run(binary, ranks, deck, *sets):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck, "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
    return proc.returncode


def last(f, name):
    snaps = sorted(f["snapshots"].keys())
    return f["snapshots"][snaps[-1]][name][()], f["snapshots"][snaps[0]][name][()]


def main():
    binary, source, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = tempfile.mkdtemp(prefix="mf_file_initial_")
    try:
        first = os.path.join(work, "first")
        deck = os.path.join(source, "inputs/continuity/shear_2d.yaml")
        common = ["domain.cells=[40,40]", "lagrangian.particles=3000", "time.end=0.3", "output.every=0.3", "diagnostics.w2=none"]
        expect(run(binary, ranks, deck, f"output.dir={first}", *common) == 0, "first run")
        # Continue the grid from fields.h5 (particles are then sampled from the stored grid density).
        second = os.path.join(work, "second")
        expect(run(binary, ranks, deck, f"output.dir={second}", *common,
                   "initial={type: file, path: " + os.path.join(first, "fields.h5") + "}") == 0, "run from fields.h5")
        with h5py.File(os.path.join(first, "fields.h5"), "r") as a, h5py.File(os.path.join(second, "fields.h5"), "r") as b:
            end_a, _ = last(a, "density")
            _, start_b = last(b, "density")
            expect(np.array_equal(end_a, start_b), "grid continues from the stored density exactly")
        with h5py.File(os.path.join(second, "particles.h5"), "r") as b:
            _, w = last(b, "weights")
            expect(abs(w.sum() - end_a.sum() * (2.0 / 40) ** 2) < 1e-12, "particles carry the stored grid mass")
        # Continue the particles from particles.h5 (same count: the very same particles).
        third = os.path.join(work, "third")
        expect(run(binary, ranks, deck, f"output.dir={third}", *common,
                   "initial={type: file, path: " + os.path.join(first, "particles.h5") + "}") == 0, "run from particles.h5")
        with h5py.File(os.path.join(first, "particles.h5"), "r") as a, h5py.File(os.path.join(third, "particles.h5"), "r") as b:
            pa, _ = last(a, "positions")
            ia, _ = last(a, "ids")
            _, pb = last(b, "positions")
            _, ib = last(b, "ids")
            order_a, order_b = np.argsort(ia), np.argsort(ib)
            # The new ids are the stored rows' order; compare as sets of points.
            sa = pa[np.lexsort(pa.T[::-1])]
            sb = pb[np.lexsort(pb.T[::-1])]
            expect(sa.shape == sb.shape and np.array_equal(sa, sb), "particles continue from the stored positions exactly")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
