#!/usr/bin/python3
"""Benchmark of `measureflow ot` (Sinkhorn; --solver picks its solver: auto = multiscale up to 3D) against POT's
ot.sinkhorn2(a, b, M, reg, method='sinkhorn_log', stopThr=tol) on the same clouds. Not a ctest.

Clouds: n = m points uniform in the unit cube [0,1]^d, uniform weights, seeded by (seed, n, d) so
that a row rerun alone sees the same points. Cost |x - y|^2. eps (POT's `reg`) is fixed per dimension:
eps = 0.005 d by default (0.01 in 2D, 0.05 in 10D, 0.015 in 3D), i.e. the same fraction of the mean
squared distance d/6 in every dimension (eps = 0.01 in 10D needs thousands of iterations); --eps E
uses E for every row. The marginal tolerance is the same for every row. MeasureFlow runs with
--no-divergence (one solve). Columns:
  seconds   MeasureFlow: its own `seconds` (loading + solve, max over ranks); POT: ot.dist + sinkhorn2
  wall      whole process, including MPI start-up (MeasureFlow) or Python start-up and imports (POT)
  cpu       user + system CPU seconds of the process and its children (all ranks together); on a
            shared machine this is steadier than the wall time
  peak MiB  MeasureFlow: `peak_memory_mib` (max over ranks of ru_maxrss); POT: ru_maxrss of its process
POT runs in a child process of its own, so its peak memory is not mixed with this script's. It is
skipped (and the reason printed) where n > --pot-max or where its dense n x n arrays (about five of
them at once inside sinkhorn_log) would not fit in the free memory.

usage: tests/bench/ot_bench.py [--quick] [--sizes 2000,4000,8000,32000] [--dims 2,10] [--ranks 1,2]
          [--eps E] [--tol 1e-6] [--pot-max 4000] [--no-pot] [--big | --only-big] [--big-n 50000]
          [--results rows.jsonl] [--binary build/measureflow]
  --quick     n = 2000 and 4000 in 2D, 1 rank, with POT: the speed target row in a few minutes
  --big       also the n = 50 000, 3D, 2-rank row (asserts peak memory < 512 MiB per rank)
  --only-big  just that row
  --results   append every measured row as a JSON line (to assemble one table from partial runs)
  --table F   print the table and speed ratios of the rows stored in F (a --results file); run nothing
Exit status 1 if the big row breaks its memory bound or a run fails.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

BIG_ROW_MEMORY_MIB = 512.0
POT_DENSE_ARRAYS = 5  # M, -M/reg, the shifted log-plan and logsumexp's temporaries


def make_clouds(seed, n, d):
    rng = np.random.default_rng([seed, n, d])
    return rng.random((n, d)), rng.random((n, d))


def write_cloud(path, X):
    with h5py.File(path, 'w') as f:
        f['positions'] = X


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def run_measureflow(binary, fa, fb, ranks, eps, tol, env, solver='auto'):
    cmd = [binary, 'ot', fa, fb, '--eps', repr(eps), '--tol', repr(tol), '--json', '--no-divergence',
           '--max-iterations', '1000000', '--solver', solver]
    if ranks > 1:
        cmd = ['mpirun', '--oversubscribe', '-np', str(ranks)] + cmd
    t0, c0 = time.time(), children_cpu()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    wall, cpu = time.time() - t0, children_cpu() - c0
    res = json.loads(out.strip().splitlines()[-1])
    return dict(who='measureflow', ranks=ranks, seconds=res['seconds'], wall=wall, cpu=cpu,
                iterations=res['iterations'],
                cost=res['transport_cost'], marginal_error=res['marginal_error'],
                peak_mib=res['peak_memory_mib'])


def pot_worker(fa, fb, eps, tol):
    """Child process: POT on the clouds in fa, fb; prints one JSON line."""
    import ot
    with h5py.File(fa, 'r') as f:
        X = f['positions'][...]
    with h5py.File(fb, 'r') as f:
        Y = f['positions'][...]
    a = np.full(len(X), 1.0 / len(X))
    b = np.full(len(Y), 1.0 / len(Y))
    t0 = time.time()
    M = ot.dist(X, Y)  # squared Euclidean
    cost, log = ot.sinkhorn2(a, b, M, eps, method='sinkhorn_log', stopThr=tol, numItermax=1000000, log=True)
    seconds = time.time() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    # POT's niter is the index of the last iteration (it checks its L2 error every 10th one).
    print(json.dumps(dict(seconds=seconds, cost=float(cost), iterations=int(log['niter']) + 1,
                          marginal_error=float(log['err'][-1]), peak_mib=peak)))
    return 0


def run_pot(fa, fb, eps, tol):
    t0, c0 = time.time(), children_cpu()
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--pot-worker', fa, fb, '--eps', repr(eps),
                          '--tol', repr(tol)], check=True, capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    return dict(who='POT', ranks=1, wall=time.time() - t0, cpu=children_cpu() - c0, **res)


def available_mib():
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemAvailable:'):
                return int(line.split()[1]) / 1024.0
    return float('inf')


def pot_skip_reason(n, args):
    if args.no_pot:
        return '--no-pot'
    need = POT_DENSE_ARRAYS * n * n * 8 / 2**20
    if need > 0.8 * available_mib():
        return f'its n x n arrays need about {need / 1024:.0f} GiB, more than the {available_mib() / 1024:.0f} GiB free'
    if n > args.pot_max:
        return (f'n > --pot-max {args.pot_max} (its n x n arrays, ~{need / 1024:.1f} GiB, would fit; left out '
                f'for time: POT scales as n^2 per iteration)')
    return None


HEADER = (f"{'n':>6} {'d':>3} {'eps':>6} {'who':>11} {'ranks':>5} {'seconds':>8} {'wall':>8} {'cpu':>8} {'iters':>6} "
          f"{'cost':>12} {'marg.err':>9} {'peak MiB':>8}")


def print_row(n, d, eps, r):
    print(f"{n:>6} {d:>3} {eps:>6g} {r['who']:>11} {r['ranks']:>5} {r['seconds']:>8.2f} {r['wall']:>8.2f} "
          f"{r['cpu']:>8.2f} {r['iterations']:>6} {r['cost']:>12.8f} {r['marginal_error']:>9.2e} {r['peak_mib']:>8.1f}",
          flush=True)


def record(args, n, d, eps, r):
    print_row(n, d, eps, r)
    if args.results:
        with open(args.results, 'a') as f:
            f.write(json.dumps(dict(n=n, d=d, eps=eps, tol=args.tol, **r)) + '\n')


def eps_for(args, d):
    return args.eps if args.eps is not None else 0.005 * d


def speed_ratio_line(n, d, mf, pot):
    rel = abs(mf['cost'] - pot['cost']) / abs(pot['cost'])
    return (f"speed ratio POT / MeasureFlow (1 rank) at n = {n}, d = {d}: {pot['seconds'] / mf['seconds']:.1f}x "
            f"by seconds, {pot['cpu'] / mf['cpu']:.1f}x by CPU time; transport costs differ by {rel:.1e} relative")


def print_table(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    print(HEADER)
    for r in rows:
        print_row(r['n'], r['d'], r['eps'], r)
    for r in rows:
        if r['who'] != 'POT':
            continue
        mf = [m for m in rows if m['who'] == 'measureflow' and m['ranks'] == 1 and (m['n'], m['d'], m['eps']) ==
              (r['n'], r['d'], r['eps'])]
        if mf:
            print(speed_ratio_line(r['n'], r['d'], mf[-1], r))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--sizes', default='2000,4000,8000,32000')
    p.add_argument('--dims', default='2,10')
    p.add_argument('--ranks', default='1,2')
    p.add_argument('--eps', type=float, default=None)
    p.add_argument('--tol', type=float, default=1e-6)
    p.add_argument('--seed', type=int, default=1234)
    p.add_argument('--pot-max', type=int, default=4000)
    p.add_argument('--no-pot', action='store_true')
    p.add_argument('--quick', action='store_true')
    p.add_argument('--big', action='store_true')
    p.add_argument('--only-big', action='store_true')
    p.add_argument('--big-n', type=int, default=50000)
    p.add_argument('--results', default='')
    p.add_argument('--table', default='')
    p.add_argument('--solver', default='auto', choices=['auto', 'multiscale', 'dense'])
    p.add_argument('--binary', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build',
                                                    'measureflow'))
    p.add_argument('--pot-worker', nargs=2, metavar=('A', 'B'), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.pot_worker:
        return pot_worker(args.pot_worker[0], args.pot_worker[1], args.eps, args.tol)
    if args.table:
        return print_table(args.table)
    if args.quick:
        args.sizes, args.dims, args.ranks = '2000,4000', '2', '1'

    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')
    print(f"tol = {args.tol} (MeasureFlow: L1 marginal error, every iteration; POT: L2 "
          f"column error, every 10th), uniform clouds in [0,1]^d, seed {args.seed}")
    print(HEADER, flush=True)
    failed = False
    ratios, skipped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        fa, fb = os.path.join(tmp, 'a.h5'), os.path.join(tmp, 'b.h5')
        grid = [] if args.only_big else [(int(n), int(d)) for d in args.dims.split(',') for n in args.sizes.split(',')]
        for n, d in grid:
            eps = eps_for(args, d)
            X, Y = make_clouds(args.seed, n, d)
            write_cloud(fa, X)
            write_cloud(fb, Y)
            one_rank = None
            for r in [int(v) for v in args.ranks.split(',')]:
                try:
                    res = run_measureflow(args.binary, fa, fb, r, eps, args.tol, env, args.solver)
                except subprocess.CalledProcessError as e:
                    print(f"{n:>6} {d:>3} measureflow {r:>5} FAILED: {e.stderr.strip()[-300:]}", flush=True)
                    failed = True
                    continue
                record(args, n, d, eps, res)
                if r == 1:
                    one_rank = res
            reason = pot_skip_reason(n, args)
            if reason:
                skipped.append(f"POT n = {n}, d = {d}: {reason}")
                continue
            pot = run_pot(fa, fb, eps, args.tol)
            record(args, n, d, eps, pot)
            if one_rank:
                ratios.append(speed_ratio_line(n, d, one_rank, pot))
        if args.big or args.only_big:
            n, d = args.big_n, 3
            eps = eps_for(args, d)
            X, Y = make_clouds(args.seed, n, d)
            write_cloud(fa, X)
            write_cloud(fb, Y)
            res = run_measureflow(args.binary, fa, fb, 2, eps, args.tol, env, args.solver)
            record(args, n, d, eps, res)
            dense_gib = n * n * 8 / 2**30
            ok = res['peak_mib'] < BIG_ROW_MEMORY_MIB
            print(f"n = {n}, 3D, 2 ranks: peak {res['peak_mib']:.1f} MiB per rank "
                  f"{'<' if ok else '>='} {BIG_ROW_MEMORY_MIB:.0f} MiB ({'ok' if ok else 'FAILED'}); one dense "
                  f"n x n matrix would take {dense_gib:.1f} GiB", flush=True)
            skipped.append(f"POT n = {n}, d = 3: its n x n arrays need about "
                           f"{POT_DENSE_ARRAYS * dense_gib:.0f} GiB")
            failed = failed or not ok
    for s in skipped:
        print("skipped: " + s)
    for line in ratios:
        print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
