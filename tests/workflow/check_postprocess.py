#!/usr/bin/python3
"""ctest checks of postprocess/.

compare, inspect, render: run the real measureflow on a small deck (2D rotation, 32 x 24 cells so a
swapped axis shows), then check what each script reports against the HDF5 files read here with h5py
and against the program's own diagnostics.csv. convergence: a synthetic sweep (make-believe summaries
with a known order, a missing variant, a second swept key) plus a real local sweep of the shipped
translation_convergence.yaml.

Usage: check_postprocess.py compare|convergence|inspect|render SOURCE_DIR MEASUREFLOW_BINARY
Exit 0 pass, 1 fail, 77 skip (ParaView or xvfb not installed).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
POST = os.path.join(SRC, "postprocess")
PY = "/usr/bin/python3"
BIN = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else os.path.join(SRC, "build", "measureflow")
CELLS = (32, 24)


def close(a, b, rel=1e-12, what=""):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    assert a.shape == b.shape and np.all(np.abs(a - b) <= rel * scale), f"{what}: got {a}, expected {b}"


def run(cmd, **kw):
    env = dict(os.environ, MPLBACKEND="Agg")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, **kw)
    if p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def tagged_json(out, tag):
    lines = [l for l in out.splitlines() if l.startswith(tag + ": ")]
    assert len(lines) == 1, f"expected one '{tag}:' line in\n{out}"
    return json.loads(lines[0][len(tag) + 2:])


def real_run(tmp, particles=2000):
    """Runs measureflow on the shipped rotation deck at a small size; returns (outdir, truth read with h5py)."""
    import h5py
    import yaml
    d = os.path.join(tmp, "run")
    run([BIN, "run", os.path.join(SRC, "inputs/continuity/rotation_2d.yaml"), "--quiet", "--set", f"output.dir={d}",
         "--set", f"domain.cells=[{CELLS[0]},{CELLS[1]}]", "--set", f"lagrangian.particles={particles}"])
    t = {"times": [], "density": [], "fields": [], "positions": [], "weights": [], "ids": [], "ptimes": []}
    with h5py.File(os.path.join(d, "fields.h5"), "r") as f:
        g = f["grid"].attrs
        t["lower"], t["upper"], t["cells"] = (np.array(g[k], dtype=float) for k in ("lower", "upper", "cells"))
        for name in sorted(f["snapshots"]):
            snap = f["snapshots"][name]
            t["times"].append(float(np.ravel(snap.attrs["time"])[0]))
            t["density"].append(snap["density"][()])
            t["fields"].append(sorted(snap.keys()))
    with h5py.File(os.path.join(d, "particles.h5"), "r") as f:
        for name in sorted(f["snapshots"]):
            snap = f["snapshots"][name]
            t["ptimes"].append(float(np.ravel(snap.attrs["time"])[0]))
            for k in ("positions", "weights", "ids"):
                t[k].append(snap[k][()])
    with open(os.path.join(d, "deck.resolved.yaml")) as f:
        t["deck"] = yaml.safe_load(f)
    assert tuple(t["cells"]) == CELLS and t["density"][0].shape == CELLS[::-1], "run did not use the requested grid"
    assert t["ptimes"] == t["times"] and len(t["times"]) >= 3, f"snapshot times {t['times']} / {t['ptimes']}"
    return d, t


def rotation_exact(deck, time):
    """The rotation deck's closed form, written out here: v = A x with A = [[0, -1], [1, 0]] turns by angle t."""
    assert deck["velocity"]["A"] == [[0.0, -1.0], [1.0, 0.0]] and deck["velocity"]["b"] == [0.0, 0.0]
    c, s = math.cos(time), math.sin(time)
    rot = np.array([[c, -s], [s, c]])
    m0, c0 = np.array(deck["initial"]["mean"]), np.array(deck["initial"]["cov"])
    return rot @ m0, rot @ c0 @ rot.T


