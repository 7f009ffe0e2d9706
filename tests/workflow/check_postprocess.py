#!/usr/bin/python3
"""ctest checks of postprocess/: each runs one script on a fresh fixture (make_fixture.py) and compares the
values the script reports with the values the fixture was made from.

Usage: check_postprocess.py compare|convergence|inspect|render SOURCE_DIR
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


def fixture(tmp):
    d = os.path.join(tmp, "run")
    run([PY, os.path.join(SRC, "tests/workflow/make_fixture.py"), d])
    with open(os.path.join(d, "fixture_truth.json")) as f:
        return d, json.load(f)


def direct_variances(d, t, truth):
    """Per-axis variances of the stored density, summed cell by cell with x the fastest index."""
    import h5py
    nx, ny = truth["cells"]
    hx, hy = [(u - l) / n for l, u, n in zip(truth["lower"], truth["upper"], truth["cells"])]
    with h5py.File(os.path.join(d, "fields.h5"), "r") as f:
        k = truth["times"].index(t)
        rho = f[f"snapshots/{k:06d}/density"][...]
    m = sx = sy = sxx = syy = 0.0
    for j in range(ny):
        for i in range(nx):
            x, y = truth["lower"][0] + (i + 0.5) * hx, truth["lower"][1] + (j + 0.5) * hy
            w = rho[j, i] * hx * hy
            m, sx, sy, sxx, syy = m + w, sx + w * x, sy + w * y, sxx + w * x * x, syy + w * y * y
    return [sxx / m - (sx / m) ** 2, syy / m - (sy / m) ** 2]


def check_compare(tmp):
    d, truth = fixture(tmp)
    out = run([PY, os.path.join(POST, "compare.py"), d])
    r = tagged_json(out, "compare")
    assert len(r["snapshots"]) == len(truth["snapshots"]), "snapshot count"
    h = [(u - l) / n for l, u, n in zip(truth["lower"], truth["upper"], truth["cells"])]
    for got, exp in zip(r["snapshots"], truth["snapshots"]):
        t = exp["time"]
        close(got["time"], t, what="time")
        close([got["density_min"], got["density_max"]], [exp["density_min"], exp["density_max"]], what=f"density range t={t}")
        close(got["grid_mass"], exp["grid_mass"], what=f"grid mass t={t}")
        close(got["exact_mean"], exp["exact_mean"], 1e-10, what=f"closed-form mean t={t}")
        close(got["exact_cov"], np.eye(2) * exp["exact_var"], 1e-10, what=f"closed-form cov t={t}")
        close(got["particle_mean"], exp["particle_mean"], what=f"particle mean t={t}")
        assert got["particle_count"] == truth["n_particles"], "particle count"
        # cell-centre quadrature of exact cell averages: mean good to O(h^2) and the domain's tail
        assert np.max(np.abs(np.array(got["grid_mean"]) - exp["exact_mean"])) < max(h) ** 2, f"grid mean t={t}: {got['grid_mean']}"
        # cell-centre quadrature of cell averages adds h^2/12 per axis to the variance (Sheppard); the
        # domain cuts the tails (3 sd from the mean), which takes back part of it
        sheppard = sum(hh ** 2 / 12 for hh in h)
        extra = np.trace(got["grid_cov"]) - 2 * exp["exact_var"]
        assert 0.5 * sheppard < extra < 1.05 * sheppard, f"grid trace(cov) excess {extra}, Sheppard {sheppard} t={t}"
        close(np.diag(got["grid_cov"]), direct_variances(d, got["time"], truth), 1e-10, what=f"grid variances t={t}")
        # the slice is read at the right row: cell averages vs point values differ by O(h^2 f''), a
        # one-cell shift would be ~1.5
        assert 0 < got["slice_max_abs_grid_minus_exact"] < 0.15, f"slice error t={t}: {got['slice_max_abs_grid_minus_exact']}"
        close(got["slice_at"][0], truth["lower"][1] + h[1] * (math.floor((got["grid_mean"][1] - truth["lower"][1]) / h[1]) + 0.5), what="slice row")
    diag = r["diagnostics"]
    close(diag["time"], truth["times"], what="diagnostics times")
    close(diag["lagrangian.mean_error"], [s["lagrangian.mean_error"] for s in truth["snapshots"]], what="diagnostics column")
    assert r["summary_metrics"] == truth["metrics"], "summary metrics"
    for name in ["metrics_over_time.png", "moments_over_time.png"] + [f"slice_{k:06d}.png" for k in range(len(truth["times"]))]:
        p = os.path.join(d, "plots", name)
        assert os.path.getsize(p) > 1000 and f"wrote {p}" in out, f"{p} not written or not printed"
    # a density stored with the axes swapped is refused, naming the file and both shapes
    import h5py
    with h5py.File(os.path.join(d, "fields.h5"), "r+") as f:
        rho = f["snapshots/000001/density"][...]
        del f["snapshots/000001/density"]
        f["snapshots/000001/density"] = rho.T
    p = subprocess.run([PY, os.path.join(POST, "compare.py"), d], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "fields.h5" in p.stderr and str(rho.T.shape) in p.stderr, \
        f"swapped axes: exit {p.returncode}, stderr {p.stderr}"
    print("compare.py: times, density ranges, masses, closed-form and particle means, slice row and diagnostics match")


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
    print("convergence.py: fitted orders (2 for the midpoint rule, 0.5 in particles) and the missing variant are reported")


def need(tool):
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} not installed (scripts/setup.sh installs paraview, xvfb)")
        sys.exit(77)


def check_inspect(tmp):
    need("pvpython")
    d, truth = fixture(tmp)
    for reader in ("XDMFReader", "Xdmf3ReaderS", "Xdmf3ReaderT"):
        os.environ["MF_XDMF_READER"] = reader
        out = run(["pvpython", os.path.join(POST, "inspect_xdmf.py"), os.path.join(d, "run.xmf")], cwd=tmp)
        check_inspect_report(json.loads(out[out.index("{"):]), truth)
    print("inspect_xdmf.py: ParaView (XDMFReader, Xdmf3ReaderS, Xdmf3ReaderT) reports the fixture's time steps, "
          "density ranges, cell/point counts and bounds")


def check_inspect_report(r, truth):
    close(r["time_steps"], truth["times"], what="time steps")
    nx, ny = truth["cells"]
    for step, exp in zip(r["steps"], truth["snapshots"]):
        g, p = step["blocks"]["grid"], step["blocks"]["particles"]
        assert g["cells"] == nx * ny, f"grid cells {g['cells']} != {nx * ny}"
        assert list(g["cell_arrays"]) == ["density"], g["cell_arrays"]
        close(g["cell_arrays"]["density"]["range"], [exp["density_min"], exp["density_max"]], what=f"density range t={exp['time']}")
        close(g["bounds"][:4], [truth["lower"][0], truth["upper"][0], truth["lower"][1], truth["upper"][1]], what="grid bounds")
        assert p["points"] == p["cells"] == truth["n_particles"], f"particles {p['points']} points {p['cells']} cells"
        assert sorted(p["point_arrays"]) == ["ids", "weights"], p["point_arrays"]
        close(p["point_arrays"]["ids"]["range"], [0, truth["n_particles"] - 1], what="ids range")
        close(p["point_arrays"]["weights"]["range"], [1.0 / truth["n_particles"]] * 2, what="weights range")
        lo, hi = exp["position_range"]
        close(p["bounds"][:4], [lo[0], hi[0], lo[1], hi[1]], what=f"particle bounds t={exp['time']}")


def check_render(tmp):
    need("pvpython")
    need("xvfb-run")
    import matplotlib.image as mpimg
    d, truth = fixture(tmp)
    out = run([PY, os.path.join(POST, "render.py"), d, "--size=600x600"], cwd=tmp)
    r = tagged_json(out, "render")
    close(r["time_steps"], truth["times"], what="time steps")
    close(r["density_range"], [min(s["density_min"] for s in truth["snapshots"]),
                               max(s["density_max"] for s in truth["snapshots"])], what="density range")
    assert r["blocks"]["grid"]["cells"] == truth["cells"][0] * truth["cells"][1]
    assert r["blocks"]["particles"]["points"] == truth["n_particles"]
    assert len(r["frames"]) == len(truth["times"])
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
    # the blob moves on screen the way the exact mean moves (image rows grow downwards)
    m0, m2 = np.array(truth["snapshots"][0]["exact_mean"]), np.array(truth["snapshots"][-1]["exact_mean"])
    shift = np.array(centroids[-1]) - np.array(centroids[0])
    for a in range(2):
        if abs(m2[a] - m0[a]) > 0.1:
            assert np.sign(shift[a]) == np.sign(m2[a] - m0[a]), f"axis {a}: blob moved {shift[a]} px, mean moved {m2[a] - m0[a]}"
    print(f"render.py: frames show particles and the density peak moving by {shift} px as the mean moves {m2 - m0}")


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
