#!/usr/bin/python3
"""ParaView frames of a run and a ParaView state file that opens it ready to play.

Usage: postprocess/render.py OUTDIR [--size=1200x560] [--state-only]
Opens OUTDIR/run.xmf and lays out two linked views: the grid density as a coloured field (left; a 3D grid
through its plane z = centre of the domain; one colour
scale for all frames, its range taken from the data, a titled colour bar with numbers) and the particles as
small translucent points over the domain's outline (right). Both show the time as a text annotation.
Writes OUTDIR/plots/render_NNNNNN.png (one per time step) and OUTDIR/run.pvsm beside run.xmf:
`paraview --state=OUTDIR/run.pvsm` opens the run in this layout, ready to play (paths in the state file are
absolute: after moving the folder, load it from the GUI with "Search files under specified directory").
--state-only writes the state file without rendering frames (no display needed beyond ParaView's own).

Rendering needs an X display; without one this script re-runs itself under
`xvfb-run -a -s '-screen 0 1280x1024x24 -noreset' pvpython` (set MF_PVPYTHON for another interpreter). On a
fresh machine the first ParaView start could abort (SIGABRT, "bad X server connection") while the second,
identical one worked: the renderer is started again, up to MF_RENDER_TRIES times (default 3), when ParaView
aborts that way before writing its frames.
Prints each file it wrote, then one line `render: {...}` with what ParaView read and drew.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD_FLAG = "MF_RENDER_CHILD"
GRID_VIEW_FRACTION = 0.5          # the layout splits the window in two equal views
PARTICLE_RGB = [0.05, 0.05, 0.40]
# Opacity per point: overlapping points add up (depth peeling off), so a dense cloud darkens where the
# density is high; fainter points for larger clouds keep the core from saturating.
def particle_opacity(count):
    return min(0.5, max(0.06, 3000.0 / max(count, 1)))


X_FAILURES = ("bad X server connection", "cannot open display", "Could not open display")


def x_connection_failed(output, status):
    """ParaView aborts (SIGABRT: status 134 from xvfb-run, -6 directly) saying its X connection failed; other
    failures (a bad file, a Python error) are not retried."""
    return status != 0 and any(m in output for m in X_FAILURES)


def relaunch(argv):
    """Runs this file under ParaView's interpreter inside a virtual X server, retrying a failed X start."""
    pv = os.environ.get("MF_PVPYTHON", "pvpython")
    if shutil.which(pv) is None:
        sys.stderr.write(f"render.py: '{pv}' not found; install Debian's paraview (or set MF_PVPYTHON)\n")
        return 2
    cmd = [pv, os.path.abspath(__file__)] + argv[1:]
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            sys.stderr.write("render.py: no DISPLAY and no xvfb-run; install xvfb xauth\n")
            return 2
        # -noreset: a precaution, Xvfb otherwise resets whenever its last client disconnects.
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24 -noreset"] + cmd
    env = dict(os.environ, **{CHILD_FLAG: "1"})
    if not env.get("XDG_RUNTIME_DIR"):
        # Qt and Mesa warn or fall back without one; on a fresh login-less machine it is unset.
        runtime = os.path.join(tempfile.gettempdir(), f"mf-render-runtime-{os.getuid()}")
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = runtime
    tries = max(1, int(os.environ.get("MF_RENDER_TRIES", "3")))
    for attempt in range(1, tries + 1):
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        sys.stdout.write(p.stdout)
        if p.returncode == 0 or not x_connection_failed(p.stdout + p.stderr, p.returncode) or attempt == tries:
            sys.stderr.write(p.stderr)
            return p.returncode
        sys.stderr.write(f"render.py: ParaView could not use the X display (exit {p.returncode}: "
                         f"{last_error_line(p.stdout + p.stderr)}); starting it again ({attempt + 1}/{tries})\n")
    return 1


def last_error_line(text):
    lines = [l.strip() for l in text.splitlines() if "ERR" in l or "Error" in l or "error" in l]
    return lines[-1][-160:] if lines else "no message"


