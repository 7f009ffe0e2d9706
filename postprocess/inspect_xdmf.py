#!/usr/bin/env pvpython
"""Prints, as JSON, what ParaView sees in a MeasureFlow XDMF file: time steps, and per block (grid,
particles) the array names, value ranges and point/cell counts at every time step.

Run with ParaView's interpreter (no display needed): pvpython postprocess/inspect_xdmf.py out/run/run.xmf
"""
import json
import os
import sys


def open_xdmf(path):
    """Opens with the reader named by MF_XDMF_READER: XDMFReader (default), Xdmf3ReaderS or Xdmf3ReaderT
    (the one to use under MPI). HDF5 paths resolve against the .xmf folder, so the path is made absolute."""
    from paraview import simple
    path = os.path.abspath(path)
    kind = os.environ.get("MF_XDMF_READER", "XDMFReader")
    if kind == "XDMFReader":
        reader = simple.XDMFReader(registrationName=os.path.basename(path), FileNames=[path])
    elif kind in ("Xdmf3ReaderS", "Xdmf3ReaderT"):
        reader = getattr(simple, kind)(registrationName=os.path.basename(path), FileName=[path])
    else:
        raise SystemExit(f"inspect_xdmf: MF_XDMF_READER={kind} (allowed: XDMFReader, Xdmf3ReaderS, Xdmf3ReaderT)")
    reader.UpdatePipelineInformation()
    return reader


def _content_name(data):
    """Names a block by what it holds where the reader gives no name (the Xdmf3 readers)."""
    if data.IsA("vtkImageData") or data.GetCellData().GetArray("density") is not None:
        return "grid"
    if data.GetNumberOfCells() and data.GetMaxCellSize() == 1:
        return "particles"
    return None


def _leaves(data, prefix=""):
    """Yields (name, dataset) for every non-empty leaf, naming blocks the way the XDMF does."""
    if data is None:
        return
    if data.IsA("vtkMultiBlockDataSet") or data.IsA("vtkMultiPieceDataSet"):
        for i in range(data.GetNumberOfBlocks() if data.IsA("vtkMultiBlockDataSet") else data.GetNumberOfPieces()):
            meta = data.GetMetaData(i) if data.HasMetaData(i) else None
            key = meta.Get(data.NAME()) if meta is not None and meta.Has(data.NAME()) else ""
            child = data.GetBlock(i) if data.IsA("vtkMultiBlockDataSet") else data.GetPiece(i)
            yield from _leaves(child, prefix or key)
    elif data.GetNumberOfPoints() > 0 or data.GetNumberOfCells() > 0:
        yield (prefix or _content_name(data) or "block", data)


def _arrays(field_data):
    out = {}
    for i in range(field_data.GetNumberOfArrays()):
        arr = field_data.GetArray(i)
        if arr is None:
            continue
        comps = arr.GetNumberOfComponents()
        out[arr.GetName()] = {"range": list(arr.GetRange(-1 if comps > 1 else 0)),
                              "components": comps, "tuples": arr.GetNumberOfTuples()}
    return out


def describe_block(data):
    info = {"points": data.GetNumberOfPoints(), "cells": data.GetNumberOfCells(),
            "point_arrays": _arrays(data.GetPointData()), "cell_arrays": _arrays(data.GetCellData())}
    if data.GetNumberOfPoints() > 0:
        info["bounds"] = list(data.GetBounds())
    if data.IsA("vtkImageData"):
        info["dimensions"] = list(data.GetDimensions())
        info["spacing"] = list(data.GetSpacing())
        info["origin"] = list(data.GetOrigin())
    return info


def inspect(path):
    """Reads every time step the reader reports; returns {'file', 'time_steps', 'steps': [...]}."""
    from paraview import servermanager
    reader = open_xdmf(path)
    times = [float(t) for t in list(reader.TimestepValues)]
    steps = []
    for t in (times or [None]):
        if t is None:
            reader.UpdatePipeline()
        else:
            reader.UpdatePipeline(t)
        data = servermanager.Fetch(reader)
        blocks = {}
        for name, d in _leaves(data):
            while name in blocks:
                name += "+"
            blocks[name] = describe_block(d)
        steps.append({"time": t, "blocks": blocks})
    return {"file": os.path.abspath(path), "time_steps": times, "steps": steps}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: pvpython inspect_xdmf.py RUN.xmf\n")
        return 2
    if not os.path.isfile(argv[1]):
        sys.stderr.write(f"inspect_xdmf: no such file: {argv[1]}\n")
        return 2
    print(json.dumps(inspect(argv[1]), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
