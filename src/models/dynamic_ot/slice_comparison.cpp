#include "slice_comparison.hpp"

#include <algorithm>
#include <cmath>

#include "measureflow/cloud_sampling.hpp"
#include "measureflow/moments.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::dynamic_ot {

double SliceComparison::largest() const {
  double m = 0.0;
  for (double v : w2) m = std::max(m, v);
  return m;
}

double slice_w2(DynamicOtEulerian& grid_view, DynamicOtLagrangian& particle_view, PetscInt face,
                double particle_time, const SliceComparisonOptions& options, double* eps_used) {
  const Grid& grid = grid_view.grid();
  const PetscInt nt = grid_view.time_cells();
  grid_view.select_time(static_cast<double>(face) / static_cast<double>(nt));
  particle_view.move_to(particle_time);
  // ε as the Driver chooses it (diagnostics.cpp): at least (2h)², below which the grid resolves
  // nothing, and at least the slice's smallest variance / 16 so annealing stays cheap on fine grids.
  double eps = options.eps;
  if (!(eps > 0.0)) {
    double h = 0.0;
    for (int a = 0; a < grid.dim(); ++a) h = std::max(h, grid.h(a));
    const Moments gm = grid_moments(grid, grid_view.density());
    const double spread = std::max(symmetric_eigen(gm.cov).values.front(), 0.0);
    eps = std::max(4.0 * h * h, spread / 16.0);
  }
  if (eps_used) *eps_used = eps;
  const WeightedPoints cells = grid_cloud(grid, grid_view.density(), options.points);
  const WeightedPoints parts = particle_subsample(particle_view.particles(), grid.comm(), options.points);
  // Same marginal tolerance and cap as the Driver's W2: a diagnostic, not a solve of record.
  ot::SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = 1e-4;
  opt.max_iterations = 3000;
  return std::sqrt(std::max(ot::sinkhorn_divergence(grid.comm(), cells, parts, opt), 0.0));
}

std::vector<double> face_kinetic_energies(const std::vector<double>& cell) {
  const std::size_t n = cell.size();
  std::vector<double> face(n + 1);
  for (std::size_t k = 0; k <= n; ++k) face[k] = 0.5 * (cell[k == 0 ? 0 : k - 1] + cell[k == n ? n - 1 : k]);
  return face;
}

SliceComparison compare_slices(DynamicOtEulerian& grid_view, DynamicOtLagrangian& particle_view,
                               PetscInt time_cells, const SliceComparisonOptions& options) {
  SliceComparison c;
  c.grid_kinetic = face_kinetic_energies(grid_view.solver().slice_energies());
  for (PetscInt k = 0; k <= time_cells; ++k) {
    const double tk = static_cast<double>(k) / static_cast<double>(time_cells);
    double eps = 0.0;
    c.time.push_back(tk);
    c.w2.push_back(slice_w2(grid_view, particle_view, k, tk, options, &eps));
    c.eps.push_back(eps);
    c.particle_kinetic.push_back(particle_view.kinetic_energy());
  }
  return c;
}

}  // namespace mf::dynamic_ot
