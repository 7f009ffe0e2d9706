#!/usr/bin/python3
"""ParaView frames of a run: opens OUTDIR/run.xmf, colours the grid by density, overlays the particles
as points, and saves one PNG per time step to OUTDIR/plots/render_NNNNNN.png.

Usage: postprocess/render.py OUTDIR [--size 800x600]
Rendering needs an X display; without one this script re-runs itself under
`xvfb-run -a -s '-screen 0 1280x1024x24' pvpython` (set MF_PVPYTHON to use another ParaView interpreter).
Prints each frame it wrote, then one line `render: {...}` with what ParaView read (time steps, density
range, point and cell counts per block).
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD_FLAG = "MF_RENDER_CHILD"


def relaunch(argv):
    """Runs this file under ParaView's interpreter inside a virtual X server; returns its status."""
    pv = os.environ.get("MF_PVPYTHON", "pvpython")
    if shutil.which(pv) is None:
        sys.stderr.write(f"render.py: '{pv}' not found; install Debian's paraview (or set MF_PVPYTHON)\n")
        return 2
    cmd = [pv, os.path.abspath(__file__)] + argv[1:]
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            sys.stderr.write("render.py: no DISPLAY and no xvfb-run; install xvfb xauth\n")
            return 2
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"] + cmd
    env = dict(os.environ, **{CHILD_FLAG: "1"})
    return subprocess.call(cmd, env=env)


def render(outdir, size):
    sys.path.insert(0, HERE)
    from paraview import simple
    from inspect_xdmf import inspect, open_xdmf

    os.environ["MF_XDMF_READER"] = "XDMFReader"     # block selectors below use its block labels
    xmf = os.path.join(outdir, "run.xmf")
    info = inspect(xmf)
    plots = os.path.join(outdir, "plots")
    os.makedirs(plots, exist_ok=True)

    reader = open_xdmf(xmf)
    view = simple.CreateView("RenderView")
    view.ViewSize = list(size)
    view.OrientationAxesVisibility = 0
    view.Background = [1.0, 1.0, 1.0]
    try:
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass

    blocks = set(info["steps"][0]["blocks"]) if info["steps"] else set()
    grid_name = next((b for b in blocks if "grid" in b), None)
    part_name = next((b for b in blocks if "particle" in b), None)
    lo = min((s["blocks"][grid_name]["cell_arrays"]["density"]["range"][0] for s in info["steps"]
              if grid_name in s["blocks"] and "density" in s["blocks"][grid_name]["cell_arrays"]), default=0.0)
    hi = max((s["blocks"][grid_name]["cell_arrays"]["density"]["range"][1] for s in info["steps"]
              if grid_name in s["blocks"] and "density" in s["blocks"][grid_name]["cell_arrays"]), default=1.0)

    if grid_name:
        grid = simple.ExtractBlock(Input=reader)
        # The XDMF reader labels the blocks of step k "grid[k]" (plain "grid" only at step 0): match the prefix,
        # or every frame after the first is empty.
        grid.Selectors = [f"/Root/*[starts-with(@label,'{grid_name}')]"]
        gdisp = simple.Show(grid, view)
        gdisp.SetRepresentationType("Surface")      # 3D image blocks default to an outline
        simple.ColorBy(gdisp, ("CELLS", "density"))
        lut = simple.GetColorTransferFunction("density")
        lut.ApplyPreset("Viridis (matplotlib)", True)
        lut.RescaleTransferFunction(lo, hi)   # one scale for all frames so they can be compared
        gdisp.SetScalarBarVisibility(view, True)
        bar = simple.GetScalarBar(lut, view)
        bar.WindowLocation = "Any Location"       # right margin, clear of the data
        bar.Position = [0.88, 0.1]
        bar.ScalarBarLength = 0.8
        bar.Title = "density"
        bar.ComponentTitle = ""
    if part_name:
        parts = simple.ExtractBlock(Input=reader)
        parts.Selectors = [f"/Root/*[starts-with(@label,'{part_name}')]"]
        pdisp = simple.Show(parts, view)
        simple.ColorBy(pdisp, None)
        pdisp.SetRepresentationType("Points")
        pdisp.AmbientColor = pdisp.DiffuseColor = [1.0, 0.3, 0.2]
        pdisp.PointSize = 3.0
        if grid_name and "bounds" in info["steps"][0]["blocks"][grid_name]:
            b = info["steps"][0]["blocks"][grid_name]["bounds"]
            # 2D grids are a thin slab above z = 0: lift the points over its top face to keep them visible
            pdisp.Position = [0.0, 0.0, b[5] + 1e-3 * max(b[1] - b[0], b[3] - b[2])]
    view.CameraPosition = [0, 0, 1]
    view.CameraViewUp = [0, 1, 0]
    simple.ResetCamera(view)
    view.CameraPosition = [view.CameraFocalPoint[0], view.CameraFocalPoint[1], view.CameraFocalPoint[2] + 10]
    simple.ResetCamera(view)

    frames = []
    for k, t in enumerate(info["time_steps"] or [None]):
        if t is not None:
            view.ViewTime = t
        path = os.path.join(plots, f"render_{k:06d}.png")
        simple.SaveScreenshot(path, view, ImageResolution=list(size))
        frames.append(path)
    return info, frames, (lo, hi)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--size")]
    size = (800, 600)
    for a in argv[1:]:
        if a.startswith("--size="):
            w, h = a.split("=", 1)[1].split("x")
            size = (int(w), int(h))
    if len(args) != 1:
        sys.stderr.write("usage: postprocess/render.py OUTDIR [--size=WxH]\n")
        return 2
    outdir = args[0]
    if not os.path.isfile(os.path.join(outdir, "run.xmf")):
        sys.stderr.write(f"render.py: {outdir}/run.xmf not found\n")
        return 2
    if not os.environ.get(CHILD_FLAG):
        return relaunch(argv)
    info, frames, (lo, hi) = render(outdir, size)
    for path in frames:
        print(f"wrote {path}")
    report = {"outdir": os.path.abspath(outdir), "time_steps": info["time_steps"], "frames": frames,
              "density_range": [lo, hi],
              "blocks": {name: {"points": b["points"], "cells": b["cells"],
                                "arrays": sorted(list(b["point_arrays"]) + list(b["cell_arrays"]))}
                         for name, b in (info["steps"][0]["blocks"].items() if info["steps"] else [])}}
    print("render: " + json.dumps(report))
    sys.stdout.flush()
    # ParaView's X teardown under Xvfb can fail (GLXBadContext) after all frames are saved; the
    # frames are complete, so leave without it.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
