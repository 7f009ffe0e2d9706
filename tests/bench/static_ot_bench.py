#!/usr/bin/python3
"""The static OT solver beside POT, one table (run through tests/bench/static_ot_bench.sh). Not a ctest.

Rows (clouds: n points uniform in [0,1]^d, uniform weights, seeded by (seed, n, d); cost |x - y|^2):
  sinkhorn   n = 8000, 2D, eps = 0.01, marginal tolerance --tol: `measureflow ot` with the multiscale and
             the dense solver (--ranks ranks), POT ot.sinkhorn2(method='sinkhorn_log', stopThr=tol).
             Stopping rules: MeasureFlow stops when the L1 violation of the y marginal is below tol, POT
             when the L2 norm of the column-marginal violation is (checked every 10th iteration); the L1
             rule is the stricter one (|v|_2 <= |v|_1).
  --exact    n = 8000, 2D: POT ot.emd2 (network simplex on all n^2 pairs) against `measureflow ot --solver
             exact` (multiscale eps-scaling to eps = 4 x the squared mean spacing, the exact LP on the kept pairs
             by LEMON's network simplex, certified on all pairs): relative difference of W2^2 and time.
  --large    n uniform points in [0,1]^d (--large-n, default 10^6; several sizes allowed) in 2D and 3D mapped by
             y = A x + b, A symmetric positive definite with distinct eigenvalues: the gradient of a convex
             function, so by cyclical monotonicity the identity matching is optimal and the exact discrete
             W2^2 = (1/n) sum |x_i - y_i|^2. Rows: the multiscale Sinkhorn's <pi, C> at --large-eps (a multiple
             of the squared mean spacing n^(-2/d)), with --large-exact also the certified exact step; the
             relative W2 error against the exact value, the sweeps of each eps stage and the kept pairs
             (MF_MULTISCALE_TRACE). --large-solvers picks the rows (multiscale, bracket, exact; default
             multiscale; --large-exact adds exact): bracket is `measureflow ot --solver bracket` (certified
             lower <= W2^2 <= upper, eps halved until (upper - lower) <= 2e-3 lower), its row gives the
             midpoint estimate, its relative error in W2^2 and in W2 against the exact value, the bracket and
             whether it contains the exact value. And n = 10^5 in 10D with the dense streaming solver (time and memory only;
             --no-10d skips it).
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


class RowTimedOut(Exception):
    """A measureflow run stopped by --timeout (already reported)."""


def measureflow(args, fa, fb, eps, tol, solver, divergence=False, ranks=None, trace=False, extra=()):
    ranks = ranks or args.ranks
    cmd = [args.binary, 'ot', fa, fb, '--json', '--solver', solver, '--max-iterations', '1000000']
    cmd += (['--eps', repr(eps)] if eps is not None else []) + (['--tol', repr(tol)] if tol is not None else [])
    cmd += [] if divergence else ['--no-divergence']
    cmd += list(extra)
    if ranks > 1:
        cmd = ['mpirun', '--oversubscribe', '-np', str(ranks)] + cmd
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')
    if trace:
        env['MF_MULTISCALE_TRACE'] = '1'
    t0, c0 = time.time(), children_cpu()
    try:
        p = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired as e:
        # A row that outgrows --timeout is a result too: say so, show how far its stages got, go on.
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or '')
        print(f"{'':<22} mf {solver} x{ranks} stopped after {args.timeout:g} s wall: {' '.join(cmd)}", flush=True)
        for line in err.splitlines():
            if line.startswith(('multiscale cross', 'bracket:')):
                print('    ' + line.replace('multiscale cross: ', ''), flush=True)
        raise RowTimedOut() from e
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r.update(wall=time.time() - t0, cpu=children_cpu() - c0, who=f'mf {solver} x{ranks}')
    r['trace'] = [l for l in p.stderr.splitlines() if l.startswith('multiscale cross')]
    r['bracket_trace'] = [l for l in p.stderr.splitlines() if l.startswith('bracket:')]
    return r


def convex_gradient_clouds(tmp, seed, n, d):
    """x uniform in [0,1]^d, y = A x + b (A = R diag(lam) R^T): returns the files and the exact W2^2."""
    rng = np.random.default_rng([seed, n, d])
    X = rng.random((n, d))
    t, s = 0.6, 0.4
    R = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    Q = np.array([[1, 0, 0], [0, np.cos(s), -np.sin(s)], [0, np.sin(s), np.cos(s)]])
    R = (R @ Q)[:d, :d] if d == 3 else R[:2, :2]
    lam = np.array([0.7, 1.25, 0.9])[:d]
    A = R @ np.diag(lam) @ R.T
    Y = X @ A.T + np.array([0.1, -0.05, 0.08])[:d]
    fa, fb = os.path.join(tmp, f'x_map_{n}_{d}.h5'), os.path.join(tmp, f'y_map_{n}_{d}.h5')
    write_cloud(fa, X)
    write_cloud(fb, Y)
    return fa, fb, float(np.mean(np.sum((X - Y) ** 2, axis=1)))


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
    p.add_argument('--large', action='store_true')
    p.add_argument('--exact', action='store_true')
    p.add_argument('--only-large', action='store_true')
    p.add_argument('--skip-default', action='store_true', help='without the default sinkhorn rows')
    p.add_argument('--large-eps', type=float, default=4.0, help='eps of the --large rows in units of n^(-2/d)')
    p.add_argument('--large-tol', type=float, default=1e-3)
    p.add_argument('--large-n', type=int, nargs='+', default=[10**6])
    p.add_argument('--large-exact', action='store_true', help='also the certified exact step on the --large rows')
    p.add_argument('--large-solvers', nargs='+', default=['multiscale'], choices=['multiscale', 'bracket', 'exact'],
                   help='the --large rows')
    p.add_argument('--large-max-stored-pairs', type=int, default=2 * 10**8,
                   help='--max-stored-pairs of the bracket rows (12 bytes per pair and rank)')
    p.add_argument('--no-10d', action='store_true')
    p.add_argument('--timeout', type=float, default=3600)
    args = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} (1 min); {args.ranks} ranks", flush=True)
    print(f"{'row':<22} {'who':<20} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'iters':>7} {'value':>16} {'marg.err':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only_large and not args.skip_default:
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
            ex = measureflow(args, fa, fb, None, None, 'exact')
            row('exact W2^2 8000 2D', ex, note=f"(certified {ex['certified']}, {ex['lp_rounds']} LP solves, "
                                               f"{ex['lp_arcs']} pairs, eps {ex['eps']:.3g})")
            print(f"  W2^2 rel. diff exact vs emd = {(ex['transport_cost'] - em['transport_cost']) / em['transport_cost']:.2e}; "
                  f"wall ratio emd / exact = {em['wall'] / ex['wall']:.1f}; cpu ratio emd / exact = {em['cpu'] / ex['cpu']:.1f}", flush=True)
        if args.large or args.only_large:
            for d in (2, 3):
                for n in args.large_n:
                    try:
                        fa, fb, exact = convex_gradient_clouds(tmp, 1, n, d)
                        eps = args.large_eps * n ** (-2.0 / d)
                        if 'multiscale' in args.large_solvers:
                            r = measureflow(args, fa, fb, eps, args.large_tol, 'multiscale', trace=True)
                            err = abs(np.sqrt(r['transport_cost']) - np.sqrt(exact)) / np.sqrt(exact)
                            row(f'map {n:.0e} {d}D', r, note=f'W2 rel. error {err:.1e} (eps {eps:.3g}, exact W2^2 {exact:.10g})')
                            for line in r['trace']:
                                print('    ' + line.replace('multiscale cross: ', ''))
                        if 'bracket' in args.large_solvers:
                            r = measureflow(args, fa, fb, None, None, 'bracket', trace=True,
                                            extra=['--max-stored-pairs', str(args.large_max_stored_pairs)])
                            est = r['w2sq_estimate']
                            err2 = (est - exact) / exact
                            err = (np.sqrt(est) - np.sqrt(exact)) / np.sqrt(exact)
                            # The bracket is rigorous up to the rounding of its sums (O(n) terms of size W2²): at
                            # 10⁵ 3D its lower end, exact to 12 digits, was above the exact value by 1.9e-12 relative.
                            slack = 1e-11 * exact
                            inside = r['w2sq_lower'] - slack <= exact <= r['w2sq_upper'] + slack
                            row(f'map {n:.0e} {d}D', r, value_key='w2sq_estimate',
                                note=f"W2^2 rel. error {err2:.1e}, W2 {err:.1e}; bracket [{r['w2sq_lower']:.10g}, "
                                     f"{r['w2sq_upper']:.10g}] rel. width {r['bracket_relative_gap']:.2e} met "
                                     f"{r['bracket_met']}, contains exact (to 1e-11 rel.) {inside}; eps {r['eps']:.3g}, "
                                     f"{r['brackets']} brackets; exact W2^2 {exact:.10g}")
                            for line in r['trace']:
                                print('    ' + line.replace('multiscale cross: ', ''))
                            for line in r['bracket_trace']:
                                print('    ' + line)
                        if args.large_exact or 'exact' in args.large_solvers:
                            r = measureflow(args, fa, fb, None, None, 'exact')
                            err = abs(np.sqrt(r['transport_cost']) - np.sqrt(exact)) / np.sqrt(exact)
                            row(f'map {n:.0e} {d}D', r, note=f"W2 rel. error {err:.1e} (certified {r['certified']}, "
                                                             f"{r['lp_rounds']} LP solves, {r['lp_arcs']} pairs, eps {r['eps']:.3g})")
                    except RowTimedOut:
                        continue  # the next size or dimension
            if not args.no_10d:
                fa, fb = clouds(tmp, 2, 10**5, 10)
                r = measureflow(args, fa, fb, 0.05, 1e-4, 'dense')
                row('sinkhorn 1e5 10D e=.05', r)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the end", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
