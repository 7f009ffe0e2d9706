#include "measureflow/cross_view_w2.hpp"

#include <algorithm>
#include <cmath>

#include "measureflow/cloud_sampling.hpp"
#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf {

CrossW2 cross_view_w2(const Grid& grid, Vec density, const ParticleSet& particles, double eps, long long max_particles) {
  double h = 0.0;
  for (int a = 0; a < grid.dim(); ++a) h = std::max(h, grid.h(a));
  ot::MultiscaleOptions opt;
  opt.eps = eps > 0.0 ? eps : 2.0 * h * h;
  // Hold the kept pairs up to 4·10⁷ per rank (480 MB per kernel) rather than stream them: at 10⁵ particles
  // the 2ε stage keeps 3·10⁷ cross pairs, and streaming them (an exponential per pair and sweep) was 80 %
  // of the yardstick (docs/yardstick.md, "What it costs, honestly").
  opt.max_stored_pairs = 40000000;
  const ot::HostCloud cells = replicated_cells(grid, density);
  const ot::HostCloud parts = replicated_particles(particles, grid.comm(), max_particles);
  const ot::MultiscaleDivergence r = ot::multiscale_divergence(grid.comm(), cells, parts, grid_lattice(grid), opt);
  CrossW2 c;
  c.w2 = std::sqrt(std::max(r.divergence, 0.0));
  c.eps = r.eps;
  // The bias left at ε is at most |W(2ε) − W(ε)| when it shrinks at least linearly in ε (a third of it
  // when quadratically, as for smooth densities).
  c.bias_estimate = std::abs(std::sqrt(std::max(r.divergence_2eps, 0.0)) - c.w2);
  c.marginal_error = r.marginal_error;
  c.points_eulerian = static_cast<long long>(cells.size());
  c.points_lagrangian = static_cast<long long>(parts.size());
  c.seconds = r.seconds;
  c.cpu_seconds = r.cpu_seconds;
  return c;
}

}  // namespace mf