def check_compare(tmp):
    import csv
    d, T = real_run(tmp)
    out = run([PY, os.path.join(POST, "compare.py"), d])
    r = tagged_json(out, "compare")
    with open(os.path.join(d, "diagnostics.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(r["snapshots"]) == len(T["times"]) == len(rows), "one entry per snapshot"
    h = (T["upper"] - T["lower"]) / T["cells"]
    xc = T["lower"][0] + h[0] * (np.arange(CELLS[0]) + 0.5)
    for k, got in enumerate(r["snapshots"]):
        t, rho = T["times"][k], T["density"][k]
        assert got["time"] == t, f"time {got['time']} vs {t}"
        assert [got["density_min"], got["density_max"]] == [float(rho.min()), float(rho.max())], f"density range t={t}"
        close(got["grid_mass"], rho.sum() * h.prod(), what=f"grid mass t={t}")
        close(got["grid_mass"], float(rows[k]["eulerian.mass"]), 1e-12, what=f"grid mass vs program t={t}")
        n = len(T["ids"][k])
        w, x = T["weights"][k], T["positions"][k]
        assert got["particle_count"] == n == 2000, f"particle count {got['particle_count']}"
        close(got["particle_mean"], (w[:, None] * x).sum(0) / w.sum(), what=f"particle mean t={t}")
        m, c = rotation_exact(T["deck"], t)
        close(got["exact_mean"], m, 1e-12, what=f"closed-form mean t={t}")
        close(got["exact_cov"], c, 1e-12, what=f"closed-form cov t={t}")
        # the script's moments reproduce the program's own error metrics (same definitions)
        scale = math.sqrt(np.trace(c))
        for view, key in (("eulerian", "grid_mean"), ("lagrangian", "particle_mean")):
            mine = np.linalg.norm(np.array(got[key]) - m) / scale
            prog = float(rows[k][f"{view}.mean_error"])
            assert abs(mine - prog) <= 1e-8 * prog + 1e-12, f"{view}.mean_error t={t}: script {mine}, program {prog}"
        # the slice is the grid row holding the grid mean's y, against the closed form at the cell centres
        j = int(math.floor((got["grid_mean"][1] - T["lower"][1]) / h[1]))
        close(got["slice_at"], [T["lower"][1] + h[1] * (j + 0.5)], what=f"slice row t={t}")
        pts = np.column_stack([xc, np.full(CELLS[0], got["slice_at"][0])])
        diff = pts - m
        exact = np.exp(-0.5 * np.einsum("ni,ij,nj->n", diff, np.linalg.inv(c), diff)) / (2 * math.pi * math.sqrt(np.linalg.det(c)))
        close(got["slice_max_abs_grid_minus_exact"], np.max(np.abs(rho[j] - exact)), 1e-10, what=f"slice error t={t}")
        if k == 0:   # exact cell averages vs point values: O(h^2); the neighbouring row would be ~16 % off
            assert got["slice_max_abs_grid_minus_exact"] < 0.05 * rho.max(), f"initial slice {got['slice_max_abs_grid_minus_exact']}"
    for name in rows[0]:
        # Metrics computed only at some outputs (e.g. the final-time W2) leave empty cells: NaN.
        expected = [float(row[name]) if row[name].strip() else float("nan") for row in rows]
        got = [float("nan") if v is None else v for v in r["diagnostics"][name]]
        assert np.array_equal(np.array(got, dtype=float), np.array(expected), equal_nan=True), f"diagnostics column {name}"
    with open(os.path.join(d, "summary.json")) as f:
        assert r["summary_metrics"] == json.load(f)["metrics"], "summary metrics"
    for name in ["metrics_over_time.png", "moments_over_time.png"] + [f"slice_{k:06d}.png" for k in range(len(T["times"]))]:
        p = os.path.join(d, "plots", name)
        assert os.path.getsize(p) > 1000 and f"wrote {p}" in out, f"{p} not written or not printed"
    # a density stored with its axes swapped (32 x 24 read as 24 x 32) is refused, naming the file and shapes
    import h5py
    with h5py.File(os.path.join(d, "fields.h5"), "r+") as f:
        rho = f["snapshots/000001/density"][...]
        del f["snapshots/000001/density"]
        f["snapshots/000001/density"] = rho.T
    p = subprocess.run([PY, os.path.join(POST, "compare.py"), d], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "fields.h5" in p.stderr and str(rho.T.shape) in p.stderr, \
        f"swapped axes: exit {p.returncode}, stderr {p.stderr}"
    print(f"compare.py on a real run: {len(T['times'])} snapshots; times, density ranges, masses, particle means, "
          "closed form, the program's mean errors, slice row and error, diagnostics and summary match")


def midpoint_error(n, mean=0.3, sd=0.2):
    """|midpoint rule - exact| for the mass of N(mean, sd^2) on [-1, 1] with n cells: a true O(h^2) error."""
    h = 2.0 / n
    c = -1.0 + h * (np.arange(n) + 0.5)
    quad = h * np.sum(np.exp(-0.5 * ((c - mean) / sd) ** 2)) / (sd * math.sqrt(2 * math.pi))
    exact = 0.5 * (math.erf((1 - mean) / (sd * math.sqrt(2))) - math.erf((-1 - mean) / (sd * math.sqrt(2))))
    return abs(quad - exact)


def check_convergence(tmp):
    d = os.path.join(tmp, "sweep")
    variants, k = [], 0
    cells, particles = [16, 32, 64, 128], [1000, 4000]
    for n in cells:
        for p in particles:
            name = f"v{k:04d}"
            out = os.path.join(d, name, "out")
            variants.append({"id": k, "name": name, "values": {"domain.cells": [n, n], "lagrangian.particles": p},
                             "deck": os.path.join(d, name, "deck.yaml"), "output_dir": out})
            if not (n == 16 and p == 4000):           # one variant failed: must be listed, not dropped
                os.makedirs(out)
                with open(os.path.join(out, "summary.json"), "w") as f:
                    json.dump({"model": "continuity", "ranks": 1, "steps": n, "final_time": 1.0, "wall_seconds": 0.1,
                               "version": "t", "metrics": {"eulerian.l1_error": midpoint_error(n),
                                                           "lagrangian.mean_error": 0.5 / math.sqrt(p)}}, f)
            k += 1
    with open(os.path.join(d, "sweep.json"), "w") as f:
        json.dump({"deck": "x.yaml", "mode": "product", "keys": ["domain.cells", "lagrangian.particles"],
                   "variants": variants}, f)
    out = run([PY, os.path.join(POST, "convergence.py"), d])
    r = tagged_json(out, "convergence")
    assert r["resolution_key"] == "domain.cells"
    assert r["missing"] == ["v0001"] and "missing: v0001" in out, f"missing list {r['missing']}"
    for p in particles:
        g = r["metrics"]["eulerian.l1_error"][json.dumps({"lagrangian.particles": p})]
        ns = [n for n in cells if not (n == 16 and p == 4000)]
        close(g["n"], ns, what="resolutions")
        expected = -np.polyfit(np.log(ns), np.log([midpoint_error(n) for n in ns]), 1)[0]
        close(g["order"], expected, 1e-9, what=f"fitted order, particles={p}")
        assert abs(g["order"] - 2.0) < 0.15, f"midpoint rule is second order, fitted {g['order']}"
    for m in ("eulerian.l1_error", "lagrangian.mean_error"):
        assert os.path.getsize(os.path.join(d, "plots", f"convergence_{m}.png")) > 1000
    out = run([PY, os.path.join(POST, "convergence.py"), d, "--key", "lagrangian.particles", "--metric", "lagrangian.mean_error"])
    r = tagged_json(out, "convergence")
    groups = r["metrics"]["lagrangian.mean_error"]
    assert len(groups) == len(cells), f"one line per cell count, got {list(groups)}"
    for g in groups.values():
        if len(g["n"]) == 1:
            assert g["order"] is None, "no order from a single point"
        else:
            close(g["order"], 0.5, 1e-9, what="Monte Carlo order in particles")
    p = subprocess.run([PY, os.path.join(POST, "convergence.py"), tmp], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "sweep.json" in p.stderr, f"no index: exit {p.returncode}, {p.stderr}"
    # a real sweep of the shipped convergence deck, run here one variant after the other
    real = os.path.join(tmp, "real")
    run([BIN, "sweep", os.path.join(SRC, "inputs/continuity/translation_convergence.yaml"), "--out", real])
    index = json.load(open(os.path.join(real, "sweep.json")))
    for v in index["variants"]:
        run([BIN, "run", v["deck"], "--quiet"])
    r = tagged_json(run([PY, os.path.join(POST, "convergence.py"), real]), "convergence")
    g = r["metrics"]["eulerian.l1_error"]["{}"]
    errs = [json.load(open(os.path.join(v["output_dir"], "summary.json")))["metrics"]["eulerian.l1_error"] for v in index["variants"]]
    assert g["n"] == [100.0, 200.0, 400.0] and g["error"] == errs, f"read {g['n']} {g['error']}, summaries say {errs}"
    close(g["order"], -np.polyfit(np.log([100, 200, 400]), np.log(errs), 1)[0], 1e-12, what="fitted order of the real sweep")
    assert g["order"] >= 1.8, f"translation_convergence.yaml: observed order {g['order']} < 1.8"
    assert r["missing"] == [], r["missing"]
    print(f"convergence.py: fitted orders (2 for the midpoint rule, 0.5 in particles) and the missing variant are "
          f"reported; real sweep of translation_convergence.yaml: order {g['order']:.4f}")


def need(tool):
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} not installed (scripts/setup.sh installs paraview, xvfb)")
        sys.exit(77)


def check_inspect(tmp):
    need("pvpython")
    d, T = real_run(tmp)
    for reader in ("XDMFReader", "Xdmf3ReaderS", "Xdmf3ReaderT"):
        os.environ["MF_XDMF_READER"] = reader
        out = run(["pvpython", os.path.join(POST, "inspect_xdmf.py"), os.path.join(d, "run.xmf")], cwd=tmp)
        check_inspect_report(json.loads(out[out.index("{"):]), T, reader)
    print(f"inspect_xdmf.py: ParaView (XDMFReader, Xdmf3ReaderS, Xdmf3ReaderT) sees the run's {len(T['times'])} time "
          "steps, its arrays and their ranges, cell and particle counts and bounds as in the HDF5 files")


def check_inspect_report(r, T, reader):
    close(r["time_steps"], T["times"], 1e-14, what=f"{reader}: time steps")
    assert len(r["steps"]) == len(T["times"]), f"{reader}: {len(r['steps'])} steps"
    for k, step in enumerate(r["steps"]):
        t, rho = T["times"][k], T["density"][k]
        # the XDMF reader labels step k's blocks "grid[k]", "particles[k]"; the Xdmf3 readers name them by content
        names = {n.split("[")[0]: n for n in step["blocks"]}
        assert sorted(names) == ["grid", "particles"] and len(step["blocks"]) == 2, f"{reader}: blocks {list(step['blocks'])}"
        g, p = step["blocks"][names["grid"]], step["blocks"][names["particles"]]
        assert g["cells"] == CELLS[0] * CELLS[1], f"{reader}: grid cells {g['cells']}"
        assert sorted(g["cell_arrays"]) == T["fields"][k], f"{reader}: cell arrays {sorted(g['cell_arrays'])} vs {T['fields'][k]}"
        assert g["cell_arrays"]["density"]["tuples"] == rho.size
        close(g["cell_arrays"]["density"]["range"], [rho.min(), rho.max()], 1e-14, what=f"{reader}: density range t={t}")
        close(g["bounds"][:4], [T["lower"][0], T["upper"][0], T["lower"][1], T["upper"][1]], 1e-14, what="grid bounds")
        x, w, ids = T["positions"][k], T["weights"][k], T["ids"][k]
        assert p["points"] == p["cells"] == len(ids), f"{reader}: particles {p['points']} points {p['cells']} cells"
        assert sorted(p["point_arrays"]) == ["ids", "weights"], p["point_arrays"]
        close(p["point_arrays"]["ids"]["range"], [ids.min(), ids.max()], 0, what=f"{reader}: ids range")
        close(p["point_arrays"]["weights"]["range"], [w.min(), w.max()], 1e-14, what=f"{reader}: weights range")
        close(p["bounds"], [x[:, 0].min(), x[:, 0].max(), x[:, 1].min(), x[:, 1].max(), 0, 0], 1e-14,
              what=f"{reader}: particle bounds t={t}")


def check_render(tmp):
    need("pvpython")
    need("xvfb-run")
    import matplotlib.image as mpimg
    d, T = real_run(tmp, particles=200)      # few enough points to leave the density peak visible
    out = run([PY, os.path.join(POST, "render.py"), d, "--size=600x600"], cwd=tmp)
    r = tagged_json(out, "render")
    close(r["time_steps"], T["times"], 1e-14, what="time steps")
    close(r["density_range"], [min(x.min() for x in T["density"]), max(x.max() for x in T["density"])], 1e-14,
          what="one colour scale over all steps")
    assert r["blocks"]["grid"]["cells"] == CELLS[0] * CELLS[1]
    assert r["blocks"]["particles"]["points"] == len(T["ids"][0])
    assert len(r["frames"]) == len(T["times"])
    centroids = []
    for path in r["frames"]:
        img = mpimg.imread(path)[:, :, :3]
        assert img.shape[:2] == (600, 600), img.shape
        particle = (img[:, :, 0] > 0.9) & (img[:, :, 1] > 0.2) & (img[:, :, 1] < 0.45) & (img[:, :, 2] < 0.35)
        assert particle.sum() > 50, f"{path}: particles not visible ({particle.sum()} pixels)"
        # high density in viridis is yellow-green: red and green high, blue low; the colour bar sits at the right edge
        # (lighting darkens it, so take the greenest tenth of the data area)
        area = ~particle & (img[:, :, 2] < 0.6)
        area[:, 500:] = False
        green = np.where(area, img[:, :, 1], 0.0)
        dense = green > 0.9 * green.max()
        assert dense.sum() > 20, f"{path}: no high-density pixels"
        ys, xs = np.nonzero(dense)
        centroids.append((xs.mean(), -ys.mean()))
    # the blob turns on screen the way the exact mean turns (image rows grow downwards)
    m0 = rotation_exact(T["deck"], T["times"][0])[0]
    m2 = rotation_exact(T["deck"], T["times"][-1])[0]
    shift = np.array(centroids[-1]) - np.array(centroids[0])
    for a in range(2):
        assert abs(m2[a] - m0[a]) > 0.1
        assert np.sign(shift[a]) == np.sign(m2[a] - m0[a]), f"axis {a}: blob moved {shift[a]} px, mean moved {m2[a] - m0[a]}"
    # square pixels, square box: the on-screen direction is the mean's direction
    ratio, expected = shift[0] / shift[1], (m2[0] - m0[0]) / (m2[1] - m0[1])
    assert abs(ratio - expected) < 0.25 * abs(expected), f"blob moved in direction {ratio}, mean in {expected}"
    print(f"render.py on a real run: {len(r['frames'])} frames; particles visible, density peak moved {shift} px "
          f"as the exact mean moved {m2 - m0}")


def main():
    checks = {"compare": check_compare, "convergence": check_convergence, "inspect": check_inspect, "render": check_render}
    if len(sys.argv) < 2 or sys.argv[1] not in checks:
        sys.stderr.write(__doc__)
        return 2
    tmp = tempfile.mkdtemp(prefix="mf-post-")
    try:
        checks[sys.argv[1]](tmp)
    except AssertionError as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
