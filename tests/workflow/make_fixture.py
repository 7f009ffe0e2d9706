#!/usr/bin/python3
"""Writes a small MeasureFlow run directory in the pinned layout (fields.h5, particles.h5, run.xmf,
summary.json, diagnostics.csv) plus fixture_truth.json with the exact values the tests compare to.

The run is the continuity model's closed form: a Gaussian carried by a linear field, so every number a
postprocessing script reports can be checked against the formula that made it.
Usage: make_fixture.py OUTDIR
"""
import json
import math
import os
import sys

import h5py
import numpy as np
from scipy.linalg import expm

NX, NY = 24, 16                      # different per axis so a swapped axis shows up
LOWER, UPPER = [-1.0, -1.0], [1.0, 1.0]
TIMES = [0.0, 0.5, 1.0]
N_PARTICLES = 400
MEAN0 = [0.3, -0.1]
VAR0 = 0.04                          # isotropic, so rotation keeps it diagonal and cell averages are exact
A = [[0.0, -1.0], [1.0, 0.0]]
B = [0.1, 0.0]
SEED = 7

DECK = f"""model: continuity
domain:
  dim: 2
  lower: [{LOWER[0]}, {LOWER[1]}]
  upper: [{UPPER[0]}, {UPPER[1]}]
  cells: [{NX}, {NY}]
  boundary: periodic
initial:
  type: gaussian
  mean: [{MEAN0[0]}, {MEAN0[1]}]
  cov: [[{VAR0}, 0.0], [0.0, {VAR0}]]
velocity:
  type: linear
  A: [[{A[0][0]}, {A[0][1]}], [{A[1][0]}, {A[1][1]}]]
  b: [{B[0]}, {B[1]}]
time:
  end: {TIMES[-1]}
  cfl: 0.4
eulerian: {{enabled: true, limiter: mc}}
lagrangian: {{enabled: true, particles: {N_PARTICLES}, integrator: rk4, seed: {SEED}}}
output: {{dir: fixture, every: 0.5}}
"""


def exact_mean(t):
    """Mean under dx/dt = A x + b: the augmented exponential carries the affine part."""
    aug = np.zeros((3, 3))
    aug[:2, :2] = A
    aug[:2, 2] = B
    flow = expm(aug * t)
    return flow[:2, :2] @ np.array(MEAN0) + flow[:2, 2]


def cell_averages(mean, var):
    """Exact cell averages of an isotropic Gaussian, [ny][nx] (C order, cells reversed)."""
    sd = math.sqrt(2.0 * var)

    def axis_mass(lo, hi, n, m):
        edges = np.linspace(lo, hi, n + 1)
        cdf = np.array([0.5 * (1.0 + math.erf((e - m) / sd)) for e in edges])
        return np.diff(cdf) / np.diff(edges)

    ax = axis_mass(LOWER[0], UPPER[0], NX, mean[0])
    ay = axis_mass(LOWER[1], UPPER[1], NY, mean[1])
    return np.outer(ay, ax)


def write_root_attrs(f):
    f.attrs["deck"] = DECK
    f.attrs["version"] = "0.0.0-fixture"
    f.attrs["ranks"] = 1


