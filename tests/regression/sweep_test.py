#!/usr/bin/python3
"""`measureflow sweep` and `measureflow sweep-collect` on the real binary:
product and zip expansion and the index they write, overrides reaching every variant, an invalid
variant rejecting the whole sweep (exit 2, naming the variant, nothing written), and sweep-collect
listing a missing and a (really) failed variant next to a finished one.

  sweep_test.py BINARY
"""
import csv
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

from mf_check import ENV, expect, failures


# 1D, particles only, a fixed step: each run takes a fraction of a second.
BASE = """model: continuity
domain: { dim: 1, lower: [-0.5], upper: [0.5], cells: [16], boundary: periodic }
initial: { type: gaussian, mean: [-0.1], cov: [[0.004]] }
velocity: { type: linear, A: [[0.0]], b: [0.3] }
time: { end: 0.5, dt: 0.05 }
eulerian: { enabled: false }
lagrangian: { particles: 100, seed: 3 }
output: { dir: out/never_used, every: 0.25 }
"""


def mf(binary, *args):
    return subprocess.run([binary, *args], env=ENV, capture_output=True, text=True, timeout=120)


def write_deck(work, name, sweep):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(BASE + sweep)
    return path


def check_product(binary, work):
    deck = write_deck(work, "product.yaml", """sweep:
  mode: product
  values:
    domain.cells: [[16], [32]]
    lagrangian.particles: [100, 200, 300]
""")
    out = os.path.join(work, "product")
    p = mf(binary, "sweep", deck, "--out", out, "--set", "time.end=0.25")
    expect(p.returncode == 0, f"product sweep exits 0 ({p.returncode}: {p.stderr.strip()})")
    expect("6 variants" in p.stdout and f"sbatch --array=0-5 jobs/sweep.sbatch {out}" in p.stdout,
           "prints the variant count and the sbatch line")
    index = json.load(open(os.path.join(out, "sweep.json")))
    expect(index["deck"] == os.path.abspath(deck) and index["mode"] == "product", "index names the deck and mode")
    expect(index["keys"] == ["domain.cells", "lagrangian.particles"], f"keys in deck order: {index['keys']}")
    expected = list(itertools.product([[16], [32]], [100, 200, 300]))      # last key fastest
    got = [(v["values"]["domain.cells"], v["values"]["lagrangian.particles"]) for v in index["variants"]]
    expect(got == [tuple(e) for e in expected], f"cartesian product, last key fastest: {got}")
    expect([v["id"] for v in index["variants"]] == list(range(6)) and
           [v["name"] for v in index["variants"]] == [f"v{i:04d}" for i in range(6)], "ids 0..5, names v0000..v0005")
    base = yaml.safe_load(BASE)
    for v in index["variants"]:
        vdir = os.path.join(out, v["name"])
        ok = v["deck"] == os.path.join(vdir, "deck.yaml") and v["output_dir"] == os.path.join(vdir, "out")
        d = yaml.safe_load(open(v["deck"]))
        ok = ok and d["domain"]["cells"] == v["values"]["domain.cells"]
        ok = ok and d["lagrangian"]["particles"] == v["values"]["lagrangian.particles"]
        ok = ok and d["output"]["dir"] == v["output_dir"] and "sweep" not in d
        ok = ok and d["time"]["end"] == 0.25 and all(d["velocity"][k] == x for k, x in base["velocity"].items()) and d["initial"] == base["initial"]
        expect(ok, f"{v['name']}: deck holds its values, the --set override, the base keys, output.dir, no sweep")
    p = mf(binary, "check", index["variants"][5]["deck"])
    expect(p.returncode == 0, "a variant deck passes `measureflow check`")


def check_zip(binary, work):
    deck = write_deck(work, "zip.yaml", """sweep:
  mode: zip
  values:
    domain.cells: [[16], [32], [64]]
    lagrangian.particles: [100, 200, 300]
""")
    out = os.path.join(work, "zip")
    p = mf(binary, "sweep", deck, "--out", out)
    expect(p.returncode == 0, "zip sweep exits 0")
    index = json.load(open(os.path.join(out, "sweep.json")))
    got = [(v["values"]["domain.cells"], v["values"]["lagrangian.particles"]) for v in index["variants"]]
    expect(index["mode"] == "zip" and got == [([16], 100), ([32], 200), ([64], 300)], f"zip pairs the lists: {got}")
    bad = write_deck(work, "zip_bad.yaml", """sweep:
  mode: zip
  values:
    domain.cells: [[16], [32], [64]]
    lagrangian.particles: [100, 200]
""")
    out = os.path.join(work, "zip_bad")
    p = mf(binary, "sweep", bad, "--out", out)
    expect(p.returncode == 2 and "equal length" in p.stderr and "lagrangian.particles" in p.stderr,
           f"zip of unequal lists: exit 2 naming the key ({p.returncode}: {p.stderr.strip()})")
    expect(not os.path.exists(out), "nothing written for a rejected zip")


