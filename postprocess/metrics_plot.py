"""The metrics-over-time figure of one run (diagnostics.csv): one panel per kind of metric (metric_kinds.py).

Errors (view vs exact) and distances between views share no panel with each other or with anything else and
are drawn on log axes, since they span decades; quantities get linear panels with every view of one quantity
together (eulerian.energy beside lagrangian.energy); parameters and counts are printed under the figure, not
drawn. Returns what was drawn where, so a test can check the layout without reading pixels.
"""
import numpy as np

import metric_kinds as mk

MAX_QUANTITY_PANELS = 3
# quantities a reader checks first (conservation, the energy a gradient flow decreases, the spread)
PREFERRED = ("mass", "energy", "kinetic_energy", "risk", "cov_trace", "mean_norm")
VIEW_COLOURS = {"eulerian": "tab:blue", "lagrangian": "tab:orange", "closed_form": "black", "cross": "tab:green",
                "field": "tab:purple", "static": "tab:red"}
STYLES = ["-o", "--s", ":^", "-.v", "-D", "--x", ":*", "-.P"]
VIEW_STYLES = {"eulerian": "-o", "lagrangian": "--s", "cross": "-^", "field": ":v", "static": "-.D"}


def _varies(y):
    y = y[np.isfinite(y)]
    return y.size > 0 and not np.all(y == y[0])


def _fmt(v):
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _parameter_text(names, values, cols):
    """'name = value' (or 'name: first .. last' when it changes), wrapped into lines of at most 110 chars."""
    parts = []
    for n in names:
        y = values[:, cols[n]]
        y = y[np.isfinite(y)]
        if y.size == 0:
            continue
        v = [float(y[0]), float(y[-1])]
        v = [int(x) if x == int(x) and abs(x) < 1e15 else x for x in v]
        parts.append(f"{n} = {_fmt(v[0])}" if v[0] == v[1] else f"{n}: {_fmt(v[0])} .. {_fmt(v[1])}")
    lines, line = [], ""
    for p in parts:
        if line and len(line) + len(p) + 3 > 110:
            lines.append(line)
            line = ""
        line = f"{line}   {p}" if line else p
    if line:
        lines.append(line)
    return lines


def plot_metrics(names, values, path, title):
    """names: header of diagnostics.csv (first is `time`); values: rows x columns. Writes path (PNG)."""
    import matplotlib.pyplot as plt
    t = values[:, 0]
    cols = {n: i for i, n in enumerate(names)}
    groups = mk.group(names[1:])
    panels = []       # (kind, label, [names], log)
    for kind in ("view_vs_exact", "view_vs_view"):
        drawn = [n for n in groups[kind] if np.any(np.isfinite(values[:, cols[n]]))]
        if drawn:
            panels.append((kind, mk.TITLES[kind], drawn, True))
    by_quantity = {}
    for n in groups["quantity"]:
        if np.any(np.isfinite(values[:, cols[n]])):
            by_quantity.setdefault(mk.quantity_of(n), []).append(n)
    # preferred quantities first, then those that change over time: a constant says least as a curve
    ranked = sorted(by_quantity.items(), key=lambda kv: (
        PREFERRED.index(kv[0]) if kv[0] in PREFERRED else len(PREFERRED),
        not any(_varies(values[:, cols[n]]) for n in kv[1])))
    for q, ns in ranked[:MAX_QUANTITY_PANELS]:
        panels.append(("quantity", q, ns, False))
    listed = groups["parameter"] + [n for _, ns in ranked[MAX_QUANTITY_PANELS:] for n in ns]
    text = _parameter_text(listed, values, cols)

    # the view-vs-exact panel, the one a reader looks at first, gets the whole first row when it is crowded
    wide = bool(panels) and panels[0][0] == "view_vs_exact" and len(panels[0][2]) > 4 and len(panels) > 1
    rest = len(panels) - (1 if wide else 0)
    ncols = 1 if len(panels) <= 1 else 2
    nrows = (1 if wide else 0) + max(1, -(-rest // ncols))
    fig = plt.figure(figsize=(6.8 * ncols, 3.4 * nrows + 0.25 * len(text) + 0.6))
    grid = fig.add_gridspec(nrows, ncols)
    axes_list = [fig.add_subplot(grid[0, :])] if wide else []
    first = 1 if wide else 0
    axes_list += [fig.add_subplot(grid[first + i // ncols, i % ncols]) for i in range(nrows * ncols - first * ncols)]
    axes = np.array(axes_list, dtype=object).reshape(-1, 1)
    layout = {"panels": [], "parameters": groups["parameter"], "listed": listed}
    for ax, (kind, label, ns, log) in zip(axes.ravel(), panels):
        negative = False
        # error panels: one colour per quantity, one line style per view, so eulerian.l1_error and
        # lagrangian.l1_error read as the same measure of two views
        quantities = sorted({mk.quantity_of(n) for n in ns})
        for i, n in enumerate(ns):
            y = values[:, cols[n]].copy()
            if log and np.any(y[np.isfinite(y)] < 0):
                y, negative = np.abs(y), True
            if log:
                y[y <= 0] = np.nan       # exact zeros (e.g. at t = 0) cannot sit on a log axis
            view = mk.view_of(n)
            if kind == "quantity":
                colour, style = VIEW_COLOURS.get(view), STYLES[i % len(STYLES)]
            else:
                colour = f"C{quantities.index(mk.quantity_of(n)) % 10}"
                style = VIEW_STYLES.get(view, "-.D")
            ax.plot(t, y, style, color=colour, label=n, ms=4, lw=1.2)
        if log:
            ax.set_yscale("log")
        else:
            ax.ticklabel_format(axis="y", useOffset=False)   # no "1e-12 + 9.99e-1" offset text
        ax.set_title(label, fontsize=11)
        ax.set_xlabel("time t")
        ylabel = {"view_vs_exact": "error (relative unless _abs)", "view_vs_view": "distance"}.get(kind)
        ax.set_ylabel((ylabel + (", |value|" if negative else "")) if log else mk.quantity_of(ns[0]).replace("_", " "))
        ax.grid(True, which="major", alpha=0.3)
        if log and len(ns) > 4:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        else:
            ax.legend(fontsize=8, loc="best")
        layout["panels"].append({"kind": kind, "title": label, "metrics": ns, "log": log})
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    if not panels:
        axes[0, 0].set_visible(True)
        axes[0, 0].axis("off")
        axes[0, 0].text(0.5, 0.5, "no metric changes over time", ha="center", va="center")
    fig.suptitle(title, fontsize=12)
    bottom = (0.25 * len(text) + 0.35) / fig.get_figheight() if text else 0.02
    if text:
        text[0] = "not drawn: " + text[0]
        fig.text(0.01, 0.01, "\n".join(text), fontsize=8, family="monospace", va="bottom", ha="left")
    fig.tight_layout(rect=(0, bottom, 1, 0.96))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return layout
