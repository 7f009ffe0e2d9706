#!/usr/bin/python3
"""What the cross-view yardstick costs at the shipped sizes (docs/yardstick.md, "What it costs, honestly").

Runs every deck twice, whole and as shipped: once with the deck's own `diagnostics.w2` and once with
`diagnostics.w2=none`, both under mpirun, and prints per deck

  - W2 cpu s:   the yardstick's own processor time, all ranks (`cross.w2_cpu_seconds` of summary.json);
  - run cpu s:  the run's processor time, all ranks (getrusage of the mpirun child);
  - none cpu s: the same run without the yardstick;
  - share:      W2 cpu s / run cpu s (the issue's "≤ 20 % of a run's time");
  - extra:      (run − none) / run, which also counts any solve the metric does not report;
  - W2 wall s, run wall s, wall share: the same in wall time (`cross.w2_seconds`, the slowest rank's; the
    mpirun command's elapsed time), which is what a user waits for and includes MPI's start-up.

Processor time is the headline: on a shared machine a descheduled rank's time does not count, though a
waiting rank's polling inflates the run's (not the yardstick's) time. Wall time is only meaningful on a
quiet machine. The load average is printed at the start and the end. With --repeat N each deck runs N
times (with and without the yardstick alternated) and every column is the median of the N runs.

  yardstick_cost.py --binary build/measureflow [--ranks 2] [--out DIR] [--deck D ...] [--set k=v ...]
                    [--no-baseline] [--timeout S] [--repeat N]

Without --deck it runs the shipped decks that have a grid and a particle view and report a cross W2.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SHIPPED = [
    "inputs/quickstart.yaml",
    "inputs/continuity/rotation_2d.yaml",
    "inputs/continuity/shear_2d.yaml",
    "inputs/continuity/swirl_2d.yaml",
    "inputs/continuity/time_dependent_2d.yaml",
    "inputs/continuity/translation_1d.yaml",
    "inputs/continuity/linear_3d.yaml",
    "inputs/gradient_flow/heat_gaussian_1d.yaml",
    "inputs/gradient_flow/semicircle_1d.yaml",
    "inputs/gradient_flow/aggregation_interval_1d.yaml",
    "inputs/gradient_flow/fokker_planck_ou_2d.yaml",
    "inputs/gradient_flow/porous_barenblatt_2d.yaml",
    "inputs/gradient_flow/aggregation_disk_2d.yaml",
    "inputs/transformer/closure_2d.yaml",
    "inputs/dynamic_ot/bump_translation_1d.yaml",
    "inputs/dynamic_ot/gaussian_1d.yaml",
    "inputs/dynamic_ot/bump_translation_2d.yaml",
    "inputs/dynamic_ot/gaussian_2d.yaml",
    "inputs/mean_field/grid_relu_2d.yaml",
    "inputs/mean_field/grid_tanh_2d.yaml",
]


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(binary, ranks, deck, out, sets, timeout):
    if os.path.isdir(out):
        shutil.rmtree(out)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck, "--quiet", "--set", f"output.dir={out}"]
    for s in sets:
        cmd += ["--set", s]
    print(" ".join(cmd), flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"stopped after {timeout} s of wall time", flush=True)
        return None, None, None
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-2000:])
        sys.stderr.write(proc.stderr[-2000:])
        return None, None, None
    with open(os.path.join(out, "summary.json")) as f:
        metrics = json.load(f)["metrics"]
    return metrics, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), wall


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--out", default=None)
    p.add_argument("--deck", action="append")
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--timeout", type=float, default=900, help="wall seconds per run before it is stopped")
    p.add_argument("--no-baseline", action="store_true", help="skip the diagnostics.w2=none run")
    p.add_argument("--repeat", type=int, default=1, help="runs per deck; the times printed are medians")
    args = p.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="yardstick_cost_")
    print(f"load average at the start: {load()}", flush=True)
    rows = []
    for deck in args.deck or SHIPPED:
        tag = os.path.splitext(os.path.basename(deck))[0]
        runs, nones = [], []
        for _ in range(args.repeat):
            m, cpu, wall = run(args.binary, args.ranks, deck, os.path.join(out, tag), args.set, args.timeout)
            if m is None:
                break
            runs.append((m, cpu, wall))
            if not args.no_baseline:
                _, c, w = run(args.binary, args.ranks, deck, os.path.join(out, tag + "_none"), args.set + ["diagnostics.w2=none"], args.timeout)
                if c is not None:
                    nones.append((c, w))
        if len(runs) < args.repeat:
            rows.append((deck, None))
            continue
        m = runs[-1][0]  # the values are the same bits run after run; the times are medians
        rows.append((deck, (m.get("cross.w2_eulerian_lagrangian", float("nan")), m.get("cross.w2_bias_estimate", float("nan")),
                            m.get("cross.w2_points_eulerian", float("nan")), m.get("cross.w2_points_lagrangian", float("nan")),
                            median([r[0].get("cross.w2_cpu_seconds", float("nan")) for r in runs]), median([r[1] for r in runs]),
                            median([n[0] for n in nones]),
                            median([r[0].get("cross.w2_seconds", float("nan")) for r in runs]), median([r[2] for r in runs]),
                            median([n[1] for n in nones]))))
    print(f"load average at the end: {load()}")
    print(f"\n{'deck':<46} {'cross W2':>11} {'bias est.':>9} {'cells':>7} {'parts':>7} {'W2 cpu s':>9} "
          f"{'run cpu s':>9} {'none cpu s':>10} {'share':>6} {'extra':>6} {'W2 wall s':>9} {'run wall s':>10} "
          f"{'none wall s':>11} {'wall share':>10}")
    for deck, r in rows:
        if r is None:
            print(f"{deck:<46} FAILED or stopped (see above)")
            continue
        w, b, ne, nl, ws, rs, ns, ww, rw, nw = r
        extra = (rs - ns) / rs if ns == ns else float("nan")
        print(f"{deck:<46} {w:11.5g} {b:9.2e} {ne:7.0f} {nl:7.0f} {ws:9.2f} {rs:9.2f} {ns:10.2f} {ws / rs:6.0%} {extra:6.0%} "
              f"{ww:9.2f} {rw:10.2f} {nw:11.2f} {ww / rw:10.0%}")
    sys.exit(1 if any(r is None for _, r in rows) else 0)


if __name__ == "__main__":
    main()
