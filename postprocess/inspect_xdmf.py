#!/usr/bin/env pvpython
"""Prints, as JSON, what ParaView sees in a MeasureFlow XDMF file: time steps, and per block (grid,
particles) the array names, value ranges and point/cell counts at every time step.

Run with ParaView's interpreter (no display needed): pvpython postprocess/inspect_xdmf.py out/run/run.xmf
"""
import json
import os
import sys


def open_xdmf(path):
    """XDMFReader resolves HDF5 paths against the .xmf folder, so give it a path with a directory part."""
    from paraview import simple
    path = os.path.abspath(path)
    reader = simple.XDMFReader(registrationName=os.path.basename(path), FileNames=[path])
    reader.UpdatePipelineInformation()
    return reader


def _leaves(data, prefix=""):
    """Yields (name, dataset) for every non-composite block, naming blocks the way the XDMF does."""
    if data is None:
        return
    if data.IsA("vtkMultiBlockDataSet"):
        for i in range(data.GetNumberOfBlocks()):
            meta = data.GetMetaData(i) if data.HasMetaData(i) else None
            key = meta.Get(data.NAME()) if meta is not None and meta.Has(data.NAME()) else f"block{i}"
            yield from _leaves(data.GetBlock(i), f"{prefix}{key}")
    else:
        yield (prefix or "block0", data)


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
        blocks = {name: describe_block(d) for name, d in _leaves(data)}
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
