#!/usr/bin/python3
"""Panel figures of a 2D run (of a 3D run's (x, y) marginal), one per output time, and an animation of them.

Usage: postprocess/panels.py OUTDIR [--no-animation] [--fps 3]
Each figure OUTDIR/plots/panel_NNNNNN.png shows, on one colour scale, the grid density (Eulerian view), the
particle density (Lagrangian view, a weighted histogram of the particles on the grid's cells, or on cells 2x,
4x or 8x coarser until there are 10 particles per bin on average), the exact density where this package knows it
(the run's snapshots/NNNNNN/exact_density cell averages where it writes them, else exact_density.py
evaluated at the cell centres), and the difference grid - exact (grid - particles when no
exact density is known). OUTDIR/plots/animation.mp4 and animation.gif join the frames (ffmpeg).
Prints each file it wrote and one line `panels: {...}` with the L1 distances and colour ranges it used.
Called by compare.py for every 2D run.
"""
import json
import os
import shutil
import subprocess
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import exact_density as ed  # noqa: E402
import mf_outputs as mo  # noqa: E402

MIN_PARTICLES_PER_BIN = 10.0


def histogram_coarsening(cells, particles):
    """Smallest factor f in 1, 2, 4, 8 (dividing both cell counts) with particles / bins >= 10: finer bins
    than that show mostly sampling noise."""
    f = 1
    while (particles / (np.prod(cells) / f ** 2) < MIN_PARTICLES_PER_BIN and f < 8
           and all(c % (2 * f) == 0 for c in cells)):
        f *= 2
    return f


