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
sys.path.insert(0, POST)
from metric_kinds import kind_of as metric_kind  # noqa: E402 (the postprocess folder is not a package)
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


def picture(path, min_shape=(200, 300)):
    """A PNG a reader can use: at least min_shape pixels (rows, columns), not blank (at least 3 % of it
    differs from the background colour), with real contrast (pixel standard deviation > 0.05).
    Returns the RGB array."""
    import matplotlib.image as mpimg
    assert os.path.isfile(path) and os.path.getsize(path) > 5000, f"{path}: missing or tiny"
    img = mpimg.imread(path)[:, :, :3]
    assert img.shape[0] >= min_shape[0] and img.shape[1] >= min_shape[1], f"{path}: {img.shape[:2]} pixels"
    background = np.median(img.reshape(-1, 3), axis=0)
    drawn = np.any(np.abs(img - background) > 0.1, axis=2).mean()
    assert drawn > 0.03, f"{path}: only {drawn:.1%} of the picture differs from the background"
    assert img.std() > 0.05, f"{path}: pixel standard deviation {img.std():.3f} (nearly uniform)"
    return img


def summary_sections(text):
    """The human summary of compare.py split at its group headings -> {heading: [lines]}."""
    sections, current = {}, None
    for line in text.splitlines():
        if not line.startswith(" "):
            current = line.split("  ")[0].split(":")[0].strip()
            sections[current] = [line]
        elif current:
            sections[current].append(line)
    return sections


def check_summary_text(text, r, d):
    """The default output is a short summary, not the JSON: groups by kind with the right metrics in them."""
    lines = text.splitlines()
    assert len(lines) < 60 and "{" not in text, f"summary is {len(lines)} lines or holds JSON:\n{text}"
    sec = summary_sections(text)
    for heading in ("view vs exact (relative unless _abs)", "view vs view", "parameters and counts", "moments at t = "):
        assert any(h.startswith(heading.split(" (")[0]) for h in sec), f"no '{heading}' section in\n{text}"
    exact = next(v for h, v in sec.items() if h.startswith("view vs exact"))
    cross = sec["view vs view"]
    params = next(v for h, v in sec.items() if h.startswith("parameters"))
    final = r["summary_metrics"]
    for name, value in final.items():
        rows = [l for l in lines if l.strip().startswith(name + " ") or l.strip() == name or f"{name} = " in l]
        assert rows, f"{name} not in the summary"
        # Cross-view distances go under "view vs view"; the yardstick's settings, point counts and timings
        # (cross.w2_eps, cross.w2_points_*, cross.w2_seconds) are parameters (postprocess/metric_kinds.py).
        if name.startswith("cross.") and metric_kind(name) == "view_vs_view":
            assert any(l.strip().startswith(name) for l in cross[1:]), f"{name} not under view vs view"
        if name.startswith("cross.") and metric_kind(name) == "parameter":
            assert any(f"{name} = " in l for l in params), f"{name} not under parameters"
    assert any("lagrangian.mean_error" in l for l in exact) and any("eulerian.l1_error" in l for l in exact)
    assert any("lagrangian.particles = 2000" in l for l in params), f"particle count not listed as a parameter: {params}"
    for l in exact + cross:
        assert "particles" not in l.split()[0] and "_eps" not in l, f"a parameter among the errors: {l}"
    # the printed final value is the summary.json value at 4 digits
    l1 = next(l for l in exact if l.strip().startswith("eulerian.l1_error"))
    close(float(l1.split()[1]), final["eulerian.l1_error"], 1e-3, what="printed eulerian.l1_error")
    assert os.path.join(d, "plots", "compare.json") in text or "compare.json" in text, "summary names the JSON file"
    for anim in ("animation.mp4", "animation.gif"):
        assert anim in text and os.path.getsize(os.path.join(d, "plots", anim)) > 10000, f"{anim} missing"


