#!/usr/bin/python3
"""The same training as flow_matching_training_bench.cpp in NumPy and PyTorch (CPU), for the table of
flow_matching_training_bench.sh: N(0, I) → eight Gaussians (radius 3, sd 0.3) in 2D, pairs drawn fresh
each epoch, t ~ U(0, 1), x_t = (1 − t)X0 + tX1, target X1 − X0.

  flow_matching_training_peers.py impl basis size pairs epochs batch repeats threads

impl: numpy | torch. basis: affine (Legendre-in-t × (1, x), `size` terms) | random_features (2 Legendre
terms × (1, x) plus `size` cosines, bandwidth 0.5 in standardised units) | mlp (2 hidden SiLU layers of
width `size`, Adam with cosine decay, hand-written backward in NumPy, autograd in PyTorch).
Least squares: Gram and right-hand side accumulated over batches of 4096 rows, Cholesky solve.
The flop count is the model count of the C++ code (TrainingReport::flops), so GFLOP/s compare.
Prints: impl basis size pairs epochs threads seconds GFLOP/s cpu_seconds loss
(or "... not installed" when PyTorch cannot be imported)."""
import math
import sys
import time

import numpy as np

D = 2


def sample_pairs(rng, n):
    x0 = rng.standard_normal((n, D))
    k = rng.integers(0, 8, n)
    ang = 2 * np.pi * k / 8
    x1 = np.stack([3 * np.cos(ang), 3 * np.sin(ang)], axis=1) + 0.3 * rng.standard_normal((n, D))
    t = rng.random(n)
    xt = (1 - t)[:, None] * x0 + t[:, None] * x1
    return t, xt, x1 - x0


def legendre(tau, terms):
    out, p_prev, p = [], np.zeros_like(tau), np.ones_like(tau)
    for k in range(terms):
        out.append(p * math.sqrt(2 * k + 1))
        p_prev, p = p, ((2 * k + 1) * tau * p - k * p_prev) / (k + 1)
    return out


class Features:
    def __init__(self, basis, size, rng):
        self.terms = size if basis == "affine" else 2
        self.n_cos = 0 if basis == "affine" else size
        self.freq = rng.standard_normal((self.n_cos, D + 1)) / 0.5
        self.phase = 2 * np.pi * rng.random(self.n_cos)
        self.m = self.terms * (D + 1) + self.n_cos

    def __call__(self, t, x, center, inv_scale):
        xs = (x - center) * inv_scale
        tau = 2 * t - 1
        cols = []
        for p in legendre(tau, self.terms):
            cols.append(p[:, None])
            cols.append(p[:, None] * xs)
        if self.n_cos:
            z = np.concatenate([tau[:, None], xs], axis=1)
            cols.append(math.sqrt(2.0 / self.n_cos) * np.cos(z @ self.freq.T + self.phase))
        return np.concatenate(cols, axis=1)


def train_linear(basis, size, pairs, epochs, rng):
    f = Features(basis, size, rng)
    t, xt, y = sample_pairs(rng, min(pairs, 4096))
    center, inv_scale = xt.mean(axis=0), 1 / xt.std(axis=0)
    g, r, yy, rows = np.zeros((f.m, f.m)), np.zeros((f.m, D)), 0.0, 0
    for _ in range(epochs):
        for s in range(0, pairs, 4096):
            t, xt, y = sample_pairs(rng, min(4096, pairs - s))
            phi = f(t, xt, center, inv_scale)
            g += phi.T @ phi
            r += phi.T @ y
            yy += float((y * y).sum())
            rows += len(t)
    w = np.linalg.solve(g + 1e-12 * np.trace(g) / f.m * np.eye(f.m), r)
    loss = (yy - 2 * (w * r).sum() + (w * (g @ w)).sum()) / rows
    flops = rows * (f.m * (f.m + 1) + 2.0 * f.m * D + 2.0 * f.n_cos * (D + 1)) + f.m ** 3 / 3
    return loss, flops


def silu(u):
    return u / (1 + np.exp(-u))


