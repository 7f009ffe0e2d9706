#!/usr/bin/python3
"""The flow-matching sampling step of tests/bench/flow_matching_sampling_bench.cpp in NumPy and PyTorch
CPU: n particles of N(0, I), the exact field of N moons data points (weights 1/N),
v_t(x) = (Σ_j softmax_j(x·(t y_j)/(1−t)² − t²|y_j|²/(2(1−t)²)) y_j − x)/(1 − t), Euler steps.

  flow_matching_sampling_numpy.py n N steps repeats threads impl...     (impl: numpy | torch)

Rows are done in blocks of B = max(1, 32e6 // N) particles, so the largest temporary is a B×N score block
and the n×N matrix is never formed. Prints per impl: impl n N d threads seconds_per_eval GFLOP/s
cpu_seconds_per_eval (medians), or "impl n N d threads not installed"."""
import sys
import time

import numpy as np


def moons(N, seed=7):
    rng = np.random.default_rng(seed)
    outer = rng.random(N) < 0.5
    th = np.pi * rng.random(N)
    x = np.where(outer, np.cos(th), 1 - np.cos(th))
    y = np.where(outer, np.sin(th), 0.5 - np.sin(th))
    return np.stack([2 * (x - 0.5), 2 * (y - 0.25)], axis=1) + 0.1 * rng.standard_normal((N, 2))


def field_numpy(t, x, y, block):
    s2 = (1 - t) ** 2
    b = y * (t / s2)
    c = -(t * t) * (y * y).sum(axis=1) / (2 * s2)
    out = np.empty_like(x)
    for s in range(0, x.shape[0], block):
        sc = x[s:s + block] @ b.T + c
        sc -= sc.max(axis=1, keepdims=True)
        np.exp(sc, out=sc)
        out[s:s + block] = (sc @ y / sc.sum(axis=1, keepdims=True) - x[s:s + block]) / (1 - t)
    return out


def make_field_torch(torch, y, block):
    yt = torch.from_numpy(y)

    def field(t, x):
        s2 = (1 - t) ** 2
        b = yt * (t / s2)
        c = -(t * t) * (yt * yt).sum(dim=1) / (2 * s2)
        out = torch.empty_like(x)
        with torch.no_grad():
            for s in range(0, x.shape[0], block):
                p = torch.softmax(x[s:s + block] @ b.T + c, dim=1)
                out[s:s + block] = (p @ yt - x[s:s + block]) / (1 - t)
        return out
    return field


def main():
    n, N, steps, repeats, threads = (int(a) for a in sys.argv[1:6])
    impls = sys.argv[6:] or ["numpy"]
    y = moons(N)
    block = max(1, min(n, 32_000_000 // N))
    flop = n * N * (4 * 2 + 4)
    for impl in impls:
        if impl == "torch":
            try:
                import torch
            except ImportError:
                print(f"torch {n} {N} 2 {threads} not installed")
                continue
            torch.set_num_threads(threads)
            field = make_field_torch(torch, y, block)
            to_array = torch.from_numpy
        else:
            field = lambda t, x: field_numpy(t, x, y, block)
            to_array = lambda a: a
        walls, cpus = [], []
        for r in range(repeats):
            x = to_array(np.random.default_rng(42 + r).standard_normal((n, 2)))
            w0, c0 = time.perf_counter(), time.process_time()
            for s in range(steps):
                t, h = s / (steps + 1.0), 1.0 / (steps + 1.0)
                x = x + h * field(t, x)
            walls.append((time.perf_counter() - w0) / steps)
            cpus.append((time.process_time() - c0) / steps)
        w, c = float(np.median(walls)), float(np.median(cpus))
        print(f"{impl} {n} {N} 2 {threads} {w:.6f} {flop / w * 1e-9:.3f} {c:.6f}")


if __name__ == "__main__":
    main()
