#!/usr/bin/python3
"""One softmax self-attention step in NumPy and in PyTorch CPU, the same work as the MeasureFlow
benchmark: Γ_i = Σ_j e^{⟨Qx_i, Kx_j⟩} V x_j / Z_i with Q = K = d^{-1/4} I, V = I.

  transformer_bench_numpy.py n d repeats threads [numpy|torch|config ...]

Rows are done in blocks of B = max(1, 32e6 // n) targets, so the largest temporary is a B×n score block
(≤ 256 MB of doubles) and the n×n matrix is never formed (at n = 64 000 it would be 33 GB). PyTorch runs
the same blocked step with torch.set_num_threads(threads); NumPy's threads are whatever its BLAS uses
(set OPENBLAS_NUM_THREADS/OMP_NUM_THREADS before starting it; exp and the reductions are single-threaded).
Prints rows: impl n d threads median_wall_s median_cpu_s GFLOP/s (flop / CPU seconds of all threads), or
"impl n d threads not installed" when PyTorch cannot be imported; with "config", which BLAS each peer
has loaded (numpy.show_config() / torch.__config__.show() name only the generic libblas.so.3)."""
import re
import sys
import time

import numpy as np


def block_rows(n):
    return max(1, min(n, 32_000_000 // n))


def step_numpy(x, block):
    d = x.shape[1]
    q = x * d ** -0.25
    out = np.empty_like(x)
    for s in range(0, x.shape[0], block):
        sc = q[s:s + block] @ q.T
        sc -= sc.max(axis=1, keepdims=True)
        np.exp(sc, out=sc)
        out[s:s + block] = (sc @ x) / sc.sum(axis=1, keepdims=True)
    return out


def make_step_torch(torch, x):
    xt = torch.from_numpy(x)
    n, d = x.shape
    block = block_rows(n)

    def step():
        q = xt * d ** -0.25
        out = torch.empty_like(xt)
        with torch.no_grad():
            for s in range(0, n, block):
                out[s:s + block] = torch.softmax(q[s:s + block] @ q.T, dim=1) @ xt
        return out
    return step


def timed(f, reps):
    """Medians over `reps` timed steps of (wall, CPU of all the process's threads) seconds, after one
    untimed warm-up step."""
    f()
    walls, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return float(np.median(walls)), float(np.median(cpus))


def blas_libraries():
    """The BLAS/LAPACK shared objects this process has mapped (after a product ran): which BLAS the peer
    really used, whatever numpy.show_config() says it was built against (Debian's NumPy and PyTorch link
    the generic libblas.so.3, an alternative that points at OpenBLAS once it is installed)."""
    names = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if any(k in path for k in ("blas", "lapack", "mkl", "blis", "dnnl")):
                names.add(path)
    return ",".join(sorted(names))


def row(impl, n, d, threads, seconds):
    wall, cpu = seconds
    flops = n * n * (4.0 * d + 4.0)
    print(f"{impl:<10} {n:7d} {d:3d} {threads:6d} {wall:10.3f} {cpu:10.3f} {flops / cpu * 1e-9:10.3f}",
          flush=True)


def main():
    n, d, reps, threads = (int(v) for v in sys.argv[1:5])
    impls = sys.argv[5:] or ["numpy", "torch"]
    x = np.random.default_rng(1).standard_normal((n, d))
    if "config" in impls:  # which BLAS each peer uses, for the table's header
        step_numpy(x[:300], 300)
        print(f"# numpy {np.__version__}: BLAS mapped: {blas_libraries()}")
        try:
            import torch
            torch.from_numpy(x[:300]) @ torch.from_numpy(x[:300]).T
            info = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
            print(f"# torch {torch.__version__}: BLAS_INFO={info.group(1) if info else '?'}; "
                  f"BLAS mapped: {blas_libraries()}")
        except ImportError:
            print("# torch: not installed (scripts/setup.sh --bench)")
        return
    if "numpy" in impls:
        row("numpy", n, d, threads, timed(lambda: step_numpy(x, block_rows(n)), reps))
    if "torch" in impls:
        try:
            import torch
        except ImportError:
            print(f"{'torch-cpu':<10} {n:7d} {d:3d} {threads:6d} not installed (scripts/setup.sh --bench)")
            return
        torch.set_num_threads(threads)
        step = make_step_torch(torch, x)
        small = x[:300]  # both peers must compute the same step (guards a wrong peer)
        assert np.allclose(make_step_torch(torch, small)().numpy(), step_numpy(small, 300), rtol=1e-10, atol=1e-12)
        row("torch-cpu", n, d, torch.get_num_threads(), timed(step, reps))


if __name__ == "__main__":
    main()
