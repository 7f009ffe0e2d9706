#!/usr/bin/python3
"""Error vs resolution on log-log axes with fitted observed orders, for a sweep directory.

Usage: postprocess/convergence.py SWEEPDIR [--key domain.cells] [--metric NAME ...]
Reads SWEEPDIR/sweep.json and every variant's summary.json. The resolution key defaults to the first
swept key among domain.cells, lagrangian.particles (override with --key); every other swept key splits
the variants into separate lines. Error metrics default to every metric whose name ends in `_error` or
`_error_abs`. Resolution n is cells along x (domain.cells) or the value itself; the observed order p is
the least-squares slope of log(error) against log(1/n), so error ~ n^-p.
Writes SWEEPDIR/plots/convergence_<metric>.png, an overview SWEEPDIR/plots/convergence.png (the errors of the
view the key refines, with fitted orders in the legend and reference slopes 1 and 2) and
SWEEPDIR/plots/convergence.json, prints each file it wrote, lists missing variants, and ends with one line `convergence: {...}`.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import mf_outputs as mo  # noqa: E402

RESOLUTION_KEYS = ("domain.cells", "lagrangian.particles")


def resolution_of(value):
    """Cells per axis use the first axis; scalars are used as they are."""
    if isinstance(value, (list, tuple)):
        return float(value[0])
    return float(value)


def fit_order(n, err):
    """Least-squares slope of log(err) vs log(1/n); None with fewer than two positive points."""
    n, err = np.asarray(n, float), np.asarray(err, float)
    ok = (err > 0) & np.isfinite(err) & (n > 0)
    if ok.sum() < 2:
        return None, None
    slope, intercept = np.polyfit(np.log(1.0 / n[ok]), np.log(err[ok]), 1)
    return float(slope), float(intercept)


def is_error_metric(name):
    return name.endswith("_error") or name.endswith("_error_abs")


def overview_metrics(key, per_metric):
    """The metrics of the view the resolution key refines (grid errors for domain.cells, particle errors for
    lagrangian.particles) that have a fitted order: the figure a reader wants first."""
    view = {"domain.cells": "eulerian.", "lagrangian.particles": "lagrangian."}.get(key, "")
    return [m for m, groups in per_metric.items()
            if m.startswith(view) and any(g["order"] is not None for g in groups.values())]


def style_axes(ax, xlabel, ylabel, title, ns):
    from matplotlib.ticker import NullFormatter
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ticks = sorted(set(ns))
    ax.set_xticks(ticks)                                  # the resolutions run: 100, 200, 400
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)


def plot_overview(per_metric, names, others, xlabel, title, path):
    """Every overview metric on one log-log axis, the fitted order in each legend entry, and dashed
    reference slopes of order 1 and 2 through the first point of the first line."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    first = None
    for i, m in enumerate(names):
        for group, g in per_metric[m].items():
            if g["order"] is None:
                continue
            pretty = ", ".join(f"{k}={v}" for k, v in json.loads(group).items())
            label = m + (f" [{pretty}]" if others else "") + f"  (order {g['order']:.2f})"
            ax.loglog(g["n"], g["error"], "os^vD"[i % 5] + "-", label=label, ms=5)
            first = first or (g["n"], g["error"])
    n0, e0 = first[0][0], first[1][0]
    nn = np.array([min(first[0]), max(first[0])])
    for p, style in ((1, "--"), (2, ":")):
        ax.loglog(nn, e0 * (nn / n0) ** (-p), "k" + style, lw=0.8, label=f"slope {p} (reference)")
    style_axes(ax, xlabel, "error", title, [n for m in names for g in per_metric[m].values() for n in g["n"]])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweepdir")
    ap.add_argument("--key", help="swept key that is the resolution (default: first of %s)" % ", ".join(RESOLUTION_KEYS))
    ap.add_argument("--metric", action="append", help="metric to plot (repeatable; default: all *_error)")
    args = ap.parse_args(argv)

    index = mo.read_sweep(args.sweepdir)
    keys = list(index["keys"])
    key = args.key or next((k for k in RESOLUTION_KEYS if k in keys), keys[0] if keys else None)
    if key not in keys:
        sys.stderr.write(f"convergence.py: {args.sweepdir}/sweep.json: resolution key '{key}' is not swept; "
                         f"swept keys are {keys}\n")
        return 2
    others = [k for k in keys if k != key]

    rows, missing = [], []
    for v in index["variants"]:
        summary = mo.read_summary(mo.variant_output_dir(args.sweepdir, v))
        if summary is None:
            missing.append(v.get("name", str(v.get("id"))))
            continue
        rows.append({"name": v.get("name"), "n": resolution_of(v["values"][key]),
                     "group": json.dumps({k: v["values"][k] for k in others}, sort_keys=True),
                     "metrics": summary.get("metrics", {})})
    metrics = args.metric or sorted({m for r in rows for m in r["metrics"] if is_error_metric(m)})

    import matplotlib.pyplot as plt
    plots = os.path.join(args.sweepdir, "plots")
    os.makedirs(plots, exist_ok=True)
    written, result = [], {"resolution_key": key, "missing": missing, "metrics": {}}
    deck_name = os.path.basename(str(index.get("deck", ""))) or os.path.basename(os.path.normpath(args.sweepdir))
    xlabel = key + (" (cells along x)" if key == "domain.cells" else "")
    for metric in metrics:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        per_group = {}
        for group in sorted({r["group"] for r in rows}):
            pts = sorted((r["n"], r["metrics"][metric]) for r in rows
                         if r["group"] == group and metric in r["metrics"])
            if not pts:
                continue
            n, err = [p[0] for p in pts], [p[1] for p in pts]
            order, intercept = fit_order(n, err)
            pretty = ", ".join(f"{k}={v}" for k, v in json.loads(group).items())
            label = (pretty if others else metric) + (f"  (order {order:.2f})" if order is not None else "")
            ax.loglog(n, err, "o-", label=label)
            if order is not None:
                nn = np.array([min(n), max(n)])
                ax.loglog(nn, np.exp(intercept) * nn ** (-order), "k:", lw=0.8)
            per_group[group] = {"n": n, "error": err, "order": order}
        style_axes(ax, xlabel, metric, f"{deck_name}: {metric} vs {key}", [r["n"] for r in rows])
        fig.tight_layout()
        path = os.path.join(plots, f"convergence_{metric}.png")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
        result["metrics"][metric] = per_group
    overview = overview_metrics(key, result["metrics"])
    if overview:
        path = os.path.join(plots, "convergence.png")
        plot_overview(result["metrics"], overview, others, xlabel, f"{deck_name}: errors vs {key}", path)
        written.insert(0, path)
        result["overview"] = overview
    json_path = os.path.join(plots, "convergence.json")
    with open(json_path, "w") as f:
        json.dump(result, f, indent=2)
    written.append(json_path)
    for path in written:
        print(f"wrote {path}")
    for name in missing:
        print(f"missing: {name} (no summary.json)")
    print("convergence: " + json.dumps(result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except mo.OutputError as e:
        sys.stderr.write(f"convergence.py: {e}\n")
        sys.exit(2)