def check_metrics_layout(r):
    """Errors on log axes grouped by kind, one panel per kind; parameters and counts never drawn."""
    layout = r["metrics_plot"]
    kinds = [p["kind"] for p in layout["panels"]]
    assert kinds[:2] == ["view_vs_exact", "view_vs_view"], f"panels {kinds}"
    drawn = [m for p in layout["panels"] for m in p["metrics"]]
    assert len(drawn) == len(set(drawn)), "a metric drawn twice"
    for p in layout["panels"][:2]:
        assert p["log"], f"{p['title']} not on log axes"
    exact = set(layout["panels"][0]["metrics"])
    assert {"eulerian.l1_error", "lagrangian.mean_error"} <= exact and all(not m.startswith("cross.") for m in exact)
    assert all(m.startswith("cross.") for m in layout["panels"][1]["metrics"])
    for m in drawn:
        assert not m.endswith((".particles", "_eps")), f"parameter {m} drawn as a curve"
    for m in ("lagrangian.particles", "cross.w2_eps"):
        if m in r["diagnostics"]:
            assert m in layout["parameters"] and m in layout["listed"], f"{m} not listed"


def check_panels(d, T, report, exact_of):
    """One panel figure per output time; its L1 distances are recomputed here from the HDF5 files and a closed
    form written in this test; the animation has one frame per output time."""
    h = (T["upper"] - T["lower"]) / T["cells"]
    xc = [T["lower"][a] + h[a] * (np.arange(T["cells"][a].astype(int)) + 0.5) for a in range(2)]
    xx, yy = np.meshgrid(*xc)
    assert len(report["frames"]) == len(T["times"]), f"{len(report['frames'])} panel figures"
    for k, f in enumerate(report["frames"]):
        t, rho = T["times"][k], T["density"][k]
        assert f["time"] == t and f["panels"][0].startswith("grid") and f["panels"][1].startswith("particles")
        assert f["panels"][2].startswith("exact") and f["difference"] == "grid - exact"
        m, c = exact_of(T["deck"], t)
        diff = np.column_stack([xx.ravel(), yy.ravel()]) - m
        ex = (np.exp(-0.5 * np.einsum("ni,ij,nj->n", diff, np.linalg.inv(c), diff)) /
              (2 * math.pi * math.sqrt(np.linalg.det(c)))).reshape(xx.shape)
        close(f["l1_grid_exact"], np.abs(rho - ex).sum() * h.prod(), 1e-10, what=f"panel L1 grid-exact t={t}")
        # a weighted histogram of the particles on bins of factor x factor cells
        fac = f["histogram_factor"]
        x, w = T["positions"][k], T["weights"][k]
        ix = np.floor((x[:, 0] - T["lower"][0]) / (h[0] * fac)).astype(int)
        iy = np.floor((x[:, 1] - T["lower"][1]) / (h[1] * fac)).astype(int)
        nb = (T["cells"] // fac).astype(int)
        ok = (ix >= 0) & (ix < nb[0]) & (iy >= 0) & (iy < nb[1])
        hist = np.zeros((nb[1], nb[0]))
        np.add.at(hist, (iy[ok], ix[ok]), w[ok])
        pd = np.kron(hist / (h.prod() * fac * fac), np.ones((fac, fac)))
        close(f["l1_particles_exact"], np.abs(pd - ex).sum() * h.prod(), 1e-8, what=f"panel L1 particles-exact t={t}")
        close(f["l1_grid_particles"], np.abs(rho - pd).sum() * h.prod(), 1e-8, what=f"panel L1 grid-particles t={t}")
        close(f["density_max"], max(rho.max(), pd.max(), ex.max()), 1e-12, what="one colour scale for the densities")
        picture(f["path"], (250, 900))
    for anim in ("animation.mp4", "animation.gif"):
        path = os.path.join(d, "plots", anim)
        if shutil.which("ffprobe"):
            p = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                "stream=nb_read_frames", "-of", "csv=p=0", path], capture_output=True, text=True)
            assert p.returncode == 0 and int(p.stdout.strip()) == len(T["times"]), f"{anim}: {p.stdout} {p.stderr}"


