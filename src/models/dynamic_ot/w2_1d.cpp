#include "w2_1d.hpp"

#include <algorithm>
#include <numeric>

namespace mf::dynamic_ot {

double w2sq_density_vs_points_1d(const std::vector<double>& rho, double lower, double h, std::vector<double> points) {
  std::sort(points.begin(), points.end());
  const std::size_t n = points.size();
  double mass = 0.0;
  for (double r : rho) mass += std::max(r, 0.0) * h;
  if (n == 0 || mass <= 0.0) return 0.0;
  // Walk the quantile axis: cell j covers u ∈ [U_j, U_j + m_j) where F⁻¹ is linear; particle i covers
  // [i/n, (i+1)/n) where G⁻¹ = y_i. On each overlap ∫(x(u) − y)² du with x linear is exact.
  double total = 0.0, u = 0.0;
  std::size_t i = 0;
  for (std::size_t j = 0; j < rho.size() && i < n; ++j) {
    const double mj = std::max(rho[j], 0.0) * h / mass;
    if (mj <= 0.0) continue;
    const double cell_lo = lower + static_cast<double>(j) * h, u_end = u + mj;
    double ua = u;
    while (ua < u_end && i < n) {
      const double ub = std::min(u_end, static_cast<double>(i + 1) / static_cast<double>(n));
      const double xa = cell_lo + (ua - u) / mj * h, xb = cell_lo + (ub - u) / mj * h;
      const double a = xa - points[i], b = xb - points[i];
      total += (ub - ua) * (a * a + a * b + b * b) / 3.0;
      ua = ub;
      if (ub >= static_cast<double>(i + 1) / static_cast<double>(n) - 1e-15) ++i;
    }
    u = u_end;
  }
  return total;
}

}  // namespace mf::dynamic_ot
