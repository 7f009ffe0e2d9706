// Exact 1D W2 by quantile functions (quantile_w2_1d.hpp).
#include "measureflow/ot/quantile_w2_1d.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mf::ot {

namespace {

// A measure's quantile function as consecutive pieces of the quantile axis: piece k covers [u_k, u_{k+1})
// (u_0 = 0, the last end exactly 1), where F⁻¹ runs linearly from lo_k to hi_k.
struct Quantiles {
  std::vector<double> lo, hi, end;
};

Quantiles quantiles(std::vector<Piece1d> p, const char* name) {
  double total = 0.0;
  for (const Piece1d& q : p) {
    if (!(q.lo <= q.hi) || !std::isfinite(q.lo) || !std::isfinite(q.hi))
      throw std::invalid_argument(std::string("w2_squared_quantile_1d: measure ") + name + " has a piece with lo > hi or not finite");
    if (!(q.mass >= 0.0) || !std::isfinite(q.mass))
      throw std::invalid_argument(std::string("w2_squared_quantile_1d: measure ") + name + " has a negative or non-finite mass");
    total += q.mass;
  }
  if (!(total > 0.0)) throw std::invalid_argument(std::string("w2_squared_quantile_1d: measure ") + name + " has no mass");
  p.erase(std::remove_if(p.begin(), p.end(), [](const Piece1d& q) { return q.mass == 0.0; }), p.end());
  std::sort(p.begin(), p.end(), [](const Piece1d& x, const Piece1d& y) { return x.lo < y.lo || (x.lo == y.lo && x.hi < y.hi); });
  // Cells given as [lower + k h, lower + (k + 1) h] may overlap their neighbour by an ulp; more than the
  // round-off of the span would make the concatenated pieces no quantile function at all.
  const double slack = 64.0 * 2.2e-16 * std::max(std::fabs(p.front().lo), std::fabs(p.back().hi));
  Quantiles q;
  q.lo.reserve(p.size());
  q.hi.reserve(p.size());
  q.end.reserve(p.size());
  double cum = 0.0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (k > 0 && p[k - 1].hi > p[k].lo + slack)
      throw std::invalid_argument(std::string("w2_squared_quantile_1d: measure ") + name + " has overlapping pieces");
    cum += p[k].mass;
    const double end = cum / total;
    // A piece lighter than the round-off of the running sum covers no quantile interval.
    if (!q.end.empty() && end <= q.end.back()) continue;
    q.lo.push_back(p[k].lo);
    q.hi.push_back(p[k].hi);
    q.end.push_back(end);
  }
  q.end.back() = 1.0;
  return q;
}

// F⁻¹ at u inside piece k, which starts at `start`.
double at(const Quantiles& q, std::size_t k, double start, double u) {
  const double width = q.end[k] - start;
  const double s = std::clamp((u - start) / width, 0.0, 1.0);
  return q.lo[k] + s * (q.hi[k] - q.lo[k]);
}

}  // namespace

double w2_squared_quantile_1d(std::vector<Piece1d> a, std::vector<Piece1d> b) {
  const Quantiles A = quantiles(std::move(a), "a"), B = quantiles(std::move(b), "b");
  // Walk both quantile axes together: on [u, v), the overlap of the current pieces, both F⁻¹ and G⁻¹ are
  // linear, so their difference d is too and ∫ d² = (v − u)(d_u² + d_u d_v + d_v²)/3.
  double total = 0.0, u = 0.0, start_a = 0.0, start_b = 0.0;
  std::size_t i = 0, j = 0;
  while (i < A.end.size() && j < B.end.size()) {
    const double v = std::min(A.end[i], B.end[j]);
    if (v > u) {
      const double du = at(A, i, start_a, u) - at(B, j, start_b, u);
      const double dv = at(A, i, start_a, v) - at(B, j, start_b, v);
      total += (v - u) * (du * du + du * dv + dv * dv) / 3.0;
      u = v;
    }
    if (A.end[i] <= v) start_a = A.end[i++];
    if (B.end[j] <= v) start_b = B.end[j++];
  }
  return total;
}

}  // namespace mf::ot
