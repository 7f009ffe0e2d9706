#!/usr/bin/python3
"""Benchmark of `measureflow ot` (log-domain Sinkhorn) against POT's ot.sinkhorn(..., method='sinkhorn_log').

Prints one table row per (n, d, ranks): wall time, iterations, transport cost and peak RSS (largest
process) of MeasureFlow, and POT's time / cost / peak RSS where its dense n×n matrices fit
(n <= --pot-max). Clouds: uniform in the unit cube, uniform weights, fixed seed. Not a ctest.

usage: tests/bench/ot_bench.py [--sizes 2000,4000] [--dims 2,10] [--ranks 1,2] [--eps 0.01] [--tol 1e-6]
                               [--pot-max 4000] [--binary build/measureflow]
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


def peak_rss_mib_of(cmd, env):
    """Runs cmd; returns (stdout, seconds, peak RSS in MiB of the largest waited-for descendant)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.time()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    seconds = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is a running maximum; a smaller later run cannot be told apart.
    return out, seconds, max(after, before) / 1024.0


def pot_run(X, Y, eps, tol):
    import ot
    a = np.full(len(X), 1.0 / len(X))
    b = np.full(len(Y), 1.0 / len(Y))
    t0 = time.time()
    M = ot.dist(X, Y)
    G, log = ot.sinkhorn(a, b, M, eps, method='sinkhorn_log', stopThr=tol, numItermax=100000, log=True)
    cost = float((G * M).sum())
    return time.time() - t0, cost, log.get('niter', -1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--sizes', default='2000,4000')
    p.add_argument('--dims', default='2,10')
    p.add_argument('--ranks', default='1,2')
    p.add_argument('--eps', type=float, default=0.01)
    p.add_argument('--tol', type=float, default=1e-6)
    p.add_argument('--pot-max', type=int, default=4000)
    p.add_argument('--binary', default=os.path.join(os.path.dirname(__file__), '..', '..', 'build', 'measureflow'))
    args = p.parse_args()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')
    rng = np.random.default_rng(1234)
    print(f"eps = {args.eps}, tol = {args.tol} (MeasureFlow: L1 marginal error; POT: L2), uniform weights")
    print(f"{'n':>7} {'d':>3} {'who':>12} {'ranks':>5} {'seconds':>9} {'iters':>6} {'cost':>14} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for d in [int(v) for v in args.dims.split(',')]:
            for n in [int(v) for v in args.sizes.split(',')]:
                X, Y = rng.random((n, d)), rng.random((n, d))
                fa, fb = os.path.join(tmp, 'a.h5'), os.path.join(tmp, 'b.h5')
                with h5py.File(fa, 'w') as f:
                    f['positions'] = X
                with h5py.File(fb, 'w') as f:
                    f['positions'] = Y
                for r in [int(v) for v in args.ranks.split(',')]:
                    cmd = [args.binary, 'ot', fa, fb, '--eps', str(args.eps), '--tol', str(args.tol), '--json',
                           '--no-divergence']
                    if r > 1:
                        cmd = ['mpirun', '--oversubscribe', '-np', str(r)] + cmd
                    out, wall, rss = peak_rss_mib_of(cmd, env)
                    res = json.loads(out.strip().splitlines()[-1])
                    print(f"{n:>7} {d:>3} {'measureflow':>12} {r:>5} {res['seconds']:>9.2f} {res['iterations']:>6} "
                          f"{res['transport_cost']:>14.8f} {rss:>9.1f}", flush=True)
                if n <= args.pot_max:
                    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    sec, cost, it = pot_run(X, Y, args.eps, args.tol)
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
                    print(f"{n:>7} {d:>3} {'POT':>12} {1:>5} {sec:>9.2f} {it:>6} {cost:>14.8f} {rss:>9.1f}", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
