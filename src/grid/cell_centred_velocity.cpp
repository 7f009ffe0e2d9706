#include "measureflow/cell_centred_velocity.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "measureflow/grid_field.hpp"
#include "measureflow/petsc_check.hpp"

namespace mf {

PointsView owned_cell_centres(const Grid& grid, const char* label) {
  const IndexBox& o = grid.owned();
  const int d = grid.dim();
  PointsView centres(std::string(label), static_cast<std::size_t>(o.size()), static_cast<std::size_t>(d));
  auto host = Kokkos::create_mirror_view(centres);
  std::size_t c = 0;
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i, ++c) {
        const PetscInt idx[3] = {o.start[0] + i, o.start[1] + j, o.start[2] + k};
        for (int a = 0; a < d; ++a) host(c, a) = grid.center(a, idx[a]);
      }
  Kokkos::deep_copy(centres, host);
  return centres;
}

CellCentredVelocity::CellCentredVelocity(const Grid& grid) : grid_(grid) {
  for (int a = 0; a < grid_.dim(); ++a) {
    cell_v_[a] = grid_.create_global();
    cell_v_local_[a] = grid_.create_local();
  }
}

void CellCentredVelocity::set(Kokkos::View<const double**, Kokkos::LayoutRight> velocity) {
  auto v_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), velocity);
  const IndexBox& o = grid_.owned();
  for (int a = 0; a < grid_.dim(); ++a) {
    double vmax = 0.0;
    {
      VecBlockWrite v(cell_v_[a], o);
      for (std::size_t c = 0; c < v_host.extent(0); ++c) {
        v.data()[c] = v_host(c, a);
        vmax = std::max(vmax, std::fabs(v_host(c, a)));
      }
    }
    local_max_[a] = vmax;
    PetscCallThrow(DMGlobalToLocalBegin(grid_.dm(), cell_v_[a], INSERT_VALUES, cell_v_local_[a]));
    PetscCallThrow(DMGlobalToLocalEnd(grid_.dm(), cell_v_[a], INSERT_VALUES, cell_v_local_[a]));
  }
}

void CellCentredVelocity::fill_faces(FaceVelocities& faces, const char* label) const {
  const IndexBox& o = grid_.owned();
  const IndexBox& g = grid_.ghosted();
  const bool periodic = grid_.periodic();
  for (int a = 0; a < grid_.dim(); ++a) {
    VecBlockRead vl(cell_v_local_[a], g);
    const auto& u = vl.view();
    auto v = faces.v[a];
    const int off[3] = {static_cast<int>(o.start[0] - g.start[0]), static_cast<int>(o.start[1] - g.start[1]),
                        static_cast<int>(o.start[2] - g.start[2])};
    const PetscInt start_a = o.start[a], n_axis = grid_.spec().cells[a];
    // Face value = mean of the two cell-centre values beside it (second order); walls carry nothing.
    Kokkos::parallel_for(
        label,
        Kokkos::MDRangePolicy<Kokkos::DefaultHostExecutionSpace, Kokkos::Rank<3>>({0, 0, 0},
                                                                                  {v.extent(0), v.extent(1), v.extent(2)}),
        [=](const int k, const int j, const int i) {
          const int idx[3] = {i, j, k};
          const PetscInt gface = start_a + idx[a];
          if (!periodic && (gface == 0 || gface == n_axis)) {
            v(k, j, i) = 0.0;
            return;
          }
          int hi[3] = {i + off[0], j + off[1], k + off[2]};
          int lo[3] = {hi[0], hi[1], hi[2]};
          lo[a] -= 1;
          v(k, j, i) = 0.5 * (u(lo[2], lo[1], lo[0]) + u(hi[2], hi[1], hi[0]));
        });
  }
}

double CellCentredVelocity::cfl_rate() const {
  double rate = 0.0;
  for (int a = 0; a < grid_.dim(); ++a) {
    double global = 0.0;
    MPI_Allreduce(&local_max_[a], &global, 1, MPI_DOUBLE, MPI_MAX, grid_.comm());
    rate += global / grid_.h(a);
  }
  return rate;
}

}  // namespace mf
