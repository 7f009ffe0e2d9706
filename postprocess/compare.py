#!/usr/bin/python3
"""Cross-validation plots of one MeasureFlow run: metrics over time for every view (diagnostics.csv),
and density slices of grid vs particles vs closed form at every snapshot.

Usage: postprocess/compare.py OUTDIR [--json]
Writes OUTDIR/plots/*.png, prints each file it wrote, then one line `compare: {...}` with the values it
read (times, masses, means, slice errors) so a test or a user can check them.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import mf_outputs as mo  # noqa: E402


def plot_metrics(diag, plots, written):
    """One panel per view prefix (eulerian, lagrangian, cross, ...), log scale when all values > 0."""
    import matplotlib.pyplot as plt
    names, values = diag
    t = values[:, 0]
    groups = {}
    for col, name in enumerate(names[1:], start=1):
        groups.setdefault(name.split(".")[0], []).append((name, values[:, col]))
    fig, axes = plt.subplots(len(groups), 1, figsize=(7, 2.8 * len(groups)), squeeze=False, sharex=True)
    for ax, (view, series) in zip(axes[:, 0], sorted(groups.items())):
        for name, y in series:
            ax.plot(t, y, marker="o", label=name)
        finite = np.concatenate([y[np.isfinite(y)] for _, y in series])
        if finite.size and np.all(finite > 0):
            ax.set_yscale("log")
        ax.set_title(view)
        ax.legend(fontsize=8)
    axes[-1, 0].set_xlabel("time")
    fig.tight_layout()
    path = os.path.join(plots, "metrics_over_time.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    written.append(path)
    return {name: values[:, col].tolist() for col, name in enumerate(names)}


def slice_line(fields, density, particles_snap, exact):
    """Density along x through the cell holding the grid mean in every other axis.

    Particles give a histogram of the strip of that cell row (mass / strip volume); the closed form is
    evaluated at the cell centres."""
    centres = mo.cell_centres(fields)
    _, mean, _ = mo.grid_moments(fields, density)
    h = (fields["upper"] - fields["lower"]) / fields["cells"]
    index = []
    for a in range(1, fields["dim"]):
        k = int(np.clip(np.floor((mean[a] - fields["lower"][a]) / h[a]), 0, fields["cells"][a] - 1))
        index.append(k)
    sel = tuple(index[::-1]) + (slice(None),)       # density is [nz][ny][nx]
    line = {"x": centres[0], "grid": density[sel], "at": [float(centres[a + 1][k]) for a, k in enumerate(index)]}
    if particles_snap is not None:
        _, pos, w, _ = particles_snap
        inside = np.ones(len(pos), dtype=bool)
        for a, k in enumerate(index, start=1):
            lo = fields["lower"][a] + k * h[a]
            inside &= (pos[:, a] >= lo) & (pos[:, a] < lo + h[a])
        edges = np.linspace(fields["lower"][0], fields["upper"][0], fields["cells"][0] + 1)
        hist, _ = np.histogram(pos[inside, 0], bins=edges, weights=w[inside])
        line["particles"] = hist / (w.sum() * np.prod(h))
    if exact is not None:
        pts = np.column_stack([centres[0]] + [np.full(len(centres[0]), c) for c in line["at"]])
        line["closed_form"] = mo.gaussian_density(pts, *exact)
    return line


def plot_slice(line, t, path):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.step(line["x"], line["grid"], where="mid", label="eulerian (grid)")
    if "particles" in line:
        ax.step(line["x"], line["particles"], where="mid", label="lagrangian (particles)", alpha=0.7)
    if "closed_form" in line:
        ax.plot(line["x"], line["closed_form"], "k--", label="closed form")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.set_title(f"t = {t:g}, slice at " + ", ".join(f"{c:.3g}" for c in line["at"]))
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_moments(snapshots, path):
    """Mean and covariance trace of every view over time, read from the snapshots themselves, so runs
    without diagnostics.csv still get a cross-validation plot."""
    import matplotlib.pyplot as plt
    views = (("grid", "eulerian (grid)", "-o"), ("particle", "lagrangian (particles)", "-s"),
             ("exact", "closed form", "k--"))
    t = [s["time"] for s in snapshots]
    dim = len(snapshots[0]["grid_mean"]) if "grid_mean" in snapshots[0] else len(snapshots[0]["particle_mean"])
    fig, axes = plt.subplots(1, dim + 1, figsize=(4 * (dim + 1), 3.5), squeeze=False)
    for key, label, style in views:
        if f"{key}_mean" not in snapshots[0]:
            continue
        for a in range(dim):
            axes[0, a].plot(t, [s[f"{key}_mean"][a] for s in snapshots], style, label=label)
        axes[0, dim].plot(t, [np.trace(s[f"{key}_cov"]) for s in snapshots], style, label=label)
    for a in range(dim):
        axes[0, a].set_title(f"mean[{a}]")
    axes[0, dim].set_title("trace(cov)")
    for ax in axes[0]:
        ax.set_xlabel("time")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    args = ap.parse_args(argv)
    outdir = args.outdir
    if not os.path.isdir(outdir):
        sys.stderr.write(f"compare.py: {outdir}: not a directory\n")
        return 2
    plots = os.path.join(outdir, "plots")
    os.makedirs(plots, exist_ok=True)
    written, report = [], {"outdir": os.path.abspath(outdir)}

    summary = mo.read_summary(outdir)
    if summary is not None:
        report["summary_metrics"] = summary.get("metrics", {})
    diag = mo.read_diagnostics(outdir)
    if diag is not None:
        report["diagnostics"] = plot_metrics(diag, plots, written)

    fields = mo.read_fields(outdir)
    parts = mo.read_particles(outdir)
    deck = fields["deck"] if fields else {}
    report["snapshots"] = []
    if fields is None and parts is None:
        sys.stderr.write(f"compare.py: {outdir} holds neither fields.h5 nor particles.h5\n")
    psnaps = {round(t, 12): s for s in (parts["snapshots"] if parts else []) for t in [s[0]]}
    for k, (t, dens) in enumerate(fields["snapshots"] if fields else []):
        exact = mo.closed_form_gaussian(deck, t)
        psnap = psnaps.get(round(t, 12))
        entry = {"time": t}
        mass, mean, cov = mo.grid_moments(fields, dens)
        entry.update(grid_mass=mass, grid_mean=mean.tolist(), grid_cov=cov.tolist(),
                     density_min=float(dens.min()), density_max=float(dens.max()))
        if psnap is not None:
            pmass, pmean, pcov = mo.particle_moments(psnap[1], psnap[2])
            entry.update(particle_count=len(psnap[1]), particle_mass=pmass, particle_mean=pmean.tolist(),
                         particle_cov=pcov.tolist())
        if exact is not None:
            entry.update(exact_mean=exact[0].tolist(), exact_cov=exact[1].tolist())
        if fields["dim"] >= 1:
            line = slice_line(fields, dens, psnap, exact)
            entry["slice_at"] = line["at"]
            if "closed_form" in line:
                entry["slice_max_abs_grid_minus_exact"] = float(np.max(np.abs(line["grid"] - line["closed_form"])))
            path = os.path.join(plots, f"slice_{k:06d}.png")
            plot_slice(line, t, path)
            written.append(path)
        report["snapshots"].append(entry)
    if fields is None and parts is not None:
        for t, pos, w, _ in parts["snapshots"]:
            pmass, pmean, pcov = mo.particle_moments(pos, w)
            report["snapshots"].append({"time": t, "particle_count": len(pos), "particle_mass": pmass,
                                        "particle_mean": pmean.tolist(), "particle_cov": pcov.tolist()})
    if report["snapshots"]:
        path = os.path.join(plots, "moments_over_time.png")
        plot_moments(report["snapshots"], path)
        written.append(path)
    for path in written:
        print(f"wrote {path}")
    report["written"] = written
    print("compare: " + json.dumps(report))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except mo.OutputError as e:
        sys.stderr.write(f"compare.py: {e}\n")
        sys.exit(2)
