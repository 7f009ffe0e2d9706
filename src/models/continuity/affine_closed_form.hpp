// Exact solution of the continuity equation under an affine field v = A(t) x + b, A(t) = A + t A_rate:
// the flow map is x_t = E_t x_0 + c_t, so every initial measure is pushed forward exactly:
// ρ_t(x) = ρ_0(E_t⁻¹(x − c_t)) / |det E_t|, mean E m + c, covariance E Σ Eᵀ. For constant A,
// [E c; 0 1] = exp(t [[A, b], [0, 0]]); for A_rate ≠ 0 the same augmented matrix M solves
// M' = G(t) M, M(0) = I, integrated by the adaptive RK4 matrix-ODE integrator (rel. tol 1e-12).
#pragma once
#include <memory>

#include "measureflow/measures.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::continuity {

struct AffineMap {
  Matrix E;
  Vector c;
};
// From the exponential of the augmented generator [[A, b], [0, 0]].
AffineMap affine_flow(const Matrix& A, const Vector& b, double t, const Matrix& A_rate = Matrix());

class AffineClosedForm {
 public:
  AffineClosedForm(std::shared_ptr<const Measure> initial, Matrix A, Vector b, Matrix A_rate = Matrix());
  AffineMap map(double t) const { return affine_flow(A_, b_, t, A_rate_); }
  std::optional<Moments> moments(double t) const;
  bool has_density() const { return initial_->atoms() == nullptr; }
  bool initial_is_gaussian() const { return initial_->is_gaussian(); }
  Moments push_forward(double t, const Moments& m0) const;
  // Density of α_t at x, for a fixed map (evaluate map(t) once per output, not per point).
  double density(const AffineMap& map, const Matrix& inverse_E, double det_E, const double* x) const;

 private:
  std::shared_ptr<const Measure> initial_;
  Matrix A_;
  Vector b_;
  Matrix A_rate_;
};

}  // namespace mf::continuity
