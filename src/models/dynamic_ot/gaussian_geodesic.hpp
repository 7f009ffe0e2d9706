// Closed-form W2 geodesics between elliptical measures of one family (Gaussians, or bumps of equal
// power; survey Prop. 4.3): Bures W2², the affine map T and the moments (m_t, Σ_t) along the geodesic.
#pragma once
#include <optional>

#include "measureflow/moments.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::dynamic_ot {

class GaussianGeodesic {
 public:
  GaussianGeodesic(const Moments& from, const Moments& to);
  // |m0 − m1|² + tr(Σ0 + Σ1 − 2(Σ0^{1/2} Σ1 Σ0^{1/2})^{1/2})
  double w2sq() const { return w2sq_; }
  // The Monge map x ↦ m1 + A(x − m0), A = Σ0^{-1/2}(Σ0^{1/2}Σ1Σ0^{1/2})^{1/2}Σ0^{-1/2} (symmetric).
  const Matrix& map_matrix() const { return A_; }
  // Mean (1−t)m0 + t m1 and covariance ((1−t)I + tA) Σ0 ((1−t)I + tA).
  Moments at(double t) const;

 private:
  Moments from_, to_;
  Matrix A_;
  double w2sq_ = 0.0;
};

// Bures W2² alone.
double bures_w2sq(const Moments& a, const Moments& b);

}  // namespace mf::dynamic_ot
