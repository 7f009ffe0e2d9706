// Adaptive RK4 integrator for small matrix ODEs Σ' = F(t, Σ) (covariance paths of the Gaussian models).
#pragma once
#include <functional>
#include <vector>

#include "measureflow/small_matrix.hpp"

namespace mf::ot {

using MatrixField = std::function<Matrix(double, const Matrix&)>;

// Σ(t1) from Σ(t0) = S0. Classical RK4 with step doubling: a step is accepted when the difference of
// one full step and two half steps is ≤ rel_tol·(1 + |Σ|_F); the accepted value is the Richardson
// extrapolation (5th order). Integrates backwards if t1 < t0. Throws mf::SolverError when the step
// size underflows or the state stops being finite.
Matrix integrate_matrix_ode(const MatrixField& F, const Matrix& S0, double t0, double t1, double rel_tol = 1e-10);

// Same, also returning Σ at each of `times` (sorted in the direction of integration, inside [t0, t1]):
// steps are cut to land on them exactly.
Matrix integrate_matrix_ode(const MatrixField& F, const Matrix& S0, double t0, double t1, double rel_tol,
                            const std::vector<double>& times, std::vector<Matrix>& trajectory);

}  // namespace mf::ot