def data_range(info, block, array):
    """(min, max) of a cell array over every time step: one colour scale for all frames."""
    ranges = [s["blocks"][b]["cell_arrays"][array]["range"] for s in info["steps"] for b in s["blocks"]
              if b.split("[")[0] == block and array in s["blocks"][b]["cell_arrays"]]
    return (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else None


def style_bar(bar, title):
    """A colour bar a reader can use: title and numbers in black (the default is white, invisible on the
    white background), the data range labelled at both ends."""
    bar.Title = title
    bar.ComponentTitle = ""
    bar.TitleColor = [0.0, 0.0, 0.0]
    bar.LabelColor = [0.0, 0.0, 0.0]
    bar.TitleFontSize = 16
    bar.LabelFontSize = 14
    bar.TitleBold = 1
    bar.HorizontalTitle = 1                         # above the bar, clear of the numbers
    bar.AddRangeLabels = 1
    bar.RangeLabelFormat = "%-#.3g"
    bar.LabelFormat = "%-#.3g"
    bar.AutomaticLabelFormat = 0
    bar.DrawTickLabels = 1
    bar.WindowLocation = "Any Location"
    bar.Orientation = "Vertical"
    bar.Position = [0.84, 0.10]
    bar.ScalarBarLength = 0.70
    bar.ScalarBarThickness = 14


def white_view(simple, size):
    view = simple.CreateView("RenderView")
    view.ViewSize = list(size)
    view.OrientationAxesVisibility = 0
    try:
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    view.Background = [1.0, 1.0, 1.0]
    view.CameraParallelProjection = 1
    return view


def time_label(simple, reader, view, prefix):
    label = simple.AnnotateTimeFilter(Input=reader)
    label.Format = prefix + "   t = {time:.4g}"
    disp = simple.Show(label, view)
    disp.Color = [0.0, 0.0, 0.0]
    disp.FontSize = 18
    disp.WindowLocation = "Upper Center"
    return label


def extract(simple, reader, name):
    block = simple.ExtractBlock(Input=reader)
    # The XDMF reader labels the blocks of step k "grid[k]" (plain "grid" only at step 0): match the prefix,
    # or every frame after the first is empty.
    block.Selectors = [f"/Root/*[starts-with(@label,'{name}')]"]
    return block


def render(outdir, size, state_only):
    sys.path.insert(0, HERE)
    from paraview import simple
    from inspect_xdmf import inspect, open_xdmf

    os.environ["MF_XDMF_READER"] = "XDMFReader"     # block selectors below use its block labels
    if hasattr(simple, "_DisableFirstRenderCameraReset"):
        simple._DisableFirstRenderCameraReset()     # keep the camera placed below on the first render
    xmf = os.path.join(outdir, "run.xmf")
    info = inspect(xmf)
    plots = os.path.join(outdir, "plots")
    os.makedirs(plots, exist_ok=True)
    reader = open_xdmf(xmf)
    blocks = {b.split("[")[0] for s in info["steps"] for b in s["blocks"]}
    has_grid, has_parts = "grid" in blocks, "particles" in blocks
    half = [size[0] // 2, size[1]] if has_grid and has_parts else list(size)
    drawn = {"grid_view": has_grid, "particle_view": has_parts}

    views = []
    bounds = None
    if has_grid:
        gview = white_view(simple, half)
        grid = extract(simple, reader, "grid")
        gblock = next(s["blocks"][n] for s in info["steps"] for n in s["blocks"] if n.startswith("grid"))
        grid_label = "grid"
        if gblock.get("dimensions", [0, 0, 2])[2] > 2:
            # a 3D grid: its outer faces hold the lowest densities; show the plane z = centre of the domain
            zb = gblock["bounds"]
            zc = 0.5 * (zb[4] + zb[5])
            grid = simple.Slice(Input=grid)
            grid.SliceType = "Plane"
            grid.SliceType.Origin = [0.5 * (zb[0] + zb[1]), 0.5 * (zb[2] + zb[3]), zc]
            grid.SliceType.Normal = [0.0, 0.0, 1.0]
            grid_label = f"grid, slice z = {zc:.3g}"
            drawn["grid_slice_z"] = zc
        gdisp = simple.Show(grid, gview)
        gdisp.SetRepresentationType("Surface")      # 3D image blocks default to an outline
        simple.ColorBy(gdisp, ("CELLS", "density"))
        lut = simple.GetColorTransferFunction("density")
        lut.ApplyPreset("Viridis (matplotlib)", True)
        lo, hi = data_range(info, "grid", "density")
        # densities are >= 0: start the scale at 0 (a tiny positive minimum such as 1e-69 says nothing), but
        # keep a negative minimum (an undershoot of the scheme) visible
        lo = min(lo, 0.0)
        lut.RescaleTransferFunction(lo, hi)
        lut.AutomaticRescaleRangeMode = "Never"    # keep the data's range when the state is played
        simple.GetOpacityTransferFunction("density").RescaleTransferFunction(lo, hi)
        gdisp.SetScalarBarVisibility(gview, True)
        style_bar(simple.GetScalarBar(lut, gview), "density")
        time_label(simple, reader, gview, grid_label)
        drawn["density_range"] = [lo, hi]
        views.append(gview)
        b = [s["blocks"][n]["bounds"] for s in info["steps"] for n in s["blocks"] if n.startswith("grid")][0]
        bounds = b
    if has_parts:
        pview = white_view(simple, half)
        parts = extract(simple, reader, "particles")
        pdisp = simple.Show(parts, pview)
        simple.ColorBy(pdisp, None)
        pdisp.SetRepresentationType("Points")
        pdisp.AmbientColor = pdisp.DiffuseColor = PARTICLE_RGB
        count = max((s["blocks"][n]["points"] for s in info["steps"] for n in s["blocks"] if n.startswith("particles")),
                    default=0)
        pdisp.Opacity = particle_opacity(count)
        pdisp.PointSize = 1.0 if count > 20000 else 2.0
        # depth peeling keeps only the few nearest layers of points at one depth, so a cloud of any density
        # looks uniform; plain blending lets overlapping points accumulate
        pview.DepthPeeling = 0
        if has_grid:
            # the domain's outline, so the particle view has the grid's frame
            outline = simple.Show(simple.Outline(Input=extract(simple, reader, "grid")), pview)
            outline.AmbientColor = outline.DiffuseColor = [0.3, 0.3, 0.3]
            pdisp.Position = [0.0, 0.0, bounds[5] + 1e-3 * max(bounds[1] - bounds[0], bounds[3] - bounds[2])]
        time_label(simple, reader, pview, f"particles ({count})")
        drawn["particle_opacity"] = pdisp.Opacity
        views.append(pview)

    layout = simple.CreateLayout("measureflow")
    if len(views) == 2:
        cell = layout.SplitHorizontal(0, GRID_VIEW_FRACTION)
        layout.AssignView(cell, views[0])
        layout.AssignView(cell + 1, views[1])
    else:
        layout.AssignView(0, views[0])
    layout.SetSize(*size)
    for view in views:
        simple.Render(view)
        if bounds is None:
            simple.ResetCamera(view)
            continue
        # looking down z at the xy-plane, the domain left of centre: room for the colour bar at the right
        # and the time at the top (every view the same, so grid and particles line up)
        w, h = bounds[1] - bounds[0], bounds[3] - bounds[2]
        centre = [0.5 * (bounds[0] + bounds[1]) + 0.12 * w, 0.5 * (bounds[2] + bounds[3]) + 0.03 * h, 0.0]
        view.CameraFocalPoint = centre
        view.CameraPosition = [centre[0], centre[1], 10.0 * max(w, h)]
        view.CameraViewUp = [0.0, 1.0, 0.0]
        view.CameraParallelScale = 0.66 * max(h, w * half[1] / half[0])
    if len(views) == 2:
        simple.AddCameraLink(views[0], views[1], "grid-particles")   # pan and zoom together in the GUI

    scene = simple.GetAnimationScene()
    scene.UpdateAnimationUsingDataTimeSteps()
    state = os.path.join(outdir, "run.pvsm")
    simple.SaveState(state + ".tmp")
    os.replace(state + ".tmp", state)               # written, then renamed: never a partial state file
    frames = []
    if not state_only:
        for k, t in enumerate(info["time_steps"] or [None]):
            if t is not None:
                scene.AnimationTime = t
                for view in views:
                    view.ViewTime = t
            path = os.path.join(plots, f"render_{k:06d}.png")
            simple.SaveScreenshot(path, layout, ImageResolution=list(size))
            frames.append(path)
    return info, frames, state, drawn


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    size, state_only = (1200, 560), "--state-only" in argv[1:]
    for a in argv[1:]:
        if a.startswith("--size="):
            w, h = a.split("=", 1)[1].split("x")
            size = (int(w), int(h))
        elif a.startswith("--") and a != "--state-only":
            sys.stderr.write(f"render.py: unknown option {a} (allowed: --size=WxH, --state-only)\n")
            return 2
    if len(args) != 1:
        sys.stderr.write("usage: postprocess/render.py OUTDIR [--size=WxH] [--state-only]\n")
        return 2
    outdir = args[0]
    if not os.path.isfile(os.path.join(outdir, "run.xmf")):
        sys.stderr.write(f"render.py: {outdir}/run.xmf not found\n")
        return 2
    if not os.environ.get(CHILD_FLAG):
        return relaunch(argv)
    info, frames, state, drawn = render(outdir, size, state_only)
    for path in frames + [state]:
        print(f"wrote {path}")
    report = {"outdir": os.path.abspath(outdir), "time_steps": info["time_steps"], "frames": frames,
              "state": state, "size": list(size), **drawn,
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