def check_compare(tmp):
    import csv
    d, T = real_run(tmp)
    text = run([PY, os.path.join(POST, "compare.py"), d])
    out = run([PY, os.path.join(POST, "compare.py"), d, "--json", "--no-animation"])
    r = json.loads(out)
    with open(os.path.join(d, "plots", "compare.json")) as f:
        assert json.load(f) == r, "--json prints what compare.json holds"
    check_summary_text(text, r, d)
    check_metrics_layout(r)
    check_panels(d, T, r["panels"], rotation_exact)
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
        picture(p)
        assert p in r["written"], f"{p} not reported"
    # where a run writes its closed form as cell averages (snapshots/NNNNNN/exact_density), the panels use it
    import h5py
    written = {}
    with h5py.File(os.path.join(d, "fields.h5"), "r+") as f:
        for k, name in enumerate(sorted(f["snapshots"])):
            written[k] = np.roll(T["density"][k], 1, axis=1)      # anything of the right shape, not the grid
            f["snapshots"][name]["exact_density"] = written[k]
    pr = tagged_json(run([PY, os.path.join(POST, "panels.py"), d, "--no-animation"]), "panels")
    assert pr["exact"] == "exact_density written by the run", pr["exact"]
    for k, f in enumerate(pr["frames"]):
        assert f["panels"][2] == "exact (closed form, cell averages)"
        close(f["l1_grid_exact"], np.abs(T["density"][k] - written[k]).sum() * h.prod(), 1e-12,
              what="L1 to the written exact density")
    # a density stored with its axes swapped (32 x 24 read as 24 x 32) is refused, naming the file and shapes
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
    # the overview: the grid's errors (the view domain.cells refines), not the particles'
    assert "eulerian.l1_error" in r["overview"] and not any(m.startswith("lagrangian.") for m in r["overview"])
    picture(os.path.join(real, "plots", "convergence.png"))
    assert r["missing"] == [], r["missing"]
    print(f"convergence.py: fitted orders (2 for the midpoint rule, 0.5 in particles) and the missing variant are "
          f"reported; real sweep of translation_convergence.yaml: order {g['order']:.4f}")


MODEL_RUNS = {   # shipped 2D decks at a small size: (deck, overrides, what the exact density is)
    "fokker_planck_ou_2d": ("inputs/gradient_flow/fokker_planck_ou_2d.yaml",
                            ["domain.cells=[32,32]", "lagrangian.particles=4000", "time.end=0.5", "output.every=0.25"],
                            "Ornstein-Uhlenbeck"),
    "closure_2d": ("inputs/transformer/closure_2d.yaml",
                   ["domain.cells=[32,32]", "lagrangian.particles=1024", "time.end=0.5", "output.every=0.25"],
                   "closure ODE"),
}


def check_panels_models(tmp):
    """compare.py's exact densities for models other than continuity, computed in Python from the deck
    (exact_density.py), reproduce the program's own error metrics: the relative mean and covariance errors of
    grid and particles at every output equal diagnostics.csv's, so the Python closed form is the program's."""
    import csv
    for name, (deck, sets, kind) in MODEL_RUNS.items():
        d = os.path.join(tmp, name)
        cmd = [BIN, "run", os.path.join(SRC, deck), "--quiet", "--set", f"output.dir={d}"]
        for kv in sets:
            cmd += ["--set", kv]
        run(cmd)
        r = json.loads(run([PY, os.path.join(POST, "compare.py"), d, "--json"]))
        with open(os.path.join(d, "diagnostics.csv")) as f:
            rows = list(csv.DictReader(f))
        assert kind in (r["exact"] or ""), f"{name}: exact density {r['exact']}"
        assert len(r["snapshots"]) == len(rows) >= 3, f"{name}: {len(r['snapshots'])} snapshots, {len(rows)} rows"
        worst = 0.0
        for k, snap in enumerate(r["snapshots"]):
            m, c = np.array(snap["exact_mean"]), np.array(snap["exact_cov"])
            for view, key in (("eulerian", "grid"), ("lagrangian", "particle")):
                mean_err = np.linalg.norm(np.array(snap[key + "_mean"]) - m) / math.sqrt(np.trace(c))
                cov_err = np.linalg.norm(np.array(snap[key + "_cov"]) - c) / np.linalg.norm(c)
                for metric, mine in (("mean_error", mean_err), ("cov_error", cov_err)):
                    prog = float(rows[k][f"{view}.{metric}"])
                    # the grid's moments use the cell centres as quadrature, as the program does; the particle
                    # moments are sums in another order: agreement to round-off plus the closure's tolerance
                    assert abs(mine - prog) <= 1e-6 * abs(prog) + 1e-9, \
                        f"{name} t={snap['time']}: {view}.{metric} from the Python closed form {mine}, program {prog}"
                    worst = max(worst, abs(mine - prog) / max(abs(prog), 1e-300))
        p = r["panels"]
        assert len(p["frames"]) == len(rows), f"{name}: {len(p['frames'])} panels"
        for f in p["frames"]:
            assert f["difference"] == "grid - exact" and len(f["panels"]) == 3
            picture(f["path"], (250, 900))
        assert sorted(os.path.basename(a) for a in p["animation"]) == ["animation.gif", "animation.mp4"]
        print(f"{name}: the Python exact density ({r['exact']}) reproduces the program's mean and covariance errors "
              f"of both views at {len(rows)} outputs (worst relative difference {worst:.1e}); {len(rows)} panels")


