#include "slice_comparison.hpp"

#include <algorithm>


namespace mf::dynamic_ot {

double SliceComparison::largest() const {
  double m = 0.0;
  for (double v : w2) m = std::max(m, v);
  return m;
}

CrossW2 slice_w2(DynamicOtEulerian& grid_view, DynamicOtLagrangian& particle_view, PetscInt face, double particle_time,
                 const SliceComparisonOptions& options) {
  const PetscInt nt = grid_view.time_cells();
  grid_view.select_time(static_cast<double>(face) / static_cast<double>(nt));
  particle_view.move_to(particle_time);
  // The Driver's yardstick on the slice: the same function, ε rule and views as cross.w2_eulerian_lagrangian.
  return cross_view_w2(grid_view.grid(), grid_view.density(), particle_view.particles(), options.eps,
                       options.max_particles);
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
    const CrossW2 r = slice_w2(grid_view, particle_view, k, tk, options);
    c.time.push_back(tk);
    c.w2.push_back(r.w2);
    c.eps.push_back(r.eps);
    c.bias.push_back(r.bias_estimate);
    c.marginal_error.push_back(r.marginal_error);
    c.points_eulerian.push_back(static_cast<double>(r.points_eulerian));
    c.points_lagrangian.push_back(static_cast<double>(r.points_lagrangian));
    c.seconds += r.seconds;
    c.cpu_seconds += r.cpu_seconds;
    c.particle_kinetic.push_back(particle_view.kinetic_energy());
  }
  return c;
}

}  // namespace mf::dynamic_ot