def particle_density(fields, pos, w, factor):
    """Weighted histogram of the particles divided by the bin area: a density on bins of factor x factor
    cells, returned repeated onto the grid's cells (shape [ny][nx]) so it shares the grid's axes."""
    lo, hi, cells = fields["lower"], fields["upper"], fields["cells"]
    bins = [np.linspace(lo[a], hi[a], cells[a] // factor + 1) for a in range(2)]
    hist, _, _ = np.histogram2d(pos[:, 0], pos[:, 1], bins=bins, weights=w)
    area = np.prod((hi - lo) / (cells // factor))
    coarse = hist.T / area                                   # [y][x]
    return np.repeat(np.repeat(coarse, factor, axis=0), factor, axis=1)


def exact_on_cells(fields, state):
    xc, yc = mo.cell_centres(fields)
    xx, yy = np.meshgrid(xc, yc)                             # [ny][nx]
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    return ed.gaussian_density(pts, *state).reshape(xx.shape)


EXACT_DATASET = "exact_density"


def read_written_exact(fields):
    """{snapshot index: exact cell averages} where fields.h5 holds snapshots/NNNNNN/exact_density (same shape
    as density): the closed form of models whose exact answer is not Gaussian (e.g. Barenblatt)."""
    import h5py
    out = {}
    with h5py.File(fields["path"], "r") as f:
        for k, name in enumerate(sorted(f["snapshots"].keys())):
            if EXACT_DATASET in f["snapshots"][name]:
                d = np.array(f["snapshots"][name][EXACT_DATASET], dtype=float)
                if d.shape == fields["snapshots"][k][1].shape:
                    out[k] = d
    return out


def draw(fields, t, panels, diff, diff_label, title, path):
    """panels: [(title, density [ny][nx])] on one colour scale; diff: the signed difference."""
    import matplotlib.pyplot as plt
    lo, hi = fields["lower"], fields["upper"]
    extent = [lo[0], hi[0], lo[1], hi[1]]
    n = len(panels) + 1
    aspect = (hi[1] - lo[1]) / (hi[0] - lo[0])
    fig, axes = plt.subplots(1, n, figsize=(4.1 * n, 3.3 * aspect + 0.9), squeeze=False)
    vmax = max(float(np.nanmax(d)) for _, d in panels)
    for ax, (label, d) in zip(axes[0], panels):
        im = ax.imshow(d, origin="lower", extent=extent, cmap="viridis", vmin=0.0, vmax=vmax, interpolation="nearest")
        cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
        cb.set_label("density", fontsize=9)
        ax.set_title(label, fontsize=10)
    dmax = float(np.nanmax(np.abs(diff))) or 1.0
    # a power of ten in the colour bar's label, not as an offset text colliding with the panel title
    e = int(np.floor(np.log10(dmax)))
    scale, unit = (10.0 ** -e, f" (x 1e{e})") if e < -1 or e > 2 else (1.0, "")
    ax = axes[0, -1]
    im = ax.imshow(diff * scale, origin="lower", extent=extent, cmap="RdBu_r", vmin=-dmax * scale, vmax=dmax * scale,
                   interpolation="nearest")
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cb.set_label("density difference" + unit, fontsize=9)
    ax.set_title(diff_label, fontsize=10)
    for ax in axes[0]:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.tick_params(labelsize=8)
    fig.suptitle(f"{title}    t = {t:.4g}", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return vmax, dmax


def animate(frames, plots, fps):
    """MP4 (H.264) and GIF of the frames through ffmpeg; returns the paths written ([] without ffmpeg)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None or not frames:
        sys.stderr.write("panels.py: ffmpeg not found (scripts/setup.sh installs it); no animation\n")
        return []
    pattern = os.path.join(plots, "panel_%06d.png")
    mp4, gif = os.path.join(plots, "animation.mp4"), os.path.join(plots, "animation.gif")
    even = "scale=trunc(iw/2)*2:trunc(ih/2)*2"          # H.264 with yuv420p needs even sizes
    cmds = [[ffmpeg, "-y", "-loglevel", "error", "-framerate", str(fps), "-i", pattern, "-vf", even,
             "-c:v", "libx264", "-pix_fmt", "yuv420p", mp4 + ".tmp.mp4"],
            [ffmpeg, "-y", "-loglevel", "error", "-framerate", str(fps), "-i", pattern, "-vf",
             "split[a][b];[a]palettegen=max_colors=128[p];[b][p]paletteuse=dither=none", "-loop", "0",
             gif + ".tmp.gif"]]
    written = []
    for cmd, final in zip(cmds, (mp4, gif)):
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(f"panels.py: ffmpeg failed for {final}: {p.stderr.strip()}\n")
            continue
        os.replace(cmd[-1], final)                           # written, then renamed: never a partial file
        written.append(final)
    return written


def marginal_xy(fields, psnaps, written_exact):
    """A 3D run seen as its (x, y) marginal: densities summed over z times dz, particles' (x, y) positions;
    the marginal of a Gaussian is the Gaussian of the first two coordinates (_marginal_state)."""
    dz = (fields["upper"][2] - fields["lower"][2]) / fields["cells"][2]
    flat = dict(fields, dim=2, lower=fields["lower"][:2], upper=fields["upper"][:2], cells=fields["cells"][:2],
                snapshots=[(t, d.sum(axis=0) * dz) for t, d in fields["snapshots"]], marginal=True)
    parts = {key: (s[0], s[1][:, :2], s[2], s[3]) for key, s in psnaps.items()}
    exact = {k: d.sum(axis=0) * dz for k, d in written_exact.items()}
    return flat, parts, exact


def _marginal_state(state):
    return None if state is None else (state[0][:2], state[1][:2, :2])


def make_panels(outdir, animation=True, fps=3):
    """Writes the panel figures (and the animation); returns (written paths, report) or (None, reason)."""
    fields = mo.read_fields(outdir)
    if fields is None or fields["dim"] not in (2, 3):
        return None, "panels need a 2D or 3D fields.h5"
    parts = mo.read_particles(outdir)
    psnaps = {round(s[0], 12): s for s in (parts["snapshots"] if parts else [])}
    deck = fields["deck"]
    name = os.path.basename(os.path.normpath(outdir))
    title = f"{name} ({deck.get('model', '?')})"
    if ed.gaussian_state(deck, 0.0) is not None:
        title += ", exact: " + ed.describe(deck)
    plots = os.path.join(outdir, "plots")
    os.makedirs(plots, exist_ok=True)
    written_exact = read_written_exact(fields)
    if fields["dim"] == 3:
        fields, psnaps, written_exact = marginal_xy(fields, psnaps, written_exact)
        title += ", marginal over z"
    h2 = mo.cell_volume(fields)
    gaussian_state = (lambda d, t: _marginal_state(ed.gaussian_state(d, t))) if fields.get("marginal") else \
        ed.gaussian_state
    frames, report = [], {"frames": [], "exact": None}
    for k, (t, dens) in enumerate(fields["snapshots"]):
        entry = {"time": t}
        panels = [("grid (Eulerian, finite volumes)", dens)]
        psnap = psnaps.get(round(t, 12))
        pdens = None
        if psnap is not None:
            f = histogram_coarsening(fields["cells"], len(psnap[1]))
            pdens = particle_density(fields, psnap[1], psnap[2], f)
            bins = fields["cells"] // f
            panels.append((f"particles (Lagrangian), {len(psnap[1])} in {bins[0]}x{bins[1]} bins", pdens))
            entry.update(histogram_factor=f, particles=len(psnap[1]),
                         l1_grid_particles=float(np.abs(dens - pdens).sum() * h2))
        state = gaussian_state(deck, t)
        exact = written_exact.get(k)
        if exact is not None:
            # the program's own closed form as cell averages, where the model writes it
            panels.append(("exact (closed form, cell averages)", exact))
            report["exact"] = f"{EXACT_DATASET} written by the run"
            state = state or (None, None)
        elif state is not None:
            exact = exact_on_cells(fields, state)
            panels.append(("exact (closed form, at cell centres)", exact))
            report["exact"] = ed.describe(deck)
        if exact is not None:
            entry.update(l1_grid_exact=float(np.abs(dens - exact).sum() * h2))
            if state[0] is not None:
                entry["exact_mean"] = state[0].tolist()
            if pdens is not None:
                entry["l1_particles_exact"] = float(np.abs(pdens - exact).sum() * h2)
            diff, diff_label = dens - exact, "grid - exact"
        elif pdens is not None:
            diff, diff_label = dens - pdens, "grid - particles"
        else:
            diff, diff_label = dens - dens.mean(), "grid - its mean"
        path = os.path.join(plots, f"panel_{k:06d}.png")
        vmax, dmax = draw(fields, t, panels, diff, diff_label, title, path)
        entry.update(path=path, density_max=vmax, difference_max=dmax, difference=diff_label,
                     panels=[p[0] for p in panels])
        report["frames"].append(entry)
        frames.append(path)
    written = list(frames)
    if animation:
        written += animate(frames, plots, fps)
    report["animation"] = [p for p in written if p.endswith((".mp4", ".gif"))]
    return written, report


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--no-animation", action="store_true")
    ap.add_argument("--fps", type=float, default=3.0)
    args = ap.parse_args(argv)
    written, report = make_panels(args.outdir, not args.no_animation, args.fps)
    if written is None:
        sys.stderr.write(f"panels.py: {args.outdir}: {report}\n")
        return 2
    for p in written:
        print(f"wrote {p}")
    print("panels: " + json.dumps(report))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except mo.OutputError as e:
        sys.stderr.write(f"panels.py: {e}\n")
        sys.exit(2)
