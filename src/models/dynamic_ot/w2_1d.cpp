#include "w2_1d.hpp"

#include <algorithm>

#include "measureflow/ot/quantile_w2_1d.hpp"

namespace mf::dynamic_ot {

double w2sq_density_vs_points_1d(const std::vector<double>& rho, double lower, double h, std::vector<double> points) {
  std::vector<ot::Piece1d> cells, atoms;
  double mass = 0.0;
  for (std::size_t j = 0; j < rho.size(); ++j) {
    const double m = std::max(rho[j], 0.0) * h;
    mass += m;
    cells.push_back({lower + static_cast<double>(j) * h, lower + static_cast<double>(j + 1) * h, m});
  }
  if (points.empty() || !(mass > 0.0)) return 0.0;
  for (double y : points) atoms.push_back({y, y, 1.0});
  return ot::w2_squared_quantile_1d(std::move(cells), std::move(atoms));
}

}  // namespace mf::dynamic_ot
