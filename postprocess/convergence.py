#!/usr/bin/python3
"""Error vs resolution on log-log axes with fitted observed orders, for a sweep directory.

Usage: postprocess/convergence.py SWEEPDIR [--key domain.cells] [--metric NAME ...]
Reads SWEEPDIR/sweep.json and every variant's summary.json. The resolution key defaults to the first
swept key among domain.cells, lagrangian.particles (override with --key); every other swept key splits
the variants into separate lines. Error metrics default to every metric whose name ends in `_error` or
`_error_abs`. Resolution n is cells along x (domain.cells) or the value itself; the observed order p is
the least-squares slope of log(error) against log(1/n), so error ~ n^-p.
Writes SWEEPDIR/plots/convergence_<metric>.png and SWEEPDIR/plots/convergence.json, prints each file it
wrote, lists missing variants, and ends with one line `convergence: {...}`.
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
        ax.set_xlabel(key + (" (cells along x)" if key == "domain.cells" else ""))
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} vs {key}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = os.path.join(plots, f"convergence_{metric}.png")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
        result["metrics"][metric] = per_group
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
