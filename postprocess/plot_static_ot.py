#!/usr/bin/python3
"""The transport map of a static_ot run (model: static_ot): the source density α with the barycentric map
T(x) − x drawn as arrows over it and the target β as contours (grid view, fields.h5), the potential f, and
the particle view's arrows from particles.h5 when it holds them (the per-particle `map` vectors).

  plot_static_ot.py OUTDIR [--out static_ot.png] [--arrows 14]

Arrows are drawn on a subsampled set of cells where α holds mass (above 2 % of its peak), at true scale
(one unit of arrow = one unit of length), so an arrow ends where its mass is sent.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mf_outputs as mo  # noqa: E402


def read_static_fields(outdir):
    import h5py
    path = os.path.join(outdir, "fields.h5")
    with h5py.File(path, "r") as f:
        g = f["grid"].attrs
        snap = f["snapshots"][sorted(f["snapshots"].keys())[-1]]
        needed = ("density", "target_density", "potential_f", "map_x", "map_y")
        missing = [n for n in needed if n not in snap]
        if int(g["dim"]) != 2 or missing:
            raise mo.OutputError(f"{path}: a 2D static_ot run is needed (dim {int(g['dim'])}, missing {missing})")
        return {"lower": np.array(g["lower"], float), "upper": np.array(g["upper"], float),
                "cells": np.array(g["cells"], int), **{n: np.array(snap[n], float) for n in needed}}


def read_particle_map(outdir):
    """(positions N×2, map N×2) of the last particles.h5 snapshot, or None without per-particle maps."""
    import h5py
    path = os.path.join(outdir, "particles.h5")
    if not os.path.isfile(path):
        return None
    with h5py.File(path, "r") as f:
        snap = f["snapshots"][sorted(f["snapshots"].keys())[-1]]
        if "map" not in snap:
            return None
        return np.array(snap["positions"], float)[:, :2], np.array(snap["map"], float)[:, :2]


def plot(outdir, out_png, arrows=14):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    f = read_static_fields(outdir)
    h = (f["upper"] - f["lower"]) / f["cells"]
    x = f["lower"][0] + h[0] * (np.arange(f["cells"][0]) + 0.5)
    y = f["lower"][1] + h[1] * (np.arange(f["cells"][1]) + 0.5)
    X, Y = np.meshgrid(x, y)
    alpha, beta = f["density"], f["target_density"]
    extent = [f["lower"][0], f["upper"][0], f["lower"][1], f["upper"][1]]
    particles = read_particle_map(outdir)
    panels = 3 if particles is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.8), constrained_layout=True)

    ax = axes[0]
    im = ax.imshow(alpha, origin="lower", extent=extent, cmap="Blues")
    fig.colorbar(im, ax=ax, shrink=0.8, label="α (source density)")
    ax.contour(X, Y, beta, levels=6, colors="tab:red", linewidths=0.8)
    stride = max(1, int(round(max(f["cells"]) / arrows)))
    sel = (slice(stride // 2, None, stride), slice(stride // 2, None, stride))
    mask = alpha[sel] > 0.02 * alpha.max()
    ax.quiver(X[sel][mask], Y[sel][mask], f["map_x"][sel][mask], f["map_y"][sel][mask], angles="xy",
              scale_units="xy", scale=1.0, width=0.003, color="black")
    ax.set_title("grid view: T(x) − x over α; β in red contours")
    ax.set_aspect("equal")

    ax = axes[1]
    support = alpha > 1e-3 * alpha.max()
    fmask = np.where(support, f["potential_f"], np.nan)
    im = ax.imshow(fmask, origin="lower", extent=extent, cmap="viridis")
    fig.colorbar(im, ax=ax, shrink=0.8, label="f (cost units)")
    ax.set_title("potential f where α > 1e-3 max α")
    ax.set_aspect("equal")

    if particles is not None:
        ax = axes[2]
        pos, disp = particles
        every = max(1, len(pos) // 150)
        ax.quiver(pos[::every, 0], pos[::every, 1], disp[::every, 0], disp[::every, 1], angles="xy",
                  scale_units="xy", scale=1.0, width=0.003, color="tab:orange")
        ax.contour(X, Y, beta, levels=6, colors="tab:red", linewidths=0.8)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_title(f"particle view: T(x) − x of {len(pos[::every])} of {len(pos)} samples")
        ax.set_aspect("equal")

    summary = mo.read_summary(outdir) or {}
    m = summary.get("metrics", {})
    keys = ["static.w2sq", "static.divergence", "closed_form.w2sq", "lagrangian.divergence", "static.eps"]
    fig.suptitle("static_ot  " + "  ".join(f"{k} = {m[k]:.5g}" for k in keys if k in m), fontsize=9)
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return {"arrows_grid": int(mask.sum()), "panels": panels}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outdir")
    p.add_argument("--out", default=None, help="PNG path (default OUTDIR/static_ot.png)")
    p.add_argument("--arrows", type=int, default=14, help="arrows per axis on the grid panel")
    a = p.parse_args()
    try:
        info = plot(a.outdir, a.out or os.path.join(a.outdir, "static_ot.png"), a.arrows)
    except (mo.OutputError, OSError, KeyError) as e:
        print(f"plot_static_ot.py: {e}", file=sys.stderr)
        return 2
    print(f"wrote {a.out or os.path.join(a.outdir, 'static_ot.png')}: {info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
