// One JKO step (survey eq. 13) for the heat equation in 1D, in quantile coordinates: with X the
// quantile function, W2²(ρ, ρ_k) = ∫(X − X_k)² ds and ∫ρ log ρ = −∫ log X'(s) ds, so
//   X_{k+1} = argmin_X  (1/2τ) ∫ (X − X_k)² ds − ∫ log X'(s) ds,
// a strictly convex problem over increasing X, solved by damped Newton on a tridiagonal Hessian.
#pragma once
#include <vector>

namespace mf::gradient_flow {

struct JkoResult {
  std::vector<double> quantiles;  // X_{k+1} at the same mass levels as the input
  int newton_iterations = 0;
};

// X_k: strictly increasing quantile nodes at equally spaced mass levels s_i = (i + ½)/N. Throws
// SolverError if Newton does not converge.
JkoResult jko_heat_step_1d(const std::vector<double>& Xk, double tau);

// Quantiles s·Φ⁻¹((i + ½)/N) of N(0, s²).
std::vector<double> gaussian_quantiles(int n, double s);

}  // namespace mf::gradient_flow
