#!/usr/bin/python3
"""The same full-batch gradient-descent step as bench_mean_field_step_bench in NumPy (float64): outputs
G = relu(Z U^T) v / n, residual R = G - y, velocity -(2/N) ((R v^T * relu'(Z U^T))^T Z, relu(Z U^T)^T R),
Euler update. Same data law (teacher, 4 neurons, z ~ N(0, I)); prints median wall and CPU seconds and
the risk.  Usage: mean_field_step_numpy.py n N d reps"""
import sys
import time

import numpy as np

n, N, d, reps = (int(a) for a in sys.argv[1:5])
rng = np.random.default_rng(3)
Z = rng.standard_normal((N, d))
W = rng.standard_normal((4, d))
W /= np.linalg.norm(W, axis=1, keepdims=True)
y = np.maximum(Z @ W.T, 0.0).sum(axis=1, keepdims=True)
U = rng.standard_normal((n, d)) / np.sqrt(d)
V = rng.standard_normal((n, 1)) / np.sqrt(d)
dt = 1e-3


def step(U, V):
    P = Z @ U.T                      # N x n pre-activations
    A = np.maximum(P, 0.0)
    R = A @ V / n - y                # N x 1 residual
    S = (R @ V.T) * (P > 0.0)        # N x n: <r_k, v_i> relu'(.)
    gu = -(2.0 / N) * (S.T @ Z)      # n x d
    gv = -(2.0 / N) * (A.T @ R)      # n x 1
    return U + dt * gu, V + dt * gv, float((R * R).mean())


U, V, _ = step(U, V)  # warm-up
wall, cpu = [], []
for _ in range(reps):
    t0, c0 = time.perf_counter(), time.process_time()
    U, V, risk = step(U, V)
    wall.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(f"{np.median(wall):.6f} {np.median(cpu):.6f} {risk:.10g}")
