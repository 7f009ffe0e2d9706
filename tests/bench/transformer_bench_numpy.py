#!/usr/bin/python3
"""One softmax self-attention step in NumPy (and PyTorch CPU if importable), the same work as the
MeasureFlow benchmark: Γ_i = Σ_j e^{⟨Qx_i, Kx_j⟩} V x_j / Z_i with Q = K = d^{-1/4} I, V = I, in row
blocks so the n×n score matrix never exceeds ~256 MB. Prints table rows like transformer_bench.sh."""
import sys
import time

import numpy as np


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


def timed(f, reps):
    f()
    t0 = time.perf_counter()
    for _ in range(reps):
        f()
    return (time.perf_counter() - t0) / reps


def main():
    n, d, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    x = np.random.default_rng(1).standard_normal((n, d))
    block = max(1, min(n, 32_000_000 // n))
    flops = n * n * (4.0 * d + 4.0)
    s = timed(lambda: step_numpy(x, block), reps)
    print(f"{'numpy':<10} {n:7d} {d:3d} {1:6d} {1.0 / s:14.4f} {flops / s * 1e-9:10.3f}")
    try:
        import torch
    except ImportError:
        return
    xt = torch.from_numpy(x)

    def step_torch():
        q = xt * d ** -0.25
        with torch.no_grad():
            for s0 in range(0, n, block):
                torch.softmax(q[s0:s0 + block] @ q.T, dim=1) @ xt
    s = timed(step_torch, reps)
    print(f"{'torch-cpu':<10} {n:7d} {d:3d} {torch.get_num_threads():6d} {1.0 / s:14.4f} {flops / s * 1e-9:10.3f}")


if __name__ == "__main__":
    main()
