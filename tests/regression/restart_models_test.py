#!/usr/bin/python3
"""Exact restart for every model: a run is stopped by SIGUSR1 at a chosen step mid-interval (the test-only
hook MF_TEST_SIGNAL_AT_STEP makes rank 0 raise a real SIGUSR1 there, so the stop is reproducible), then
continued with --restart, and compared with an uninterrupted run:
  - on the same rank count: every field dataset of every snapshot, every particle array (by id), every
    metric of summary.json and every row of diagnostics.csv bitwise equal, same step count;
  - on another rank count: within the case's documented tolerance (docs/workflow.md, "Restart").
Wall-clock metrics (names ending in _seconds) are not compared: they measure the run, not the answer.

  restart_models_test.py BINARY SOURCE_DIR CASE RANKS_FIRST RANKS_OTHER
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from mf_check import ENV, expect, summary, failures


# deck, overrides, relative tolerance of fields/particles/metrics on another rank count (about 10× the
# difference measured on 3 ranks, and not below 1e-12; gradient_flow's 1e-10 leaves room for Newton/KSP
# stopping at another iterate on another decomposition, measured 1e-14 here), and metrics that depend on
# the decomposition itself (compared on the same rank count only).
CASES = {
    "continuity": ("inputs/continuity/rotation_2d.yaml",
                   ["domain.cells=[32,32]", "lagrangian.particles=2000", "time.end=1.0", "output.every=0.25"],
                   1e-12, []),
    # BDF2 history, energy history and the energy guard, blob particles with halo exchange.
    "gradient_flow_bdf2": ("inputs/gradient_flow/porous_barenblatt_2d.yaml",
                           ["domain.cells=[24,24]", "lagrangian.particles=800", "time.end=0.1", "time.dt=0.01",
                            "output.every=0.025", "eulerian.time_integrator=bdf2"],
                           1e-10, ["lagrangian.halo_particles", "eulerian.ksp_iterations_mean"]),
    # Euler–Maruyama noise counter (the noise stream continues where it stopped).
    "gradient_flow_stochastic": ("inputs/gradient_flow/heat_gaussian_1d.yaml",
                                 ["domain.cells=[120]", "lagrangian.particles=400", "lagrangian.method=stochastic",
                                  "time.end=0.1", "time.dt=0.005", "output.every=0.025"],
                                 1e-10, ["lagrangian.halo_particles", "eulerian.ksp_iterations_mean"]),
    # Interaction W∗ρ frozen over each step (rebuilt from the restored density), rejected-step count.
    "gradient_flow_interaction": ("inputs/gradient_flow/aggregation_interval_1d.yaml",
                                  ["domain.cells=[100]", "lagrangian.particles=200", "time.end=1.0",
                                   "time.dt=0.05", "output.every=0.25"],
                                  1e-10, ["lagrangian.halo_particles", "eulerian.ksp_iterations_mean"]),
    # JKO quantile nodes.
    "gradient_flow_jko": ("inputs/gradient_flow/heat_gaussian_1d.yaml",
                          ["eulerian.scheme=jko", "time.dt=0.02", "time.end=0.2", "output.every=0.05",
                           "lagrangian.method=pairwise", "lagrangian.particles=300"],
                          1e-10, ["lagrangian.halo_particles", "eulerian.ksp_iterations_mean"]),
    # JKO on the grid: the Douglas–Rachford iterate (the next step's warm start) and the exact recursions.
    "gradient_flow_jko_grid": ("inputs/gradient_flow/jko_ornstein_uhlenbeck_2d.yaml",
                               ["domain.cells=[16,16]", "lagrangian.particles=300", "time.end=0.2",
                                "output.every=0.05", "eulerian.jko_step_size=0.1"],
                               1e-10, ["lagrangian.halo_particles", "eulerian.ksp_iterations_mean"]),
    # Neurons as particles and the neuron density on the grid (its velocity is recomputed from the restored
    # density); the network outputs are an Allreduce, so other rank counts agree to rounding.
    "mean_field": ("inputs/mean_field/grid_relu_2d.yaml",
                   ["domain.cells=[24,24]", "lagrangian.particles=800", "time.end=0.2", "output.every=0.05"],
                   1e-11, []),
    # Covariance trajectories of both views (blowup_time) and the closure ODE's state.
    "transformer": ("inputs/transformer/blowup_2d.yaml",
                    ["domain.cells=[24,24]", "lagrangian.particles=600", "time.end=0.1", "output.every=0.025"],
                    1e-11, []),
    # The geodesic is solved again on restart; the views go back to the checkpoint's face. On another
    # rank count the continued faces come from that rank count's solve, which agrees with the first to
    # the splitting's tolerance (1e-5 here; velocities m/ρ amplify it where ρ is small), and the
    # residuals and Poisson iteration counts of a converged solve are themselves decomposition-dependent.
    "dynamic_ot": ("inputs/dynamic_ot/bump_translation_2d.yaml",
                   ["domain.cells=[16,16]", "time.cells=8", "lagrangian.particles=200", "diagnostics.w2=final"],
                   2e-3, ["eulerian.poisson_iterations", "eulerian.continuity_residual", "eulerian.constraint_residual"]),
}


def run(binary, ranks, deck, sets, out, extra=(), env=None):
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck, "--quiet", "--set", f"output.dir={out}",
           "--set", "diagnostics.w2=none"]
    for s in sets:
        cmd += ["--set", s]
    return subprocess.run(cmd + list(extra), env=env or ENV, capture_output=True, text=True)


def fields(path):
    out = []
    with h5py.File(path, "r") as f:
        for s in sorted(f["snapshots"].keys()):
            g = f["snapshots"][s]
            out.append((float(np.ravel(g.attrs["time"])[0]), {k: g[k][()] for k in sorted(g.keys())}))
    return out


def particles(path):
    out = []
    with h5py.File(path, "r") as f:
        for s in sorted(f["snapshots"].keys()):
            g = f["snapshots"][s]
            order = np.argsort(g["ids"][()])
            out.append((float(np.ravel(g.attrs["time"])[0]),
                        {"positions": g["positions"][()][order], "weights": g["weights"][()][order],
                         "ids": g["ids"][()][order]}))
    return out


def diagnostics_rows(d):
    with open(os.path.join(d, "diagnostics.csv")) as f:
        rows = list(csv.DictReader(f))
    return [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in rows]


def close(a, b, rtol):
    """max |a − b| ≤ rtol · max(|a|, tiny): arrays agree to rtol relative to their own scale."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False, math.inf
    scale = max(float(np.max(np.abs(a))) if a.size else 0.0, 1e-300)
    err = float(np.max(np.abs(a - b))) / scale if a.size else 0.0
    return err <= rtol, err


