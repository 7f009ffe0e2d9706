#include "jko_heat_1d.hpp"

#include <cmath>
#include <string>

#include "measureflow/errors.hpp"

namespace mf::gradient_flow {

namespace {

// Discrete objective: Σ_i (X_i − Xk_i)²/(2τN) − Σ_gaps log(N (X_{i+1} − X_i))/N; +∞ if X is not increasing.
double objective(const std::vector<double>& X, const std::vector<double>& Xk, double tau) {
  const int n = static_cast<int>(X.size());
  double f = 0.0;
  for (int i = 0; i < n; ++i) f += (X[i] - Xk[i]) * (X[i] - Xk[i]) / (2.0 * tau * n);
  for (int i = 0; i + 1 < n; ++i) {
    const double gap = X[i + 1] - X[i];
    if (!(gap > 0.0)) return INFINITY;
    f -= std::log(n * gap) / n;
  }
  return f;
}

}  // namespace

std::vector<double> gaussian_quantiles(int n, double s) {
  std::vector<double> q(n);
  for (int i = 0; i < n; ++i) {
    const double p = (i + 0.5) / n;
    double lo = -40.0, hi = 40.0;  // Φ(x) = ½ erfc(−x/√2) is monotone: bisection to round-off
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    q[i] = s * 0.5 * (lo + hi);
  }
  return q;
}

JkoResult jko_heat_step_1d(const std::vector<double>& Xk, double tau) {
  const int n = static_cast<int>(Xk.size());
  JkoResult r;
  std::vector<double> X = Xk, g(n), a(n), b(n), c(n), dx(n);
  double f = objective(X, Xk, tau);
  for (int it = 0; it < 100; ++it) {
    // Gradient and tridiagonal Hessian (a: sub, b: diagonal, c: super).
    double gnorm = 0.0;
    for (int i = 0; i < n; ++i) {
      g[i] = (X[i] - Xk[i]) / (tau * n);
      b[i] = 1.0 / (tau * n);
      a[i] = c[i] = 0.0;
      if (i > 0) {
        const double d = X[i] - X[i - 1];
        g[i] -= 1.0 / (n * d);
        b[i] += 1.0 / (n * d * d);
        a[i] = -1.0 / (n * d * d);
      }
      if (i + 1 < n) {
        const double d = X[i + 1] - X[i];
        g[i] += 1.0 / (n * d);
        b[i] += 1.0 / (n * d * d);
        c[i] = -1.0 / (n * d * d);
      }
      gnorm = std::max(gnorm, std::abs(g[i]) * tau * n);
    }
    // gnorm is in length units (the optimality condition times τN); round-off sits near 1e-11.
    if (gnorm < 1e-9) {
      r.quantiles = X;
      r.newton_iterations = it;
      return r;
    }
    // Thomas algorithm for H dx = −g (H is symmetric positive definite and diagonally dominant).
    std::vector<double> cp(n), dp(n);
    cp[0] = c[0] / b[0];
    dp[0] = -g[0] / b[0];
    for (int i = 1; i < n; ++i) {
      const double m = b[i] - a[i] * cp[i - 1];
      cp[i] = c[i] / m;
      dp[i] = (-g[i] - a[i] * dp[i - 1]) / m;
    }
    dx[n - 1] = dp[n - 1];
    for (int i = n - 2; i >= 0; --i) dx[i] = dp[i] - cp[i] * dx[i + 1];
    // Converged when the Newton correction is at round-off (the gradient's floor grows with N).
    double dmax = 0.0, xmax = 0.0;
    for (int i = 0; i < n; ++i) {
      dmax = std::max(dmax, std::abs(dx[i]));
      xmax = std::max(xmax, std::abs(X[i]));
    }
    if (dmax < 1e-12 * (1.0 + xmax)) {
      r.quantiles = X;
      r.newton_iterations = it;
      return r;
    }
    // Backtracking keeps X increasing and decreases the objective; near the minimum the decrease is
    // below the objective's round-off, so full steps are taken there (Newton's quadratic region).
    const bool local = gnorm < 1e-6;
    double step = 1.0, fnew = INFINITY;
    std::vector<double> Xn(n);
    for (int ls = 0; ls < 60; ++ls, step *= 0.5) {
      for (int i = 0; i < n; ++i) Xn[i] = X[i] + step * dx[i];
      fnew = objective(Xn, Xk, tau);
      if (fnew <= f || (local && std::isfinite(fnew))) break;
    }
    if (!std::isfinite(fnew)) throw SolverError("jko_heat_step_1d: line search failed");
    X.swap(Xn);
    f = fnew;
  }
  throw SolverError("jko_heat_step_1d: Newton did not converge in 100 iterations (tau=" + std::to_string(tau) + ")");
}

}  // namespace mf::gradient_flow