def xdmf_text(snaps):
    dx = (UPPER[0] - LOWER[0]) / NX
    dy = (UPPER[1] - LOWER[1]) / NY
    conn = " ".join(str(i) for i in range(N_PARTICLES))
    grid_steps, part_steps = [], []
    for k, t in enumerate(TIMES):
        name = f"{k:06d}"
        grid_steps.append(f"""      <Grid Name="grid_{name}" GridType="Uniform">
        <Time Value="{t:.17g}"/>
        <Topology TopologyType="3DCoRectMesh" Dimensions="2 {NY + 1} {NX + 1}"/>
        <Geometry GeometryType="ORIGIN_DXDYDZ">
          <DataItem Format="XML" NumberType="Float" Precision="8" Dimensions="3">0 {LOWER[1]:.17g} {LOWER[0]:.17g}</DataItem>
          <DataItem Format="XML" NumberType="Float" Precision="8" Dimensions="3">{min(dx, dy):.17g} {dy:.17g} {dx:.17g}</DataItem>
        </Geometry>
        <Attribute Name="density" AttributeType="Scalar" Center="Cell">
          <DataItem Format="HDF" NumberType="Float" Precision="8" Dimensions="1 {NY} {NX}">fields.h5:/snapshots/{name}/density</DataItem>
        </Attribute>
      </Grid>""")
        part_steps.append(f"""      <Grid Name="particles_{name}" GridType="Uniform">
        <Time Value="{t:.17g}"/>
        <Topology TopologyType="Polyvertex" NumberOfElements="{N_PARTICLES}" NodesPerElement="1">
          <DataItem Format="XML" NumberType="Int" Dimensions="{N_PARTICLES}">{conn}</DataItem>
        </Topology>
        <Geometry GeometryType="XY">
          <DataItem Format="HDF" NumberType="Float" Precision="8" Dimensions="{N_PARTICLES} 2">particles.h5:/snapshots/{name}/positions</DataItem>
        </Geometry>
        <Attribute Name="weights" AttributeType="Scalar" Center="Node">
          <DataItem Format="HDF" NumberType="Float" Precision="8" Dimensions="{N_PARTICLES}">particles.h5:/snapshots/{name}/weights</DataItem>
        </Attribute>
        <Attribute Name="ids" AttributeType="Scalar" Center="Node">
          <DataItem Format="HDF" NumberType="Int" Precision="8" Dimensions="{N_PARTICLES}">particles.h5:/snapshots/{name}/ids</DataItem>
        </Attribute>
      </Grid>""")
    nl = "\n"
    return f"""<?xml version="1.0" ?>
<Xdmf Version="2.0">
  <Domain>
    <Grid Name="grid" GridType="Collection" CollectionType="Temporal">
{nl.join(grid_steps)}
    </Grid>
    <Grid Name="particles" GridType="Collection" CollectionType="Temporal">
{nl.join(part_steps)}
    </Grid>
  </Domain>
</Xdmf>
"""


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    truth = {"times": TIMES, "cells": [NX, NY], "lower": LOWER, "upper": UPPER,
             "n_particles": N_PARTICLES, "snapshots": []}
    cell_volume = (UPPER[0] - LOWER[0]) / NX * (UPPER[1] - LOWER[1]) / NY
    with h5py.File(os.path.join(out, "fields.h5"), "w") as ff, \
            h5py.File(os.path.join(out, "particles.h5"), "w") as pf:
        write_root_attrs(ff)
        write_root_attrs(pf)
        g = ff.create_group("grid")
        g.attrs["dim"] = 2
        g.attrs["lower"] = np.array(LOWER)
        g.attrs["upper"] = np.array(UPPER)
        g.attrs["cells"] = np.array([NX, NY], dtype=np.int64)
        for k, t in enumerate(TIMES):
            m = exact_mean(t)
            dens = cell_averages(m, VAR0)
            s = ff.create_group(f"snapshots/{k:06d}")
            s.attrs["time"] = t
            s.create_dataset("density", data=dens)
            pos = rng.normal(m, math.sqrt(VAR0), size=(N_PARTICLES, 2))
            ids = rng.permutation(N_PARTICLES).astype(np.int64)   # ranks scramble the order
            p = pf.create_group(f"snapshots/{k:06d}")
            p.attrs["time"] = t
            p.create_dataset("positions", data=pos)
            p.create_dataset("weights", data=np.full(N_PARTICLES, 1.0 / N_PARTICLES))
            p.create_dataset("ids", data=ids)
            truth["snapshots"].append({
                "time": t, "exact_mean": m.tolist(), "exact_var": VAR0,
                "density_min": float(dens.min()), "density_max": float(dens.max()),
                "grid_mass": float(dens.sum() * cell_volume),
                "particle_mean": pos.mean(axis=0).tolist(),
                "position_range": [pos.min(axis=0).tolist(), pos.max(axis=0).tolist()],
            })
    with open(os.path.join(out, "run.xmf"), "w") as f:
        f.write(xdmf_text(truth["snapshots"]))
    final = truth["snapshots"][-1]
    metrics = {
        "eulerian.mass_drift": abs(final["grid_mass"] - truth["snapshots"][0]["grid_mass"]),
        "lagrangian.mean_error": float(np.linalg.norm(np.array(final["particle_mean"]) -
                                                      np.array(final["exact_mean"]))),
        "closed_form.w2sq": 0.0,
    }
    summary = {"model": "continuity", "ranks": 1, "steps": 40, "final_time": TIMES[-1],
               "wall_seconds": 0.25, "version": "0.0.0-fixture", "metrics": metrics}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(out, "diagnostics.csv"), "w") as f:
        f.write("time,eulerian.mass_drift,lagrangian.mean_error\n")
        for s in truth["snapshots"]:
            err = float(np.linalg.norm(np.array(s["particle_mean"]) - np.array(s["exact_mean"])))
            f.write(f"{s['time']!r},{abs(s['grid_mass'] - truth['snapshots'][0]['grid_mass'])!r},{err!r}\n")
            s["lagrangian.mean_error"] = err
    truth["metrics"] = metrics
    with open(os.path.join(out, "fixture_truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
    print(f"make_fixture: wrote {out}")


if __name__ == "__main__":
    main()