def check_panels_3d(tmp):
    """A 3D run's panels show the (x, y) marginal: the grid summed over z, the particles' (x, y), and the
    marginal of the exact Gaussian (the flow of x' = A x + b written out here with scipy's expm)."""
    import h5py
    import yaml
    from scipy.linalg import expm
    d = os.path.join(tmp, "linear_3d")
    run([BIN, "run", os.path.join(SRC, "inputs/continuity/linear_3d.yaml"), "--quiet", "--set", f"output.dir={d}",
         "--set", "domain.cells=[16,12,8]", "--set", "lagrangian.particles=4000", "--set", "time.end=0.4"])
    pr = tagged_json(run([PY, os.path.join(POST, "panels.py"), d, "--no-animation"]), "panels")
    deck = yaml.safe_load(open(os.path.join(d, "deck.resolved.yaml")))
    a, b = np.array(deck["velocity"]["A"]), np.array(deck["velocity"]["b"])
    m0, c0 = np.array(deck["initial"]["mean"]), np.array(deck["initial"]["cov"])
    with h5py.File(os.path.join(d, "fields.h5"), "r") as f:
        g = f["grid"].attrs
        lo, hi, cells = (np.array(g[k], dtype=float) for k in ("lower", "upper", "cells"))
        h = (hi - lo) / cells
        snaps = [(float(f["snapshots"][n].attrs["time"]), f["snapshots"][n]["density"][()]) for n in sorted(f["snapshots"])]
    assert len(pr["frames"]) == len(snaps) >= 3
    xx, yy = np.meshgrid(*[lo[i] + h[i] * (np.arange(int(cells[i])) + 0.5) for i in range(2)])
    for f, (t, rho) in zip(pr["frames"], snaps):
        aug = np.zeros((4, 4))
        aug[:3, :3], aug[:3, 3] = a, b
        flow = expm(aug * t)
        m, c = (flow[:3, :3] @ m0 + flow[:3, 3])[:2], (flow[:3, :3] @ c0 @ flow[:3, :3].T)[:2, :2]
        diff = np.column_stack([xx.ravel(), yy.ravel()]) - m
        ex = (np.exp(-0.5 * np.einsum("ni,ij,nj->n", diff, np.linalg.inv(c), diff)) /
              (2 * math.pi * math.sqrt(np.linalg.det(c)))).reshape(xx.shape)
        marginal = rho.sum(axis=0) * h[2]
        close(f["l1_grid_exact"], np.abs(marginal - ex).sum() * h[0] * h[1], 1e-10, what=f"3D marginal L1 t={t}")
        close(f["exact_mean"], m, 1e-10, what=f"3D marginal exact mean t={t}")
        picture(f["path"], (250, 900))
    print(f"panels.py on a 3D run: {len(snaps)} panels of the (x, y) marginal; L1 to the exact marginal recomputed")


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


RENDER_SIZE = (1000, 480)            # two views of 500 x 480: grid (left), particles (right)

