#!/usr/bin/python3
"""Trajectory inference from particle snapshots (model: reconstruction, path.type: snapshots, method: ot).

  reconstruction_snapshots_test.py BINARY SOURCE_DIR RANKS

The shipped deck inputs/reconstruction/snapshots_ou_2d.yaml: five snapshots (t = 0, 0.25, ..., 1) of 1000
stochastic particles of an Ornstein–Uhlenbeck gradient-flow run (mean m0 e^{-t}, covariance
I + (Σ0 − I) e^{-2t}, m0 = (0.5, −0.2), Σ0 = diag(0.1, 0.05)). The first cloud is re-advected by the
recovered field. Independent yardsticks (exact OT by POT's network simplex, not the code's Sinkhorn):
  - at every observed time, W2(re-advected, observed) <= 1.1 × W2(exact flow, observed), where the exact
    flow moves the same first-cloud particles by the exact OU map x ↦ m_t + (Σ_t/Σ0)^{1/2}(x − m0): the
    observed cloud is a different (noisy) sample, so this is the floor a perfect velocity would reach;
  - the recovered kinetic energy within 10 % of the exact piecewise-geodesic energy
    Σ_k W2²(N_k, N_k+1)/Δt_k = 1.61211 of the Gaussian path at the observed times (what OT between
    consecutive snapshots recovers with infinitely many particles; 1000 particles add their sampling
    noise to the displacements: measured +6.8 %).
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import ot

binary, source, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
M0, S0 = np.array([0.5, -0.2]), np.array([0.1, 0.05])
TIMES = [0.0, 0.25, 0.5, 0.75, 1.0]


def gaussian(t):
    return M0 * np.exp(-t), 1.0 + (S0 - 1.0) * np.exp(-2.0 * t)


def w2(a, b):
    cost = ot.dist(a, b)
    return float(np.sqrt(ot.emd2(np.full(len(a), 1.0 / len(a)), np.full(len(b), 1.0 / len(b)), cost, numItermax=10**7)))


def snapshots(path):
    with h5py.File(path, "r") as f:
        return {round(float(g.attrs["time"]), 9): g["positions"][:] for g in f["snapshots"].values()}


geodesic = 0.0
for a, b in zip(TIMES[:-1], TIMES[1:]):
    (ma, sa), (mb, sb) = gaussian(a), gaussian(b)
    geodesic += (np.sum((ma - mb) ** 2) + np.sum((np.sqrt(sa) - np.sqrt(sb)) ** 2)) / (b - a)

deck = os.path.join(source, "inputs", "reconstruction", "snapshots_ou_2d.yaml")
with tempfile.TemporaryDirectory(prefix=f"mf_recon_snap_{os.getpid()}_") as tmp:
    cmd = ["mpirun", "--oversubscribe", "-n", str(ranks), binary, "run", deck, "--set", f"output.dir={tmp}",
           "--set", "diagnostics.w2=none", "--quiet"]
    print(" ".join(cmd), flush=True)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        print(f"FAIL: exit status {p.returncode}")
        sys.exit(1)
    with open(os.path.join(tmp, "summary.json")) as f:
        metrics = json.load(f)["metrics"]
    moved = snapshots(os.path.join(tmp, "particles.h5"))
    observed = snapshots(os.path.join(source, "inputs", "reconstruction", "data", "ou_snapshots.h5"))

failures = 0
x0 = observed[0.0]
for t in TIMES[1:]:
    m, s = gaussian(t)
    exact_flow = m + np.sqrt(s / S0) * (x0 - M0)
    floor = w2(exact_flow, observed[t])
    got = w2(moved[t], observed[t])
    ok = got <= 1.1 * floor
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} t = {t}: W2(re-advected, observed) {got:.4f}, W2(exact flow, observed) {floor:.4f}, "
          f"W2(re-advected, exact flow) {w2(moved[t], exact_flow):.4f}")
energy = metrics["eulerian.kinetic_energy"]
ok = abs(energy - geodesic) / geodesic < 0.10
failures += not ok
print(f"{'ok  ' if ok else 'FAIL'} kinetic energy {energy:.6g} vs piecewise-geodesic {geodesic:.6g} "
      f"({(energy - geodesic) / geodesic:+.2%}); lagrangian.readvect_w2 {metrics['lagrangian.readvect_w2']:.4g}")
sys.exit(1 if failures else 0)
