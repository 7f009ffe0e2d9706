"""Readers for a MeasureFlow run directory in the pinned layout (fields.h5, particles.h5, summary.json,
diagnostics.csv, sweep.json) and the closed forms the plots compare against. Shared by the scripts here."""
import csv
import json
import os

import numpy as np


class OutputError(Exception):
    """A run or sweep directory that does not hold what the pinned layout promises."""


def _decode(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def load_deck(text):
    """Parses the resolved deck stored in the HDF5 root attribute `deck`; {} when PyYAML is missing."""
    try:
        import yaml
    except ImportError:
        return {}
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}


def read_fields(outdir):
    """fields.h5 -> dict(deck, dim, lower, upper, cells, snapshots=[(time, density[nz][ny][nx])])."""
    import h5py
    path = os.path.join(outdir, "fields.h5")
    if not os.path.isfile(path):
        return None
    with h5py.File(path, "r") as f:
        g = f["grid"].attrs
        out = {"path": path, "deck_text": _decode(f.attrs.get("deck", "")),
               "version": _decode(f.attrs.get("version", "")), "ranks": int(f.attrs.get("ranks", 0)),
               "dim": int(g["dim"]), "lower": np.array(g["lower"], dtype=float),
               "upper": np.array(g["upper"], dtype=float), "cells": np.array(g["cells"], dtype=int),
               "snapshots": []}
        for name in sorted(f["snapshots"].keys()):
            s = f["snapshots"][name]
            out["snapshots"].append((float(s.attrs["time"]), np.array(s["density"], dtype=float)))
    out["deck"] = load_deck(out["deck_text"])
    expected = tuple(int(c) for c in out["cells"][::-1])
    for t, d in out["snapshots"]:
        if d.shape != expected:
            raise OutputError(f"{path}: density at t={t} has shape {d.shape}, grid cells reversed is {expected}")
    return out


def read_particles(outdir):
    """particles.h5 -> dict(snapshots=[(time, positions N×d, weights N, ids N)]), sorted by id."""
    import h5py
    path = os.path.join(outdir, "particles.h5")
    if not os.path.isfile(path):
        return None
    out = {"path": path, "snapshots": []}
    with h5py.File(path, "r") as f:
        for name in sorted(f["snapshots"].keys()):
            s = f["snapshots"][name]
            pos = np.array(s["positions"], dtype=float)
            if pos.ndim == 1:
                pos = pos[:, None]
            w = np.array(s["weights"], dtype=float) if "weights" in s else np.full(len(pos), 1.0 / len(pos))
            ids = np.array(s["ids"]) if "ids" in s else np.arange(len(pos))
            order = np.argsort(ids, kind="stable")    # rank count must not change what is plotted
            out["snapshots"].append((float(s.attrs["time"]), pos[order], w[order], ids[order]))
    return out


def read_summary(outdir):
    path = os.path.join(outdir, "summary.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def read_diagnostics(outdir):
    """diagnostics.csv (header `time,<metric>,...`) -> (names, array rows×cols) or None."""
    path = os.path.join(outdir, "diagnostics.csv")
    if not os.path.isfile(path):
        return None
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][0].strip() != "time":
        raise OutputError(f"{path}: first column must be 'time', header is {rows[0] if rows else '(empty)'}")
    names = [h.strip() for h in rows[0]]
    values = np.array([[float(v) if v.strip() else np.nan for v in r] for r in rows[1:] if r], dtype=float)
    return names, values.reshape(-1, len(names))


def cell_centres(fields):
    """One coordinate array per axis (x first) of the cell centres."""
    h = (fields["upper"] - fields["lower"]) / fields["cells"]
    return [fields["lower"][a] + h[a] * (np.arange(fields["cells"][a]) + 0.5) for a in range(fields["dim"])]


def cell_volume(fields):
    return float(np.prod((fields["upper"] - fields["lower"]) / fields["cells"]))


def grid_moments(fields, density):
    """Mass, mean (x first) and covariance of a cell-average density, cell centres as quadrature plus
    Sheppard's correction of the variance."""
    centres = cell_centres(fields)
    mesh = np.meshgrid(*centres[::-1], indexing="ij")[::-1]     # matches density's [nz][ny][nx]
    w = density * cell_volume(fields)
    mass = float(w.sum())
    mean = np.array([float((w * m).sum()) / mass for m in mesh])
    cov = np.array([[float((w * (mi - mean[i]) * (mj - mean[j])).sum()) / mass
                     for j, mj in enumerate(mesh)] for i, mi in enumerate(mesh)])
    # Sheppard's correction, as the program's grid_moments: a cell's mass put at its centre overstates a
    # smooth density's variance by h^2/12 per axis
    h = (fields["upper"] - fields["lower"]) / fields["cells"]
    cov -= np.diag(h ** 2 / 12.0)
    return mass, mean, cov


def particle_moments(pos, weights):
    mass = float(weights.sum())
    mean = (weights[:, None] * pos).sum(axis=0) / mass
    d = pos - mean
    cov = (weights[:, None, None] * d[:, :, None] * d[:, None, :]).sum(axis=0) / mass
    return mass, mean, cov


def closed_form_gaussian(deck, t):
    """(mean, cov) of the exact solution at t where it is Gaussian (exact_density.py lists the models), else None."""
    from exact_density import gaussian_state
    return gaussian_state(deck, t)


def gaussian_density(points, mean, cov):
    from exact_density import gaussian_density as density
    return density(points, mean, cov)


def read_sweep(sweepdir):
    """sweep.json -> dict; raises OutputError naming the file when it is missing or malformed."""
    path = os.path.join(sweepdir, "sweep.json")
    if not os.path.isfile(path):
        raise OutputError(f"{path}: not found (write it with `measureflow sweep DECK --out {sweepdir}`)")
    with open(path) as f:
        index = json.load(f)
    for key in ("keys", "variants"):
        if key not in index:
            raise OutputError(f"{path}: missing key '{key}'")
    return index


def variant_output_dir(sweepdir, variant):
    """Paths in the index are absolute, relative to where `measureflow sweep` ran, or relative to the
    sweep directory; the same rule as jobs/sweep.sbatch."""
    out = variant["output_dir"]
    if os.path.isabs(out) or os.path.exists(os.path.dirname(out) or "."):
        return out
    return os.path.join(sweepdir, out)
