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
  // at time 0 so each spatial cell is summed once (d = 3: time is not split, every rank counts).
  const int d = grid.space_dim();
  double local = 0.0;
  if (grid.owned().start[d] == 0)
    for (std::size_t k = 0; k < alpha.extent(0); ++k)
      for (std::size_t j = 0; j < alpha.extent(1); ++j)
        for (std::size_t i = 0; i < alpha.extent(2); ++i) local += alpha(k, j, i);
  double total = 0.0;
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, grid.comm());
  return total * grid.space_cell_volume();
}

SliceView boundary_density(const SpaceTimeGrid& grid, const std::function<double(const double*)>& density,
                           double* mass_before_normalisation) {
  const int d = grid.space_dim();
  const Box4& o = grid.owned();
  // Spatial extents of the owned block ([z][y][x]); axes beyond d have one slot.
  PetscInt count[3] = {1, 1, 1}, start[3] = {0, 0, 0};
  for (int a = 0; a < d; ++a) {
    count[a] = o.count[a];
    start[a] = o.start[a];
  }
  SliceView alpha("dynamic_ot::alpha", count[2], count[1], count[0]);
  const int nq = 4;
  // Host loop: set-up only. Tensor 4-point Gauss–Legendre over the cell's d axes.
  for (PetscInt k = 0; k < count[2]; ++k)
    for (PetscInt j = 0; j < count[1]; ++j)
      for (PetscInt i = 0; i < count[0]; ++i) {
        const PetscInt cell[3] = {start[0] + i, start[1] + j, start[2] + k};
        double sum = 0.0;
        for (int qz = 0; qz < (d >= 3 ? nq : 1); ++qz)
          for (int qy = 0; qy < (d >= 2 ? nq : 1); ++qy)
            for (int qx = 0; qx < nq; ++qx) {
              const int q[3] = {qx, qy, qz};
              double x[3] = {0.0, 0.0, 0.0}, w = 1.0;
              for (int a = 0; a < d; ++a) {
                x[a] = grid.center(a, cell[a]) + kNodes[q[a]] * grid.h(a);
                w *= kWeights[q[a]];
              }
              sum += w * density(x);
            }
        alpha(k, j, i) = sum;
      }
  const double mass = slice_mass(grid, alpha);
  if (!(mass > 0.0)) throw std::invalid_argument("dynamic_ot: a boundary density has no mass inside the box");
  if (mass_before_normalisation) *mass_before_normalisation = mass;
  for (PetscInt k = 0; k < count[2]; ++k)
    for (PetscInt j = 0; j < count[1]; ++j)
      for (PetscInt i = 0; i < count[0]; ++i) alpha(k, j, i) /= mass;
  return alpha;
}

}  // namespace mf::dynamic_ot
