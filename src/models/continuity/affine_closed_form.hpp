// Exact solution of the continuity equation under an affine field v = A x + b: the flow map is
// x_t = E_t x_0 + c_t with E_t = e^{tA}, c_t = ∫_0^t e^{sA} b ds, so every initial measure is pushed
// forward exactly: ρ_t(x) = ρ_0(E_t⁻¹(x − c_t)) / |det E_t|, mean E m + c, covariance E Σ Eᵀ.
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
AffineMap affine_flow(const Matrix& A, const Vector& b, double t);

class AffineClosedForm {
 public:
  AffineClosedForm(std::shared_ptr<const Measure> initial, Matrix A, Vector b);
  AffineMap map(double t) const { return affine_flow(A_, b_, t); }
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
};

}  // namespace mf::continuity
