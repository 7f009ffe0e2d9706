#!/usr/bin/python3
"""Runs a shipped deck with `measureflow run` on N ranks and asserts its metrics.

  run_deck.py --binary B --deck D --ranks N --out DIR [--set k=v]... [--bound 'metric<=value']...
  run_deck.py --compare DIR1 DIR2 ... --rtol R [--metrics m1,m2]   (same metrics across rank counts)

Bounds are checked against summary.json; a metric that is missing fails the test.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys


def run(args):
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    deck = sweep_base(args.deck, args.out)
    cmd = ["mpirun", "--oversubscribe", "-n", str(args.ranks), args.binary, "run", deck, "--quiet",
           "--set", f"output.dir={args.out}"]
    for s in args.set or []:
        cmd += ["--set", s]
    print(" ".join(cmd), flush=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        print(f"FAIL: exit status {proc.returncode}")
        return 1
    with open(os.path.join(args.out, "summary.json")) as f:
        summary = json.load(f)
    metrics = summary["metrics"]
    failures = 0
    if summary["ranks"] != args.ranks:
        print(f"FAIL: summary.json says ranks={summary['ranks']}, expected {args.ranks}")
        failures += 1
    for bound in args.bound or []:
        m = re.fullmatch(r"\s*([\w.]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*", bound)
        if not m:
            print(f"FAIL: bad bound '{bound}'")
            failures += 1
            continue
        name, op, value = m.group(1), m.group(2), float(m.group(3))
        got = metrics.get(name)
        ok = got is not None and (got <= value if op == "<=" else got >= value)
        print(f"{'ok  ' if ok else 'FAIL'} {name} = {got} (bound {op} {value})")
        failures += 0 if ok else 1
    return 1 if failures else 0


def sweep_base(deck, out):
    """A sweep deck (with a `sweep:` section) is run as its base deck: the same deck without the sweep,
    written into the run's output folder's parent (a deck with relative file paths stays with its folder:
    those are refused, none is shipped)."""
    with open(deck) as f:
        text = f.read()
    if not re.search(r"^sweep:", text, re.M):
        return deck
    import yaml
    data = yaml.safe_load(text)
    data.pop("sweep")
    if "path:" in text:
        sys.exit(f"FAIL: {deck}: a sweep deck with file paths cannot be run from another folder")
    base = out.rstrip("/") + "_base_deck.yaml"
    os.makedirs(os.path.dirname(base) or ".", exist_ok=True)
    with open(base, "w") as f:
        yaml.safe_dump(data, f, sort_keys=False)
    print(f"{deck} holds a sweep: running its base deck {base}")
    return base


def compare(args):
    summaries = []
    for d in args.compare:
        with open(os.path.join(d, "summary.json")) as f:
            summaries.append(json.load(f)["metrics"])
    names = args.metrics.split(",") if args.metrics else sorted(summaries[0])
    failures = 0
    for name in names:
        ref = summaries[0].get(name)
        for d, s in zip(args.compare[1:], summaries[1:]):
            got = s.get(name)
            if ref is None or got is None:
                print(f"FAIL {name}: missing in {d if got is None else args.compare[0]}")
                failures += 1
                continue
            scale = max(abs(ref), args.atol)
            ok = abs(got - ref) <= args.rtol * scale
            if not ok or args.verbose:
                print(f"{'ok  ' if ok else 'FAIL'} {name}: {ref!r} vs {got!r} ({d})")
            failures += 0 if ok else 1
    print(f"compared {len(names)} metrics over {len(summaries)} runs: {failures} differ")
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary")
    p.add_argument("--deck")
    p.add_argument("--ranks", type=int, default=1)
    p.add_argument("--out")
    p.add_argument("--set", action="append")
    p.add_argument("--bound", action="append")
    p.add_argument("--compare", nargs="+")
    p.add_argument("--rtol", type=float, default=1e-12)
    p.add_argument("--atol", type=float, default=1e-300)
    p.add_argument("--metrics")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    sys.exit(compare(args) if args.compare else run(args))


if __name__ == "__main__":
    main()
