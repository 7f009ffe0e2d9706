// The grid view: α and β as cell averages on the DMDA, each rank's owned cells its block of both clouds
// (their natural indices the global order the multiscale solver replicates them in). Either solver
// returns the potentials on every cell, zero-mass ones included, and the barycentric map.
#include <algorithm>

#include "measureflow/grid_field.hpp"
#include "measureflow/petsc_check.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

namespace {

// The owned cells as a cloud: centres and masses (density × volume), in the Vec's local order (x fastest),
// so entry i of the cloud is entry i of the rank's array; each with its natural (global) index.
ViewCloud owned_cells(const Grid& grid, Vec density) {
  const IndexBox& o = grid.owned();
  const int d = grid.dim();
  const std::size_t n = static_cast<std::size_t>(o.size());
  const auto& cells = grid.spec().cells;
  ViewCloud out;
  out.total = static_cast<long long>(cells[0]) * cells[1] * cells[2];
  out.index.reserve(n);
  WeightedPoints cloud{d, PointsView("mf::static_ot::cell_centres", n, d), WeightsView("mf::static_ot::cell_mass", n)};
  auto x = Kokkos::create_mirror_view(cloud.positions);
  auto w = Kokkos::create_mirror_view(cloud.weights);
  VecBlock<1, false> rho(density, {o.size()});
  // Host loop over the block: set-up only, once per run.
  std::size_t i = 0;
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt c = 0; c < o.count[0]; ++c, ++i) {
        const PetscInt cell[3] = {o.start[0] + c, o.start[1] + j, o.start[2] + k};
        for (int a = 0; a < d; ++a) x(i, a) = grid.center(a, cell[a]);
        out.index.push_back(cell[0] + static_cast<long long>(cells[0]) *
                                          (cell[1] + static_cast<long long>(cells[1]) * cell[2]));
        // Cell averages of a smooth density are ≥ 0; a CIC deposit of a file's atoms is too. Clamp the
        // round-off of either so Sinkhorn sees a measure.
        w(i) = std::max(rho.view()(i), 0.0) * grid.cell_volume();
      }
  Kokkos::deep_copy(cloud.positions, x);
  Kokkos::deep_copy(cloud.weights, w);
  out.points = cloud;
  return out;
}

void copy_into(Vec out, const Kokkos::View<double*>& values) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
  PetscInt n = 0;
  PetscCallThrow(VecGetLocalSize(out, &n));
  VecBlock<1, true> v(out, {n});
  for (PetscInt i = 0; i < n; ++i) v.view()(i) = h(i);
}

}  // namespace

StaticOtEulerian::StaticOtEulerian(const StaticOtConfig& config, std::shared_ptr<const Grid> grid,
                                   const StaticSolveOptions& opt)
    : grid_(std::move(grid)), alpha_(grid_->create_global()), beta_(grid_->create_global()),
      f_(grid_->create_global()), g_(grid_->create_global()) {
  initial_grid_density(*config.initial, *grid_, alpha_);
  initial_grid_density(*config.target, *grid_, beta_);
  const ViewCloud x = owned_cells(*grid_, alpha_);
  const ViewCloud y = owned_cells(*grid_, beta_);
  solution_ = solve_static_ot(grid_->comm(), x, y, opt, "grid view's");
  // Potentials on every cell: a zero-mass cell still gets its softmin value, the potential's extension.
  copy_into(f_, solution_.f);
  copy_into(g_, solution_.g);
  const int d = grid_->dim();
  auto map = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), solution_.map);
  auto centres = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x.points.positions);
  for (int a = 0; a < d; ++a) {
    displacement_.push_back(grid_->create_global());
    VecBlock<1, true> v(displacement_.back(), {static_cast<PetscInt>(x.points.local_size())});
    for (std::size_t i = 0; i < x.points.local_size(); ++i) v.view()(i) = map(i, a) - centres(i, a);
  }
}

std::vector<std::pair<std::string, Vec>> StaticOtEulerian::extra_fields() {
  std::vector<std::pair<std::string, Vec>> fields{{"target_density", beta_}, {"potential_f", f_}, {"potential_g", g_}};
  const char* axis[3] = {"map_x", "map_y", "map_z"};
  for (std::size_t a = 0; a < displacement_.size(); ++a) fields.emplace_back(axis[a], displacement_[a]);
  return fields;
}

}  // namespace mf::static_ot
