#!/usr/bin/python3
"""The full-batch gradient-descent step of mean_field_step_numpy.py in PyTorch (float64, one thread, the
same data law and the same formulas as tensors): the second peer of tests/bench/mean_field_step_bench.sh.
Prints median wall and CPU seconds and the risk.  Usage: mean_field_step_torch.py n N d reps"""
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
n, N, d, reps = (int(a) for a in sys.argv[1:5])
rng = np.random.default_rng(3)
Z = torch.from_numpy(rng.standard_normal((N, d)))
W = rng.standard_normal((4, d))
W /= np.linalg.norm(W, axis=1, keepdims=True)
y = torch.clamp(Z @ torch.from_numpy(W).T, min=0.0).sum(dim=1, keepdim=True)
U = torch.from_numpy(rng.standard_normal((n, d)) / np.sqrt(d))
V = torch.from_numpy(rng.standard_normal((n, 1)) / np.sqrt(d))
dt = 1e-3


def step(U, V):
    P = Z @ U.T                      # N x n pre-activations
    A = torch.clamp(P, min=0.0)
    R = A @ V / n - y                # N x 1 residual
    S = (R @ V.T) * (P > 0.0)        # N x n: <r_k, v_i> relu'(.)
    gu = -(2.0 / N) * (S.T @ Z)      # n x d
    gv = -(2.0 / N) * (A.T @ R)      # n x 1
    return U + dt * gu, V + dt * gv, float((R * R).mean())


with torch.no_grad():
    U, V, _ = step(U, V)  # warm-up
    wall, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        U, V, risk = step(U, V)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
print(f"{np.median(wall):.6f} {np.median(cpu):.6f} {risk:.10g}")