def train_mlp_numpy(h, pairs, epochs, batch, lr, rng):
    shapes = [(h, D + 1), (h,), (h, h), (h,), (D, h), (D,)]
    params = [rng.standard_normal(s) / math.sqrt(s[1]) if len(s) == 2 else np.zeros(s) for s in shapes]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    steps = epochs * ((pairs + batch - 1) // batch)
    step, loss_epoch = 0, 0.0
    for _ in range(epochs):
        loss_epoch = 0.0
        for s in range(0, pairs, batch):
            n = min(batch, pairs - s)
            t, xt, y = sample_pairs(rng, n)
            z0 = np.concatenate([(2 * t - 1)[:, None], xt / 2.0], axis=1)
            w1, b1, w2, b2, w3, b3 = params
            u1 = z0 @ w1.T + b1
            s1 = 1 / (1 + np.exp(-u1))
            a1 = u1 * s1
            u2 = a1 @ w2.T + b2
            s2 = 1 / (1 + np.exp(-u2))
            a2 = u2 * s2
            out = (a2 @ w3.T + b3) * 2.0
            err = out - y
            loss_epoch += float((err * err).sum())
            d3 = 2 * err * 2.0 / n
            d2 = (d3 @ w3) * s2 * (1 + u2 * (1 - s2))
            d1 = (d2 @ w2) * s1 * (1 + u1 * (1 - s1))
            grads = [d1.T @ z0, d1.sum(0), d2.T @ a1, d2.sum(0), d3.T @ a2, d3.sum(0)]
            step += 1
            rate = lr * 0.5 * (1 + math.cos(math.pi * (step - 1) / steps))
            c1, c2 = 1 - 0.9 ** step, 1 - 0.999 ** step
            for p, g, a, b in zip(params, grads, m1, m2):
                a *= 0.9
                a += 0.1 * g
                b *= 0.999
                b += 0.001 * g * g
                p -= rate * (a / c1) / (np.sqrt(b / c2) + 1e-8)
    return loss_epoch / pairs


def train_mlp_torch(torch, h, pairs, epochs, batch, lr, rng):
    net = torch.nn.Sequential(torch.nn.Linear(D + 1, h), torch.nn.SiLU(), torch.nn.Linear(h, h), torch.nn.SiLU(),
                              torch.nn.Linear(h, D)).double()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps = epochs * ((pairs + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 * (1 + math.cos(math.pi * k / steps)))
    loss_epoch = 0.0
    for _ in range(epochs):
        loss_epoch = 0.0
        for s in range(0, pairs, batch):
            n = min(batch, pairs - s)
            t, xt, y = sample_pairs(rng, n)
            z0 = torch.from_numpy(np.concatenate([(2 * t - 1)[:, None], xt / 2.0], axis=1))
            err = net(z0) * 2.0 - torch.from_numpy(y)
            loss = (err * err).sum()
            opt.zero_grad()
            (loss / n).backward()
            opt.step()
            sched.step()
            loss_epoch += float(loss)
    return loss_epoch / pairs


def main():
    impl, basis = sys.argv[1], sys.argv[2]
    size, pairs, epochs, batch, repeats, threads = (int(v) for v in sys.argv[3:9])
    torch = None
    if impl == "torch":
        try:
            import torch
            torch.set_num_threads(threads)
        except ImportError:
            print(f"torch-cpu {basis} {size} {pairs} {epochs} {threads} not installed (Debian python3-torch)")
            return
    walls, cpus, loss, flops = [], [], 0.0, 0.0
    for r in range(repeats):
        rng = np.random.default_rng(1 + r)
        w0, c0 = time.perf_counter(), time.process_time()
        if basis == "mlp":
            h = size
            flops = 6.0 * (h * (D + 1) + h * h + D * h) * pairs * epochs
            if impl == "torch":
                loss = train_mlp_torch(torch, h, pairs, epochs, batch, 3e-3, rng)
            else:
                loss = train_mlp_numpy(h, pairs, epochs, batch, 3e-3, rng)
        else:
            if impl == "torch":
                print(f"torch-cpu {basis} {size} {pairs} {epochs} {threads} skipped: least squares is NumPy's peer")
                return
            loss, flops = train_linear(basis, size, pairs, epochs, rng)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    wall, cpu = sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]
    label = "torch-cpu" if impl == "torch" else "numpy"
    print(f"{label} {basis} {size} {pairs} {epochs} {threads} {wall:.4f} {flops / wall * 1e-9:.3f} {cpu:.4f} {loss:.5f}",
          flush=True)


if __name__ == "__main__":
    main()
