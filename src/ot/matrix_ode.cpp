#include "measureflow/ot/matrix_ode.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "measureflow/errors.hpp"

namespace mf::ot {

namespace {

Matrix rk4_step(const MatrixField& F, double t, const Matrix& S, double h) {
  const Matrix k1 = F(t, S);
  const Matrix k2 = F(t + 0.5 * h, S + (0.5 * h) * k1);
  const Matrix k3 = F(t + 0.5 * h, S + (0.5 * h) * k2);
  const Matrix k4 = F(t + h, S + h * k3);
  return S + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
}

bool all_finite(const Matrix& m) {
  for (int i = 0; i < m.rows() * m.cols(); ++i)
    if (!std::isfinite(m.data()[i])) return false;
  return true;
}

// Advances S from t to `target` adaptively; h is the step-size guess, updated for the next call.
void advance(const MatrixField& F, Matrix& S, double& t, double target, double rel_tol, double& h) {
  const double dir = target >= t ? 1.0 : -1.0;
  const double h_min = 1e-14 * std::max(1.0, std::abs(target));
  while (dir * (target - t) > h_min) {
    double step = std::min(std::abs(h), dir * (target - t));
    const Matrix full = rk4_step(F, t, S, dir * step);
    const Matrix half = rk4_step(F, t + 0.5 * dir * step, rk4_step(F, t, S, 0.5 * dir * step), 0.5 * dir * step);
    const double err = frobenius_norm(full - half) / 15.0;
    const double scale = rel_tol * (1.0 + frobenius_norm(half));
    if (!std::isfinite(err)) throw SolverError("integrate_matrix_ode: non-finite state at t = " + std::to_string(t));
    if (err <= scale) {
      S = half + (1.0 / 15.0) * (half - full);
      t += dir * step;
      if (!all_finite(S)) throw SolverError("integrate_matrix_ode: non-finite state at t = " + std::to_string(t));
    }
    // Local error of RK4 scales as h⁵; 0.9 keeps the next try on the safe side.
    const double factor = err > 0.0 ? 0.9 * std::pow(scale / err, 0.2) : 4.0;
    h = step * std::clamp(factor, 0.2, 4.0);
    if (h < h_min) throw SolverError("integrate_matrix_ode: step size underflow at t = " + std::to_string(t));
  }
  t = target;
}

}  // namespace

Matrix integrate_matrix_ode(const MatrixField& F, const Matrix& S0, double t0, double t1, double rel_tol,
                            const std::vector<double>& times, std::vector<Matrix>& trajectory) {
  Matrix S = S0;
  double t = t0;
  double h = std::max(std::abs(t1 - t0) / 16.0, 1e-12);
  trajectory.clear();
  for (double ts : times) {
    advance(F, S, t, ts, rel_tol, h);
    trajectory.push_back(S);
  }
  advance(F, S, t, t1, rel_tol, h);
  return S;
}

Matrix integrate_matrix_ode(const MatrixField& F, const Matrix& S0, double t0, double t1, double rel_tol) {
  std::vector<Matrix> unused;
  return integrate_matrix_ode(F, S0, t0, t1, rel_tol, {}, unused);
}

}  // namespace mf::ot
