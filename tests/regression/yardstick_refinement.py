#!/usr/bin/python3
"""The cross-view yardstick falls with refinement: runs one deck at several resolutions (grid cells and
particles refined together) and prints cross.w2_eulerian_lagrangian, its ε and bias estimate, the observed
rate log(W_coarse / W_fine) / log(h_coarse / h_fine), and the yardstick's share of the run's processor time.

  yardstick_refinement.py --binary B --deck D --ranks N --out DIR --level CELLS:PARTICLES ... [--set k=v]...
                          [--min-rate R]

CELLS is one number per axis joined by 'x' (64x64). A level may end in ':key=value' overrides of its own,
comma-separated (16x16:300:time.cells=8 for dynamic OT, whose time axis is refined with space). Fails unless every finer run's cross W2 is smaller
than the coarser one's (and, with --min-rate, unless every observed rate is at least R).
"""
import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys


def run(args, cells, particles, level_sets=()):
    out = os.path.join(args.out, f"{cells}_{particles}")
    if os.path.isdir(out):
        shutil.rmtree(out)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cell_list = "[" + ",".join(cells.split("x")) + "]"
    cmd = ["mpirun", "--oversubscribe", "-n", str(args.ranks), args.binary, "run", args.deck, "--quiet",
           "--set", f"output.dir={out}", "--set", f"domain.cells={cell_list}"]
    if particles != "-":
        cmd += ["--set", f"{args.particles_key}={particles}"]
    for s in list(args.set or []) + list(level_sets):
        cmd += ["--set", s]
    print(" ".join(cmd), flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        sys.exit(f"FAIL: exit status {proc.returncode}")
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    # Processor time of all ranks: the share of the yardstick in it is what a busy machine cannot skew.
    summary["cpu_seconds"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return summary


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--deck", required=True)
    p.add_argument("--ranks", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--level", action="append", required=True, help="CELLS:PARTICLES[:k=v,...], coarse to fine")
    p.add_argument("--set", action="append")
    p.add_argument("--particles-key", default="lagrangian.particles")
    p.add_argument("--metric", default="cross.w2_eulerian_lagrangian")
    p.add_argument("--min-rate", type=float)
    args = p.parse_args()
    rows = []
    for level in args.level:
        cells, particles, *extra = level.split(":")
        s = run(args, cells, particles, extra[0].split(",") if extra else ())
        m = s["metrics"]
        h = 1.0 / max(int(c) for c in cells.split("x"))
        rows.append((cells, particles, h, m[args.metric], m.get("cross.w2_eps", float("nan")),
                     m.get("cross.w2_bias_estimate", float("nan")), m.get("cross.w2_cpu_seconds", float("nan")),
                     s["cpu_seconds"]))
    print(f"\n{'cells':>10} {'particles':>10} {args.metric:>30} {'rate':>6} {'eps':>10} {'bias est.':>10} "
          f"{'W2 cpu s':>8} {'run cpu s':>9} {'share':>6}")
    failures = 0
    for k, (cells, particles, h, w, eps, bias, ws, rs) in enumerate(rows):
        rate = ""
        if k > 0:
            r = math.log(rows[k - 1][3] / w) / math.log(rows[k - 1][2] / h)
            rate = f"{r:6.2f}"
            if not w < rows[k - 1][3]:
                print(f"FAIL: {args.metric} does not fall from {rows[k - 1][0]} to {cells}: {rows[k - 1][3]} -> {w}")
                failures += 1
            if args.min_rate is not None and r < args.min_rate:
                print(f"FAIL: observed rate {r:.2f} below {args.min_rate}")
                failures += 1
        print(f"{cells:>10} {particles:>10} {w:30.4e} {rate:>6} {eps:10.3e} {bias:10.2e} {ws:8.2f} {rs:9.2f} "
              f"{ws / rs:6.0%}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
