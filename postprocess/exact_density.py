"""Exact Gaussian solutions, computed here from the resolved deck, for the models whose exact answer stays
Gaussian. Each is written from the equations on the model's docs page, independently of the C++ closed forms,
so a plot that agrees with the program's metrics checks both.

- continuity, Gaussian initial measure, linear field v = A x + b: the flow of x' = A x + b maps
  N(m0, S0) to N(Phi m0 + c, Phi S0 Phi^T) with [Phi c] = expm(t [[A, b], [0, 0]]) (docs/continuity.md).
- gradient_flow, entropy (rho log rho: d rho/dt = Laplacian rho), no interaction, potential none or
  k|x|^2/2 (Ornstein-Uhlenbeck dX = -k X dt + sqrt(2) dW): mean m0 e^{-kt},
  covariance S0 e^{-2kt} + (1 - e^{-2kt})/k I (k = 0: S0 + 2t I, the heat kernel).
- transformer, softmax attention with one (Q, K, V), Gaussian initial measure: attention of N(m, S) at x is
  the mean of the tilted Gaussian, m + S K^T Q x, so v(x) = V(m + S K^T Q x) is affine and the measure stays
  Gaussian: m' = V m + A m, S' = A S + S A^T with A = V S K^T Q (the closure ODE of docs/transformer.md).
  Integrated here by scipy's adaptive DOP853 at rtol 1e-12.
Everything else returns None (no exact density drawn).
"""
import numpy as np


def _gaussian_initial(deck):
    init = deck.get("initial") or {}
    if init.get("type") != "gaussian":
        return None
    return np.array(init["mean"], dtype=float), np.array(init["cov"], dtype=float)


def _continuity(deck, t):
    from scipy.linalg import expm
    vel = deck.get("velocity") or {}
    if vel.get("type") != "linear":
        return None
    m0, c0 = _gaussian_initial(deck)
    a = np.array(vel["A"], dtype=float)
    b = np.array(vel.get("b", np.zeros(len(m0))), dtype=float)
    d = len(m0)
    aug = np.zeros((d + 1, d + 1))
    aug[:d, :d] = a
    aug[:d, d] = b
    flow = expm(aug * t)
    phi = flow[:d, :d]
    return phi @ m0 + flow[:d, d], phi @ c0 @ phi.T


def _gradient_flow(deck, t):
    energy = deck.get("energy") or {}
    internal = (energy.get("internal") or {}).get("type", "none")
    potential = energy.get("potential") or {}
    interaction = (energy.get("interaction") or {}).get("type", "none")
    if internal != "entropy" or interaction != "none" or potential.get("type", "none") not in ("none", "quadratic"):
        return None
    k = float(potential.get("strength", 1.0)) if potential.get("type") == "quadratic" else 0.0
    m0, c0 = _gaussian_initial(deck)
    eye = np.eye(len(m0))
    if k == 0.0:
        return m0.copy(), c0 + 2.0 * t * eye
    decay = np.exp(-k * t)
    return m0 * decay, c0 * decay ** 2 + (1.0 - decay ** 2) / k * eye


def _transformer(deck, t):
    from scipy.integrate import solve_ivp
    att = deck.get("attention")
    if deck.get("variant", "softmax") != "softmax" or not isinstance(att, dict) or deck.get("layers"):
        return None
    if not all(k in att for k in ("Q", "K", "V")):
        return None
    q, k, v = (np.array(att[n], dtype=float) for n in ("Q", "K", "V"))
    m0, c0 = _gaussian_initial(deck)
    d = len(m0)

    def rhs(_, y):
        m, s = y[:d], y[d:].reshape(d, d)
        a = v @ s @ k.T @ q
        return np.concatenate([v @ m + a @ m, (a @ s + s @ a.T).ravel()])

    if t == 0.0:
        return m0, c0
    sol = solve_ivp(rhs, (0.0, t), np.concatenate([m0, c0.ravel()]), method="DOP853", rtol=1e-12, atol=1e-14)
    if not sol.success:
        return None
    y = sol.y[:, -1]
    s = y[d:].reshape(d, d)
    return y[:d], 0.5 * (s + s.T)


_MODELS = {"continuity": _continuity, "gradient_flow": _gradient_flow, "transformer": _transformer}


def gaussian_state(deck, t):
    """(mean, cov) of the exact solution at time t, or None where this module knows no closed form."""
    try:
        if _gaussian_initial(deck) is None:
            return None
        f = _MODELS.get(deck.get("model"))
        return f(deck, float(t)) if f else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def gaussian_density(points, mean, cov):
    """Density of N(mean, cov) at points (N x d)."""
    d = len(mean)
    diff = points - mean
    inv = np.linalg.inv(cov)
    q = np.einsum("ni,ij,nj->n", diff, inv, diff)
    return np.exp(-0.5 * q) / np.sqrt((2 * np.pi) ** d * np.linalg.det(cov))


def describe(deck):
    """One line naming the closed form used, for plot titles and the summary."""
    model = deck.get("model")
    return {"continuity": "Gaussian carried by the linear field",
            "gradient_flow": "Ornstein-Uhlenbeck / heat Gaussian",
            "transformer": "Gaussian closure ODE (softmax attention)"}.get(model, "closed form")
