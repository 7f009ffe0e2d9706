#include "gaussian_geodesic.hpp"

#include <algorithm>

namespace mf::dynamic_ot {

GaussianGeodesic::GaussianGeodesic(const Moments& from, const Moments& to) : from_(from), to_(to) {
  const Matrix r0 = sqrtm_spd(from.cov);
  const Matrix ir0 = inv_sqrtm_spd(from.cov);
  const Matrix cross = sqrtm_spd(symmetrize(r0 * to.cov * r0));
  A_ = symmetrize(ir0 * cross * ir0);
  const Vector dm = to.mean - from.mean;
  // Round-off can push the trace term a hair below zero for equal covariances.
  const double bures = std::max(0.0, trace(from.cov) + trace(to.cov) - 2.0 * trace(cross));
  w2sq_ = dot(dm, dm) + bures;
}

Moments GaussianGeodesic::at(double t) const {
  const int d = static_cast<int>(from_.mean.size());
  const Matrix E = (1.0 - t) * Matrix::identity(d) + t * A_;
  return Moments{1.0, (1.0 - t) * from_.mean + t * to_.mean, symmetrize(E * from_.cov * transpose(E))};
}

double bures_w2sq(const Moments& a, const Moments& b) { return GaussianGeodesic(a, b).w2sq(); }

}  // namespace mf::dynamic_ot