def compare(label, ref, got, bitwise, rtol, rank_dependent):
    worst = 0.0
    for name, reader in [("fields.h5", fields), ("particles.h5", particles)]:
        if not os.path.exists(os.path.join(ref, name)):
            continue
        a, b = reader(os.path.join(ref, name)), reader(os.path.join(got, name))
        expect([t for t, _ in a] == [t for t, _ in b], f"{label}: {name} has the same snapshot times ({len(b)})")
        for (t, da), (_, db) in zip(a, b):
            expect(sorted(da) == sorted(db), f"{label}: {name} t={t:.4g} has the same datasets")
            for k in da:
                if k not in db:
                    continue
                if bitwise or k == "ids":
                    if not np.array_equal(da[k], db[k]):
                        expect(False, f"{label}: {name} t={t:.4g} {k} bitwise equal")
                else:
                    ok, err = close(da[k], db[k], rtol)
                    worst = max(worst, err)
                    if not ok:
                        expect(False, f"{label}: {name} t={t:.4g} {k} within {rtol:g} (got {err:.3g})")
    sa, sb = summary(ref), summary(got)
    expect(sa["steps"] == sb["steps"], f"{label}: same step count ({sa['steps']} vs {sb['steps']})")
    ma = {k: v for k, v in sa["metrics"].items() if not k.endswith("_seconds")}
    mb = {k: v for k, v in sb["metrics"].items() if not k.endswith("_seconds")}
    expect(set(ma) == set(mb), f"{label}: the same metric names")
    bad = []
    for k in ma:
        if k not in mb:
            continue
        if bitwise:
            if not (ma[k] == mb[k] or (math.isnan(ma[k]) and math.isnan(mb[k]))):
                bad.append(k)
        elif k not in rank_dependent:
            err = abs(ma[k] - mb[k]) / max(abs(ma[k]), 1e-300)
            # Metrics that are themselves round-off (mass drifts of 1e-16) compare absolutely.
            if abs(ma[k] - mb[k]) > 1e-13:
                worst = max(worst, err)
                if err > rtol:
                    bad.append(f"{k} ({err:.2g})")
    expect(not bad, f"{label}: metrics {'bitwise equal' if bitwise else f'within {rtol:g}'} (differing: {bad})")
    ra, rb = diagnostics_rows(ref), diagnostics_rows(got)
    expect(len(ra) == len(rb), f"{label}: diagnostics.csv has every output time once ({len(rb)} rows)")
    if bitwise:
        expect(ra == rb, f"{label}: diagnostics.csv rows identical")
    if not bitwise:
        print(f"     {label}: largest relative difference {worst:.3g} (tolerance {rtol:g})")


def main():
    binary, source, case, r1, r2 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    deck_rel, sets, rtol, rank_dependent = CASES[case]
    deck = os.path.join(source, deck_rel)
    work = tempfile.mkdtemp(prefix=f"mf_restart_{case}_")
    try:
        ref = os.path.join(work, "ref")
        p = run(binary, r1, deck, sets, ref)
        expect(p.returncode == 0, f"uninterrupted run on {r1} ranks exits 0 {p.stderr[-600:]}")
        if p.returncode != 0:
            raise SystemExit(1)
        s = summary(ref)
        steps = s["steps"]
        stop = max(2, (3 * steps) // 5)
        out = os.path.join(work, "stopped")
        p = run(binary, r1, deck, sets, out, env=dict(ENV, MF_TEST_SIGNAL_AT_STEP=str(stop)))
        expect(p.returncode == 4, f"run signalled at step {stop} of {steps} exits 4 (got {p.returncode}) {p.stderr[-600:]}")
        if p.returncode != 4:
            raise SystemExit(1)
        st = summary(out)
        expect(st["steps"] == stop and st["metrics"].get("run.completed") == 0,
               f"stopped at step {st['steps']} with run.completed = 0 (t = {st['final_time']:.6g})")
        expect(len(diagnostics_rows(out)) >= 2, "at least one output after t = 0 published before the stop")
        other = os.path.join(work, "other")
        shutil.copytree(out, other)
        for ranks, d, bitwise in [(r1, out, True), (r2, other, False)]:
            label = f"{case}: restart on {ranks} ranks"
            p = run(binary, ranks, deck, sets, d, ["--restart", os.path.join(d, "checkpoint.h5")])
            expect(p.returncode == 0, f"{label} exits 0 {p.stderr[-800:]}")
            if p.returncode == 0:
                compare(label, ref, d, bitwise, rtol, rank_dependent)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{case}: {'FAILED ' + str(len(failures)) + ' checks' if failures else 'all checks passed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
