#include "boundary_densities.hpp"

#include <mpi.h>

#include <stdexcept>

namespace mf::dynamic_ot {

namespace {
constexpr double kNodes[4] = {-0.4305681557970263, -0.1699905217924281, 0.1699905217924281, 0.4305681557970263};
constexpr double kWeights[4] = {0.1739274225687269, 0.3260725774312731, 0.3260725774312731, 0.1739274225687269};
}  // namespace

double slice_mass(const SpaceTimeGrid& grid, const SliceView& alpha) {
  // Every rank of one time block holds a distinct spatial block; count the ranks whose block starts
  // at time 0 so each spatial cell is summed once.
  const int d = grid.space_dim();
  double local = 0.0;
  if (grid.owned().start[d] == 0)
    for (std::size_t j = 0; j < alpha.extent(0); ++j)
      for (std::size_t i = 0; i < alpha.extent(1); ++i) local += alpha(j, i);
  double total = 0.0;
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, grid.comm());
  return total * grid.space_cell_volume();
}

SliceView boundary_density(const SpaceTimeGrid& grid, const std::function<double(const double*)>& density,
                           double* mass_before_normalisation) {
  const int d = grid.space_dim();
  const IndexBox& o = grid.owned();
  const PetscInt ny = d == 2 ? o.count[1] : 1;
  SliceView a("dynamic_ot::alpha", ny, o.count[0]);
  // Host loop: set-up only.
  for (PetscInt j = 0; j < ny; ++j)
    for (PetscInt i = 0; i < o.count[0]; ++i) {
      const PetscInt gi = o.start[0] + i, gj = d == 2 ? o.start[1] + j : 0;
      double sum = 0.0;
      for (int b = 0; b < (d == 2 ? 4 : 1); ++b)
        for (int q = 0; q < 4; ++q) {
          double x[3] = {grid.center(0, gi) + kNodes[q] * grid.h(0), 0.0, 0.0};
          double w = kWeights[q];
          if (d == 2) {
            x[1] = grid.center(1, gj) + kNodes[b] * grid.h(1);
            w *= kWeights[b];
          }
          sum += w * density(x);
        }
      a(j, i) = sum;
    }
  const double mass = slice_mass(grid, a);
  if (!(mass > 0.0)) throw std::invalid_argument("dynamic_ot: a boundary density has no mass inside the box");
  if (mass_before_normalisation) *mass_before_normalisation = mass;
  for (PetscInt j = 0; j < ny; ++j)
    for (PetscInt i = 0; i < o.count[0]; ++i) a(j, i) /= mass;
  return a;
}

}  // namespace mf::dynamic_ot