LOAD_STATE = """
import json, sys
from paraview import simple
simple.LoadState(sys.argv[1])
src = simple.FindSource("run.xmf")          # render.py registers the reader under the file's name
lut = simple.GetColorTransferFunction("density")
pts = list(lut.RGBPoints)
layouts = simple.GetLayouts()
print("state: " + json.dumps({"times": list(src.TimestepValues), "files": list(src.FileNames),
                                "lut_range": [pts[0], pts[-4]], "views": len(simple.GetViews())}))
sys.stdout.flush()
import os
os._exit(0)
"""


def check_render(tmp):
    need("pvpython")
    need("xvfb-run")
    d, T = real_run(tmp, particles=2000)
    out = run([PY, os.path.join(POST, "render.py"), d, "--size=%dx%d" % RENDER_SIZE], cwd=tmp)
    r = tagged_json(out, "render")
    close(r["time_steps"], T["times"], 1e-14, what="time steps")
    lo, hi = min(0.0, min(x.min() for x in T["density"])), max(x.max() for x in T["density"])
    close(r["density_range"], [lo, hi], 1e-14, what="one colour scale over all steps, from the data (from 0)")
    assert r["blocks"]["grid"]["cells"] == CELLS[0] * CELLS[1]
    assert r["blocks"]["particles"]["points"] == len(T["ids"][0])
    assert len(r["frames"]) == len(T["times"]) and r["particle_opacity"] < 1.0
    half = RENDER_SIZE[0] // 2
    peaks, clouds, labels = [], [], []
    for path in r["frames"]:
        img = picture(path, RENDER_SIZE[::-1])
        assert img.shape[:2] == RENDER_SIZE[::-1], img.shape
        grid, parts = img[:, :half], img[:, half:]
        dark = np.all(img < 0.25, axis=2)
        # the colour bar's title and numbers: dark text right of the grid
        bar_text = dark[:, int(0.78 * half):half].sum()
        assert bar_text > 150, f"{path}: colour bar has no readable title or numbers ({bar_text} dark pixels)"
        # the time annotation: dark text in the top band of both views
        top = int(0.12 * RENDER_SIZE[1])
        assert dark[:top, :half].sum() > 60 and dark[:top, half:].sum() > 60, f"{path}: no time annotation"
        labels.append(dark[:top].copy())
        # translucent particles: bluish pixels, many of them lighter than one opaque point
        bluish = (parts[:, :, 2] - parts[:, :, 0] > 0.04) & (parts[:, :, 0] < 0.97)
        assert bluish.sum() > 200, f"{path}: particles not visible ({bluish.sum()} pixels)"
        assert (parts[:, :, 0][bluish] > 0.3).mean() > 0.3, f"{path}: particles look opaque"
        ys, xs = np.nonzero(bluish)
        clouds.append((xs.mean(), -ys.mean()))
        # high density in viridis is yellow-green: the greenest tenth of the grid view, left of the colour bar
        area = grid[:, :, 2] < 0.6
        area[:, int(0.78 * half):] = False
        area[:top] = False
        green = np.where(area, grid[:, :, 1], 0.0)
        dense = green > 0.9 * green.max()
        assert dense.sum() > 20, f"{path}: no high-density pixels"
        ys, xs = np.nonzero(dense)
        peaks.append((xs.mean(), -ys.mean()))
    assert np.any(labels[0] != labels[-1]), "the time annotation does not change between frames"
    # the blob and the particle cloud turn on screen the way the exact mean turns (image rows grow downwards)
    m0 = rotation_exact(T["deck"], T["times"][0])[0]
    m2 = rotation_exact(T["deck"], T["times"][-1])[0]
    expected = (m2[0] - m0[0]) / (m2[1] - m0[1])
    for name, track in (("density peak", peaks), ("particle cloud", clouds)):
        shift = np.array(track[-1]) - np.array(track[0])
        for a in range(2):
            assert abs(m2[a] - m0[a]) > 0.1
            assert np.sign(shift[a]) == np.sign(m2[a] - m0[a]), f"{name} axis {a}: moved {shift[a]} px, mean {m2[a] - m0[a]}"
        assert abs(shift[0] / shift[1] - expected) < 0.25 * abs(expected), f"{name} moved in direction {shift}"
    # the state file beside run.xmf opens the run in ParaView: its time steps, the file and the colour range
    state = os.path.join(d, "run.pvsm")
    assert r["state"] == state and os.path.getsize(state) > 10000
    import xml.etree.ElementTree as ET
    ET.parse(state)
    script = os.path.join(tmp, "load_state.py")
    with open(script, "w") as f:
        f.write(LOAD_STATE)
    s = tagged_json(run(["xvfb-run", "-a", "-s", "-screen 0 640x480x24 -noreset", "pvpython", script, state], cwd=tmp),
                    "state")
    close(s["times"], T["times"], 1e-14, what="state: time steps")
    assert [os.path.abspath(x) for x in s["files"]] == [os.path.abspath(os.path.join(d, "run.xmf"))], s["files"]
    close(s["lut_range"], [lo, hi], 1e-12, what="state: colour range")
    assert s["views"] == 2, f"state: {s['views']} views"
    print(f"render.py on a real run: {len(r['frames'])} frames of grid and particles side by side; colour bar with "
          f"numbers, time labels, translucent particles, density peak and particle cloud turning like the exact mean; "
          f"run.pvsm reopens with {len(s['times'])} time steps")