def check_invalid_variant(binary, work):
    deck = write_deck(work, "invalid.yaml", """sweep:
  values:
    domain.cells: [[16], [32]]
    lagrangian.particles: [100, 0]
""")
    out = os.path.join(work, "invalid")
    p = mf(binary, "sweep", deck, "--out", out)
    # product: v0000 (16, 100) and v0002 (32, 100) are valid; v0001 and v0003 have 0 particles
    expect(p.returncode == 2, f"a sweep with an invalid variant exits 2 (got {p.returncode})")
    expect("v0001" in p.stderr and "lagrangian.particles=0" in p.stderr and "domain.cells=[16]" in p.stderr,
           f"the message names the first invalid variant and its values: {p.stderr.strip()}")
    expect("lagrangian.particles" in p.stderr.split("invalid", 1)[-1], "and the deck error behind it")
    expect(not os.path.exists(out), "nothing written: not even the valid variants v0000, v0002")


def check_collect(binary, work):
    # v0001's drift overflows the RK4 stages: a real numerical failure (exit 3, run.completed = 0)
    deck = write_deck(work, "collect.yaml", """sweep:
  values:
    velocity.b: [[0.3], [1.0e308], [0.2]]
""")
    out = os.path.join(work, "collect")
    p = mf(binary, "sweep", deck, "--out", out)
    expect(p.returncode == 0, "collect sweep written")
    index = json.load(open(os.path.join(out, "sweep.json")))
    v = index["variants"]
    r0 = mf(binary, "run", v[0]["deck"], "--quiet")
    r1 = mf(binary, "run", v[1]["deck"], "--quiet")
    expect(r0.returncode == 0 and r1.returncode == 3, f"v0000 runs (exit {r0.returncode}), v0001 fails (exit {r1.returncode})")
    # v0002 is never run: missing
    p = mf(binary, "sweep-collect", out)
    expect(p.returncode == 0, f"sweep-collect exits 0 ({p.stderr.strip()})")
    expect("missing: v0002" in p.stdout and "failed:  v0001" in p.stdout, f"prints the missing and failed variants: {p.stdout}")
    col = json.load(open(os.path.join(out, "collected.json")))
    expect(col["keys"] == ["velocity.b"] and col["missing"] == ["v0002"] and col["failed"] == ["v0001"],
           f"collected.json lists missing {col['missing']} and failed {col['failed']}")
    expect([r["status"] for r in col["rows"]] == ["ok", "failed", "missing"], "one row per variant, none dropped")
    expect([r["values"]["velocity.b"] for r in col["rows"]] == [[0.3], [1.0e308], [0.2]], "swept values in the rows")
    s0 = json.load(open(os.path.join(v[0]["output_dir"], "summary.json")))
    expect(col["rows"][0]["metrics"] == {k: x for k, x in s0["metrics"].items()}, "v0000's metrics are its summary's")
    rows = list(csv.DictReader(open(os.path.join(out, "collected.csv"))))
    expect(list(rows[0])[:4] == ["id", "name", "velocity.b", "status"], f"CSV columns: {list(rows[0])[:4]}")
    expect([r["status"] for r in rows] == ["ok", "failed", "missing"], "CSV statuses")
    m = "lagrangian.mean_error"
    expect(float(rows[0][m]) == s0["metrics"][m] and rows[2][m] == "", f"CSV {m}: v0000 bit for bit, v0002 empty")
    expect(json.loads(rows[1]["velocity.b"]) == [1.0e308], "CSV swept value column")
    p = mf(binary, "sweep-collect", os.path.join(work, "no_such_sweep"))
    expect(p.returncode == 2 and "sweep.json" in p.stderr, "sweep-collect without an index exits 2 naming sweep.json")


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="mf_sweep_")
    try:
        check_product(binary, work)
        check_zip(binary, work)
        check_invalid_variant(binary, work)
        check_collect(binary, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
