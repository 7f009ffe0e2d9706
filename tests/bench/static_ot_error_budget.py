#!/usr/bin/python3
"""The grid view's S_eps error for the pair of inputs/static_ot/gaussian_2d_256.yaml, predicted without a solver.
Not a ctest (docs/static_ot.md, "The grid view's error budget").

The grid view solves between cell-mass atoms at the cell centres (4-point Gauss-Legendre cell averages of the
densities in the box), each cloud normalised to mass 1 by the solver. This script builds those two discrete
measures, takes their means and covariances, and evaluates the Gaussians' Sinkhorn divergence (Janati et al.
2020, as src/ot/gaussian.cpp) on them. Split: the cells' h^2/12 per axis (the uncut Gaussians with covariance
Sigma + h^2/12 I) and the rest, the box cutting the tails (the cut mass renormalised).

usage: static_ot_error_budget.py N,L[,EPS] ...   (N cells per axis on [-L, L]^2; EPS default h^2)
example: static_ot_error_budget.py 256,1 512,1 384,1.5 128,1,6.103515625e-05
"""
import sys

import numpy as np
from scipy.linalg import sqrtm

MEAN_A, COV_A = np.array([-0.2, -0.1]), np.array([[0.03, 0.01], [0.01, 0.02]])
MEAN_B, COV_B = np.array([0.15, 0.1]), np.array([[0.015, -0.004], [-0.004, 0.035]])


def entropic_ot(a, A, b, B, eps):
    s2 = 0.5 * eps
    root_a = np.real(sqrtm(A))
    D = np.real(sqrtm(4.0 * root_a @ B @ root_a + s2 * s2 * np.eye(2)))
    return (float((a - b) @ (a - b)) + np.trace(A) + np.trace(B) - np.trace(D) + 2 * s2 * (1.0 - np.log(2.0 * s2))
            + s2 * np.log(np.linalg.det(D + s2 * np.eye(2))))


def divergence(a, A, b, B, eps):
    return entropic_ot(a, A, b, B, eps) - 0.5 * (entropic_ot(a, A, a, A, eps) + entropic_ot(b, B, b, B, eps))


def bures_w2sq(a, A, b, B):
    root_a = np.real(sqrtm(A))
    return float((a - b) @ (a - b)) + np.trace(A) + np.trace(B) - 2.0 * np.trace(np.real(sqrtm(root_a @ B @ root_a)))


def grid_moments(mean, cov, cells, half_width):
    """Mass held by the box, and mean and covariance of the normalised cell-mass atoms."""
    h = 2.0 * half_width / cells
    centres = -half_width + h * (np.arange(cells) + 0.5)
    nodes, weights = np.polynomial.legendre.leggauss(4)
    inverse = np.linalg.inv(cov)
    norm = 1.0 / (2.0 * np.pi * np.sqrt(np.linalg.det(cov)))
    mass = np.zeros((cells, cells))
    for gx, wx in zip(nodes, weights):
        for gy, wy in zip(nodes, weights):
            x = centres[:, None] + 0.5 * h * gx - mean[0]
            y = centres[None, :] + 0.5 * h * gy - mean[1]
            q = inverse[0, 0] * x * x + 2.0 * inverse[0, 1] * x * y + inverse[1, 1] * y * y
            mass += 0.25 * wx * wy * norm * np.exp(-0.5 * q) * h * h
    held = mass.sum()
    w = mass / held
    X, Y = np.meshgrid(centres, centres, indexing="ij")
    m = np.array([(w * X).sum(), (w * Y).sum()])
    dx, dy = X - m[0], Y - m[1]
    c = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()], [(w * dx * dy).sum(), (w * dy * dy).sum()]])
    return held, m, c


def main():
    exact = bures_w2sq(MEAN_A, COV_A, MEAN_B, COV_B)
    print(f"closed_form.w2sq {exact:.17g}; relative to it:")
    for arg in sys.argv[1:] or ["256,1", "512,1"]:
        parts = arg.split(",")
        cells, half_width = int(parts[0]), float(parts[1])
        h = 2.0 * half_width / cells
        eps = float(parts[2]) if len(parts) > 2 else h * h
        held_a, ma, ca = grid_moments(MEAN_A, COV_A, cells, half_width)
        held_b, mb, cb = grid_moments(MEAN_B, COV_B, cells, half_width)
        total = divergence(ma, ca, mb, cb, eps) - exact
        sheppard = h * h / 12.0 * np.eye(2)
        cells_only = divergence(MEAN_A, COV_A + sheppard, MEAN_B, COV_B + sheppard, eps) - exact
        continuous = divergence(MEAN_A, COV_A, MEAN_B, COV_B, eps) - exact
        print(f"{cells}^2 on [-{half_width:g}, {half_width:g}]^2, eps {eps:.4g}: box holds 1 - {1 - held_a:.2e} of alpha, "
              f"1 - {1 - held_b:.2e} of beta; S_eps - W2^2 predicted {total / exact:.4e} = cells (h^2/12) "
              f"{cells_only / exact:.4e} + box {(total - cells_only) / exact:.4e}; the Gaussians' own S_eps bias "
              f"{continuous / exact:.3e}")


if __name__ == "__main__":
    main()
