// The Gaussian references of the static problem (ot/gaussian.hpp): W2² by the Bures formula, and at the
// views' ε the entropic cost and the Sinkhorn divergence in closed form.
#include "measureflow/ot/gaussian.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

std::optional<GaussianReference> gaussian_reference(const Measure& alpha, const Measure& beta, double eps) {
  if (!alpha.is_gaussian() || !beta.is_gaussian()) return std::nullopt;
  const std::optional<Moments> a = alpha.exact_moments(), b = beta.exact_moments();
  if (!a || !b) return std::nullopt;
  GaussianReference r;
  r.w2sq = ot::w2_squared_gaussian(a->mean, a->cov, b->mean, b->cov);
  r.entropic_cost = ot::entropic_ot_gaussian(a->mean, a->cov, b->mean, b->cov, eps);
  r.divergence = ot::sinkhorn_divergence_gaussian(a->mean, a->cov, b->mean, b->cov, eps);
  return r;
}

}  // namespace mf::static_ot
