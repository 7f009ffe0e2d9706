#!/usr/bin/python3
"""The static OT solver beside POT, one table (run through tests/bench/static_ot_bench.sh). Not a ctest.

Rows (clouds: n points uniform in [0,1]^d, uniform weights, seeded by (seed, n, d); cost |x - y|^2):
  sinkhorn   n = 8000, 2D, eps = 0.01, marginal tolerance --tol: `measureflow ot` with the multiscale and
             the dense solver (--ranks ranks), POT ot.sinkhorn2(method='sinkhorn_log', stopThr=tol).
             Stopping rules: MeasureFlow stops when the L1 violation of the y marginal is below tol, POT
             when the L2 norm of the column-marginal violation is (checked every 10th iteration); the L1
             rule is the stricter one (|v|_2 <= |v|_1).
  --exact    n = 8000, 2D: POT ot.emd2 (network simplex, exact) against `measureflow ot` at a small eps
             (--exact-eps): its transport_cost <pi, C> is the primal cost of a plan with exact y marginal
             and x marginal violation below tol, an estimate of W2^2 to O(eps log n + tol * cost). Not in
             the default table: at eps <= 1e-4 the Sinkhorn sweeps do not reach tol 1e-5 in minutes
             (docs/yardstick.md, "The static solver").
  --large    n = 10^6 uniform in 2D and in 3D, y = x + tau: the debiased divergence S_eps = |tau|^2 exactly at
             every eps (docs/yardstick.md), so the relative error of W2 = sqrt(S_eps) is measured against a
             known answer; and n = 10^5 in 10D with the dense streaming solver (time and memory only).
Columns: wall (whole process incl. start-up), cpu (user+system of all ranks/children), peak MiB (max over
ranks of ru_maxrss), iterations, the value, the marginal error. Prints the load average before and after.
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


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def write_cloud(path, X):
    with h5py.File(path, 'w') as f:
        f['positions'] = X


def clouds(tmp, seed, n, d, shift=None):
    rng = np.random.default_rng([seed, n, d])
    X = rng.random((n, d))
    Y = X + np.asarray(shift) if shift is not None else rng.random((n, d))
    fa, fb = os.path.join(tmp, f'x_{n}_{d}.h5'), os.path.join(tmp, f'y_{n}_{d}.h5')
    write_cloud(fa, X)
    write_cloud(fb, Y)
    return fa, fb


def measureflow(args, fa, fb, eps, tol, solver, divergence=False, ranks=None):
    ranks = ranks or args.ranks
    cmd = [args.binary, 'ot', fa, fb, '--eps', repr(eps), '--tol', repr(tol), '--json', '--solver', solver,
           '--max-iterations', '1000000'] + ([] if divergence else ['--no-divergence'])
    if ranks > 1:
        cmd = ['mpirun', '--oversubscribe', '-np', str(ranks)] + cmd
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')
    t0, c0 = time.time(), children_cpu()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, timeout=args.timeout).stdout
    r = json.loads(out.strip().splitlines()[-1])
    r.update(wall=time.time() - t0, cpu=children_cpu() - c0, who=f'mf {solver} x{ranks}')
    return r


def pot(args, fa, fb, what, eps=0.0, tol=0.0):
    t0, c0 = time.time(), children_cpu()
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--pot-worker', what, fa, fb, repr(eps), repr(tol)],
                         check=True, capture_output=True, text=True, timeout=args.timeout).stdout
    r = json.loads(out.strip().splitlines()[-1])
    r.update(wall=time.time() - t0, cpu=children_cpu() - c0, who=f'POT {what}')
    return r


def pot_worker(what, fa, fb, eps, tol):
    import ot
    with h5py.File(fa, 'r') as f:
        X = f['positions'][...]
    with h5py.File(fb, 'r') as f:
        Y = f['positions'][...]
    a, b = np.full(len(X), 1.0 / len(X)), np.full(len(Y), 1.0 / len(Y))
    M = ot.dist(X, Y)
    if what == 'sinkhorn_log':
        plan, log = ot.sinkhorn(a, b, M, float(eps), method='sinkhorn_log', stopThr=float(tol), numItermax=10**6, log=True)
        r = dict(transport_cost=float(np.sum(plan * M)), iterations=int(log['niter']) + 1,
                 marginal_error=float(log['err'][-1]))
    else:
        r = dict(transport_cost=float(ot.emd2(a, b, M, numItermax=10**8)), iterations=None, marginal_error=0.0)
    r['peak_memory_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(r))


def row(name, r, value_key='transport_cost', note=''):
    it = r.get('iterations')
    print(f"{name:<22} {r['who']:<20} {r['wall']:>8.2f} {r['cpu']:>8.2f} {r.get('peak_memory_mib', float('nan')):>9.1f} "
          f"{'' if it is None else it:>7} {r.get(value_key, float('nan')):>16.10g} {r.get('marginal_error') or 0.0:>9.2e} {note}",
          flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--pot-worker':
        return pot_worker(*sys.argv[2:7])
    p = argparse.ArgumentParser()
    p.add_argument('--binary', default='build/measureflow')
    p.add_argument('--ranks', type=int, default=2)
    p.add_argument('--tol', type=float, default=1e-6)
    p.add_argument('--exact-eps', type=float, default=1e-4)
    p.add_argument('--exact-tol', type=float, default=1e-5)
    p.add_argument('--large', action='store_true')
    p.add_argument('--exact', action='store_true')
    p.add_argument('--only-large', action='store_true')
    p.add_argument('--large-eps', type=float, default=4e-6)
    p.add_argument('--large-n', type=int, default=10**6)
    p.add_argument('--timeout', type=float, default=3600)
    args = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} (1 min); {args.ranks} ranks", flush=True)
    print(f"{'row':<22} {'who':<20} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'iters':>7} {'value':>16} {'marg.err':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only_large:
            fa, fb = clouds(tmp, 0, 8000, 2)
            ms = measureflow(args, fa, fb, 0.01, args.tol, 'multiscale')
            row('sinkhorn 8000 2D e=.01', ms)
            de = measureflow(args, fa, fb, 0.01, args.tol, 'dense')
            row('sinkhorn 8000 2D e=.01', de)
            pt = pot(args, fa, fb, 'sinkhorn_log', 0.01, args.tol)
            row('sinkhorn 8000 2D e=.01', pt, note='(L2 marginal error)')
            print(f"  cpu ratio POT / multiscale = {pt['cpu'] / ms['cpu']:.1f}, POT / dense = {pt['cpu'] / de['cpu']:.1f}; "
                  f"wall ratio POT / multiscale = {pt['wall'] / ms['wall']:.1f}; "
                  f"cost rel. diff multiscale vs POT = {abs(ms['transport_cost'] - pt['transport_cost']) / pt['transport_cost']:.1e}")
        if args.exact:
            fa, fb = clouds(tmp, 0, 8000, 2)
            em = pot(args, fa, fb, 'emd')
            row('exact W2^2 8000 2D', em)
            ex = measureflow(args, fa, fb, args.exact_eps, args.exact_tol, 'multiscale')
            row('exact W2^2 8000 2D', ex, note=f'(eps {args.exact_eps:g}, tol {args.exact_tol:g})')
            print(f"  W2^2 rel. diff multiscale vs emd = {(ex['transport_cost'] - em['transport_cost']) / em['transport_cost']:.2e}; "
                  f"cpu ratio emd / multiscale = {em['cpu'] / ex['cpu']:.1f}")
        if args.large or args.only_large:
            tau = [0.05, -0.03, 0.02]
            for d in (2, 3):
                fa, fb = clouds(tmp, 1, args.large_n, d, shift=tau[:d])
                r = measureflow(args, fa, fb, args.large_eps, 1e-4, 'multiscale', divergence=True)
                exact = sum(t * t for t in tau[:d])
                row(f'translation {args.large_n:.0e} {d}D', r, 'divergence',
                    note=f'W2 rel. error {abs(np.sqrt(max(r["divergence"], 0)) - np.sqrt(exact)) / np.sqrt(exact):.1e} (eps {args.large_eps:g})')
            fa, fb = clouds(tmp, 2, 10**5, 10)
            r = measureflow(args, fa, fb, 0.05, 1e-4, 'dense')
            row('sinkhorn 1e5 10D e=.05', r)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the end", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
