#!/usr/bin/python3
"""A real run's files hold what docs/output.md and DESIGN.md ("Files") promise, read back with h5py and
an XML parser: attributes, shapes (C order, cells reversed), times, values, XDMF geometry in ParaView's
slowest-first order, summary keys, and no temporary files left behind.

  output_layout_test.py BINARY SOURCE_DIR RANKS
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import h5py
import numpy as np

from mf_check import expect, failures


def main():
    binary, source, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = tempfile.mkdtemp(prefix="mf_output_")
    out = os.path.join(work, "run")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    nx, ny, n_particles = 48, 32, 5000
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", os.path.join(source, "inputs/quickstart.yaml"),
           "--quiet", "--set", f"output.dir={out}", "--set", f"domain.cells=[{nx},{ny}]",
           "--set", f"lagrangian.particles={n_particles}", "--set", "time.end=0.6", "--set", "output.every=0.2",
           "--set", "diagnostics.w2=none"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    expect(proc.returncode == 0, f"run exits 0 (got {proc.returncode}) {proc.stderr[-500:]}")
    if proc.returncode != 0:
        sys.exit(1)
    try:
        names = sorted(os.listdir(out))
        expect(not any(n.endswith(".tmp") for n in names), f"no temporary files left: {names}")
        for n in ["fields.h5", "particles.h5", "run.xmf", "summary.json", "diagnostics.csv", "deck.resolved.yaml"]:
            expect(n in names, f"{n} written")

        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        for key in ["model", "ranks", "steps", "final_time", "wall_seconds", "version", "metrics"]:
            expect(key in summary, f"summary.json has '{key}'")
        expect(summary["ranks"] == ranks, "summary ranks")
        expect(abs(summary["final_time"] - 0.6) < 1e-12, "summary final_time")
        for m in ["eulerian.mass_drift", "eulerian.l1_error", "eulerian.mean_error", "eulerian.cov_error",
                  "lagrangian.mean_error", "lagrangian.cov_error", "cross.l1_eulerian_lagrangian"]:
            expect(m in summary["metrics"], f"metric {m}")

        with h5py.File(os.path.join(out, "fields.h5"), "r") as f:
            expect("model: continuity" in f.attrs["deck"].decode() if isinstance(f.attrs["deck"], bytes)
                   else "model: continuity" in f.attrs["deck"], "fields.h5 deck attribute holds the resolved deck")
            expect(int(np.ravel(f.attrs["ranks"])[0]) == ranks, "fields.h5 ranks attribute")
            expect("version" in f.attrs, "fields.h5 version attribute")
            g = f["grid"]
            expect(int(np.ravel(g.attrs["dim"])[0]) == 2, "grid dim")
            expect(list(np.ravel(g.attrs["cells"])) == [nx, ny], f"grid cells x,y = {list(np.ravel(g.attrs['cells']))}")
            snaps = sorted(f["snapshots"].keys())
            expect(snaps == ["000000", "000001", "000002", "000003"], f"snapshot names {snaps}")
            times = [float(np.ravel(f["snapshots"][s].attrs["time"])[0]) for s in snaps]
            expect(np.allclose(times, [0.0, 0.2, 0.4, 0.6]), f"snapshot times {times}")
            rho0 = f["snapshots/000000/density"][()]
            rho = f["snapshots/000003/density"][()]
            expect(rho.shape == (ny, nx), f"density shape [ny][nx] = {rho.shape}")
            h = (2.0 / nx) * (2.0 / ny)
            mass = rho.sum() * h
            expect(abs(mass - summary["metrics"]["eulerian.mass"]) < 1e-12, f"stored mass {mass} = summary mass")
            expect(rho.min() >= 0.0, "density non-negative")
            # Orientation: the initial mean is (0.4, 0.0) with x along the fastest axis.
            xc = -1.0 + (np.arange(nx) + 0.5) * 2.0 / nx
            yc = -1.0 + (np.arange(ny) + 0.5) * 2.0 / ny
            mx = (rho0.sum(axis=0) * xc).sum() / rho0.sum()
            my = (rho0.sum(axis=1) * yc).sum() / rho0.sum()
            expect(abs(mx - 0.4) < 0.01 and abs(my) < 0.01, f"initial mean from file = ({mx:.4f}, {my:.4f})")

        with h5py.File(os.path.join(out, "particles.h5"), "r") as f:
            snaps = sorted(f["snapshots"].keys())
            expect(len(snaps) == 4, "particle snapshots")
            last = f["snapshots"][snaps[-1]]
            pos, w, ids = last["positions"][()], last["weights"][()], last["ids"][()]
            expect(pos.shape == (n_particles, 2), f"positions N×d {pos.shape}")
            expect(abs(w.sum() - 1.0) < 1e-12, "weights sum to 1")
            expect(sorted(ids.tolist()) == list(range(n_particles)), "ids are 0..N-1 once each")
            expect(abs(float(np.ravel(last.attrs["time"])[0]) - 0.6) < 1e-12, "particle snapshot time")

        tree = ET.parse(os.path.join(out, "run.xmf"))
        root = tree.getroot()
        temporal = [g for g in root.iter("Grid") if g.get("CollectionType") == "Temporal"]
        expect(len(temporal) >= 1, "XDMF temporal collection")
        text = ET.tostring(root, encoding="unicode")
        topo = [t for t in root.iter("Topology") if t.get("TopologyType") == "3DCoRectMesh"]
        expect(len(topo) > 0 and topo[0].get("Dimensions").split() == ["2", str(ny + 1), str(nx + 1)],
               f"3DCoRectMesh point dimensions slowest first (a 2D grid is one cell thick in z): {topo[0].get('Dimensions') if topo else None}")
        expect("Polyvertex" in text, "particles as Polyvertex")
        expect("fields.h5:/snapshots/000000/density" in text, "density referenced with a relative path")
        expect(os.path.join(work, "") not in text, "no absolute paths inside the XDMF")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
