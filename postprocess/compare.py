#!/usr/bin/python3
"""Cross-validation summary and plots of one MeasureFlow run.

Usage: postprocess/compare.py OUTDIR [--json] [--no-animation]
Prints a short summary: the run, then its key metrics grouped by kind (view vs exact, view vs view,
quantities, parameters and counts; metric_kinds.py), final value and largest value over the outputs, and the
moments of every view at the last output. Writes the plots to OUTDIR/plots/:
  metrics_over_time.png   errors on log axes, one panel per kind; parameters listed, not drawn
  moments_over_time.png   mean and trace(cov) of grid, particles and closed form over time
  slice_NNNNNN.png        density along x through the grid mean: grid vs particles vs closed form
  panel_NNNNNN.png, animation.mp4, animation.gif   (2D runs, panels.py) grid | particles | exact | difference
and everything it read and computed to OUTDIR/plots/compare.json; --json prints that JSON instead of the
summary.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import metric_kinds as mk  # noqa: E402
import metrics_plot  # noqa: E402
import mf_outputs as mo  # noqa: E402
import panels  # noqa: E402


def plot_metrics(diag, plots, title, written):
    """metrics_over_time.png (metrics_plot.py); returns (every column as lists, the figure's layout)."""
    names, values = diag
    path = os.path.join(plots, "metrics_over_time.png")
    layout = metrics_plot.plot_metrics(names, values, path, title)
    written.append(path)
    columns = {name: [None if not np.isfinite(v) else float(v) for v in values[:, col]] for col, name in enumerate(names)}
    return columns, layout


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
    where = ", ".join(f"{'yz'[a] if a < 2 else a} = {c:.3g}" for a, c in enumerate(line["at"]))
    ax.set_title("density along x" + (f" through the grid mean's row ({where})" if where else "") + f",  t = {t:.4g}",
                 fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_moments(snapshots, path, title):
    """Mean and covariance trace of every view over time, read from the snapshots themselves, so runs
    without diagnostics.csv still get a cross-validation plot."""
    import matplotlib.pyplot as plt
    views = (("grid", "eulerian (grid)", "-o"), ("particle", "lagrangian (particles)", "--s"),
             ("exact", "closed form", "k:"))
    t = [s["time"] for s in snapshots]
    dim = len(snapshots[0]["grid_mean"]) if "grid_mean" in snapshots[0] else len(snapshots[0]["particle_mean"])
    fig, axes = plt.subplots(1, dim + 1, figsize=(4 * (dim + 1), 3.6), squeeze=False)
    for key, label, style in views:
        if f"{key}_mean" not in snapshots[0]:
            continue
        for a in range(dim):
            axes[0, a].plot(t, [s[f"{key}_mean"][a] for s in snapshots], style, label=label, ms=4)
        axes[0, dim].plot(t, [np.trace(s[f"{key}_cov"]) for s in snapshots], style, label=label, ms=4)
    for a in range(dim):
        axes[0, a].set_title(f"mean, {'xyz'[a] if dim <= 3 else a} component", fontsize=10)
        axes[0, a].set_ylabel(f"mean {'xyz'[a] if dim <= 3 else a}")
    axes[0, dim].set_title("spread: trace of the covariance", fontsize=10)
    axes[0, dim].set_ylabel("trace(cov)")
    for ax in axes[0]:
        ax.set_xlabel("time t")
        ax.grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def metric_table(summary, diag):
    """{kind: [{name, final, max}]}: final from summary.json (else the last output), max over the outputs."""
    final = dict((summary or {}).get("metrics", {}))
    over_time = {}
    if diag is not None:
        names, values = diag
        for col, name in enumerate(names[1:], start=1):
            y = values[:, col]
            y = y[np.isfinite(y)]
            if y.size:
                over_time[name] = (float(y[-1]), float(np.max(np.abs(y))))
    table = {k: [] for k in mk.KINDS}
    for name in sorted(set(final) | set(over_time)):
        f = final.get(name, over_time.get(name, (None,))[0])
        table[mk.kind_of(name)].append({"name": name, "final": f,
                                        "max": over_time[name][1] if name in over_time else None})
    return table


def _num(v):
    if v is None:
        return "-"
    if isinstance(v, float) and (v != v):
        return "nan"
    if float(v) == int(v) and abs(v) < 1e9 and not (0 < abs(v) < 1):
        return str(int(v))
    return f"{v:.3e}" if (abs(v) < 1e-2 or abs(v) >= 1e5) and v != 0 else f"{v:.4g}"


def _vec(v):
    return "(" + ", ".join(f"{x:+.4f}" for x in v) + ")"


def summary_text(report):
    """The short human summary: run line, metric table by kind, moments at the last output, where things are."""
    run = report["run"]
    lines = [f"{report['outdir']}: {run.get('model', '?')}" +
             (f", {run['dim']}D {'x'.join(str(c) for c in run['cells'])} cells" if "cells" in run else "") +
             (f", {run['particles']} particles" if run.get("particles") else "") +
             (f", {run['ranks']} ranks" if run.get("ranks") else "") +
             (f", {run['steps']} steps to t = {run['final_time']:.4g}" if run.get("steps") is not None and
              run.get("final_time") is not None else "") +
             (f" ({run['wall_seconds']:.3g} s)" if run.get("wall_seconds") is not None else "")]
    if report.get("exact"):
        lines.append(f"exact solution: {report['exact']}")
    width = max([len(r["name"]) for rows in report["metrics"].values() for r in rows] + [34]) + 2
    for kind in mk.KINDS:
        rows = report["metrics"][kind]
        if not rows:
            continue
        if kind == "parameter":
            line = f"{mk.TITLES[kind]}:"
            for r in rows:                                   # wrapped at about 100 characters
                item = f"{r['name']} = {_num(r['final'])}"
                if len(line) + len(item) > 100:
                    lines.append(line)
                    line = " "
                line += "  " + item
            lines.append(line)
            continue
        head = mk.TITLES[kind] + (" (relative unless _abs)" if kind == "view_vs_exact" else "")
        lines.append(f"{head:<{width + 2}}{'final':>12}{'max |.| over t':>16}")
        for r in rows:
            lines.append(f"  {r['name']:<{width}}{_num(r['final']):>12}{_num(r['max']):>16}")
    if report["snapshots"]:
        last = report["snapshots"][-1]
        lines.append(f"{'moments at t = ' + format(last['time'], '.4g'):<14}{'mean':>28}{'trace(cov)':>14}")
        for key, label in (("grid", "grid"), ("particle", "particles"), ("exact", "exact")):
            if f"{key}_mean" in last:
                lines.append(f"  {label:<12}{_vec(last[key + '_mean']):>28}{np.trace(last[key + '_cov']):>14.6f}")
    names = [os.path.basename(p) for p in report["written"]]
    counted = {}
    for n in names:
        stem = n.split("_0")[0] if "_0" in n else n
        counted[stem] = counted.get(stem, 0) + 1
    shown = [f"{c} {s}_*.png" if c > 1 else s for s, c in counted.items()]
    lines.append(f"plots in {os.path.join(report['outdir'], 'plots')}: " + ", ".join(shown))
    lines.append(f"JSON: {report['json']}  (--json prints it)")
    return "\n".join(lines)


def run_line(summary, fields, parts):
    run = {k: summary[k] for k in ("model", "ranks", "steps", "final_time", "wall_seconds", "version")
           if summary and k in summary}
    if fields is not None:
        run.update(dim=fields["dim"], cells=fields["cells"].tolist())
        run.setdefault("model", fields["deck"].get("model"))
    if parts is not None and parts["snapshots"]:
        run["particles"] = len(parts["snapshots"][-1][1])
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("outdir")
    ap.add_argument("--json", action="store_true", help="print the JSON report instead of the summary")
    ap.add_argument("--no-animation", action="store_true", help="2D runs: panels without the MP4/GIF")
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
    fields = mo.read_fields(outdir)
    parts = mo.read_particles(outdir)
    deck = fields["deck"] if fields else {}
    report["run"] = run_line(summary, fields, parts)
    title = f"{os.path.basename(os.path.normpath(outdir))} ({report['run'].get('model', '?')}): metrics over time"
    if diag is not None:
        report["diagnostics"], report["metrics_plot"] = plot_metrics(diag, plots, title, written)
    report["metrics"] = metric_table(summary, diag)
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
        plot_moments(report["snapshots"], path, title.replace("metrics over time", "moments of each view over time"))
        written.append(path)
    if fields is not None and fields["dim"] in (2, 3):
        frames, report["panels"] = panels.make_panels(outdir, animation=not args.no_animation)
        written += frames
    report["exact"] = panels.ed.describe(deck) if deck and mo.closed_form_gaussian(deck, 0.0) is not None else None
    report["written"] = written
    report["json"] = os.path.join(os.path.abspath(plots), "compare.json")
    with open(report["json"] + ".tmp", "w") as f:
        json.dump(report, f, indent=1)
    os.replace(report["json"] + ".tmp", report["json"])
    print(json.dumps(report, indent=1) if args.json else summary_text(report))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except mo.OutputError as e:
        sys.stderr.write(f"compare.py: {e}\n")
        sys.exit(2)