FAKE_PVPYTHON = """#!/bin/sh
# First call: fail the way ParaView does when its X connection fails on a fresh machine; then the real one.
# MF_FAKE_MODE=other: fail in another way (not to be retried).
if [ "$MF_FAKE_MODE" = other ]; then
  echo "Traceback (most recent call last): ValueError" >&2
  exit 1
fi
if [ ! -e "$MF_FAKE_MARK" ]; then
  touch "$MF_FAKE_MARK"
  echo "vtkXOpenGLRenderWindow.:465    ERR| bad X server connection. DISPLAY=:99. Aborting." >&2
  kill -ABRT $$
fi
exec pvpython "$@"
"""


def check_render_retry(tmp):
    """A first ParaView start that aborts on its X connection is retried, not reported as a failure."""
    need("pvpython")
    need("xvfb-run")
    d, _ = real_run(tmp, particles=200)
    fake = os.path.join(tmp, "fake-pvpython")
    with open(fake, "w") as f:
        f.write(FAKE_PVPYTHON)
    os.chmod(fake, 0o755)
    env = dict(os.environ, MF_PVPYTHON=fake, MF_FAKE_MARK=os.path.join(tmp, "mark"))
    env.pop("DISPLAY", None)
    p = subprocess.run([PY, os.path.join(POST, "render.py"), d, "--state-only"], capture_output=True, text=True,
                       env=env, timeout=200)
    assert p.returncode == 0, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert "bad X server connection" in p.stderr and "starting it again (2/3)" in p.stderr, p.stderr
    assert os.path.getsize(os.path.join(d, "run.pvsm")) > 10000
    env["MF_RENDER_TRIES"] = "1"
    os.remove(env["MF_FAKE_MARK"])
    p = subprocess.run([PY, os.path.join(POST, "render.py"), d, "--state-only"], capture_output=True, text=True,
                       env=env, timeout=200)
    assert p.returncode != 0, "with one try the abort must be reported"
    env["MF_RENDER_TRIES"] = "3"
    env["MF_FAKE_MODE"] = "other"
    p = subprocess.run([PY, os.path.join(POST, "render.py"), d, "--state-only"], capture_output=True, text=True,
                       env=env, timeout=200)
    assert p.returncode != 0 and "starting it again" not in p.stderr and "ValueError" in p.stderr, \
        f"a failure that is not the X connection is reported at once: exit {p.returncode}, {p.stderr}"
    print("render.py: an aborted first ParaView start (bad X server connection, SIGABRT) is retried and succeeds; "
          "with MF_RENDER_TRIES=1 it is reported; another failure is reported at once, not retried")


def main():
    checks = {"compare": check_compare, "convergence": check_convergence, "inspect": check_inspect, "render": check_render,
              "render_retry": check_render_retry, "panels": check_panels_models, "panels_3d": check_panels_3d}
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
