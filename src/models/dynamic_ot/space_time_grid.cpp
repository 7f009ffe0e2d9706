#include "space_time_grid.hpp"

#include <petscdmda.h>

#include <stdexcept>
#include <string>

#include "measureflow/dm_vectors.hpp"

namespace mf::dynamic_ot {

SpaceTimeGrid::SpaceTimeGrid(MPI_Comm comm, const GridSpec& space, PetscInt time_cells)
    : comm_(comm), space_(space), d_(space.dim) {
  if (d_ < 1 || d_ > 3)
    throw std::invalid_argument("dynamic_ot: domain.dim must be 1, 2 or 3, got " + std::to_string(d_));
  if (time_cells < 2) throw std::invalid_argument("dynamic_ot: time.cells must be at least 2");
  for (int a = 0; a < d_; ++a) {
    n_[a] = space.cells[a];
    h_[a] = (space.upper[a] - space.lower[a]) / static_cast<double>(n_[a]);
    periodic_[a] = space.boundary == Boundary::Periodic;
  }
  n_[d_] = time_cells;
  h_[d_] = 1.0 / static_cast<double>(time_cells);
  // Walls and the time ends get ghost slots too (GHOSTED) so every kernel indexes the same way; the
  // kernels never read them: boundary faces carry the prescribed α0, α1 or zero flux instead.
  auto bt = [&](int a) { return periodic_[a] ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_GHOSTED; };
  if (d_ == 1) {
    PetscCallThrow(DMDACreate2d(comm, bt(0), bt(1), DMDA_STENCIL_STAR, n_[0], n_[1], PETSC_DECIDE, PETSC_DECIDE, 1,
                                1, nullptr, nullptr, dm_.out()));
  } else {
    // d = 3: time is the dof (the DMDA has no fourth axis); a star stencil of width 1 ghosts exactly
    // the six space neighbours the staggered operators read, with all their time levels.
    PetscCallThrow(DMDACreate3d(comm, bt(0), bt(1), bt(2), DMDA_STENCIL_STAR, n_[0], n_[1], n_[2], PETSC_DECIDE,
                                PETSC_DECIDE, PETSC_DECIDE, n_[3], 1, nullptr, nullptr, nullptr, dm_.out()));
  }
  // Unknowns are cell averages: piecewise-constant (Q0) transfer, under which DMCoarsen halves the cell
  // count (the default Q1 treats the points as vertices and needs 2^k + 1 of them on walls).
  PetscCallThrow(DMDASetInterpolationType(dm_, DMDA_Q0));
  PetscCallThrow(DMSetOptionsPrefix(dm_, "dot_"));
  PetscCallThrow(DMSetFromOptions(dm_));
  PetscCallThrow(DMSetUp(dm_));
  set_boxes(dmda_corners(dm_), owned_, ghosted_);
  owned_.count[3] = ghosted_.count[3] = n_[3];
  ISLocalToGlobalMapping ltog;
  PetscCallThrow(DMGetLocalToGlobalMapping(dm_, &ltog));
  const PetscInt* idx;
  PetscInt n;
  PetscCallThrow(ISLocalToGlobalMappingGetSize(ltog, &n));
  PetscCallThrow(ISLocalToGlobalMappingGetIndices(ltog, &idx));
  local_to_global_.assign(idx, idx + n);
  PetscCallThrow(ISLocalToGlobalMappingRestoreIndices(ltog, &idx));
}

double SpaceTimeGrid::space_cell_volume() const {
  double v = 1.0;
  for (int a = 0; a < d_; ++a) v *= h_[a];
  return v;
}

PetscInt SpaceTimeGrid::space_cells() const {
  PetscInt n = 1;
  for (int a = 0; a < d_; ++a) n *= n_[a];
  return n;
}

double SpaceTimeGrid::center(int axis, PetscInt i) const {
  const double lo = axis < d_ ? space_.lower[axis] : 0.0;
  return lo + (static_cast<double>(i) + 0.5) * h_[axis];
}

VecHandle SpaceTimeGrid::create_global() const { return create_global_vector(dm_); }

VecHandle SpaceTimeGrid::create_local() const { return create_local_vector(dm_); }

void SpaceTimeGrid::to_local(Vec global, Vec local) const {
  PetscCallThrow(DMGlobalToLocalBegin(dm_, global, INSERT_VALUES, local));
  PetscCallThrow(DMGlobalToLocalEnd(dm_, global, INSERT_VALUES, local));
}

MatHandle SpaceTimeGrid::create_matrix(PetscInt per_row) const {
  MatHandle A;
  const PetscInt local = owned_.size();
  PetscCallThrow(MatCreate(comm_, A.out()));
  PetscCallThrow(MatSetSizes(A, local, local, PETSC_DETERMINE, PETSC_DETERMINE));
  PetscCallThrow(MatSetType(A, MATAIJ));
  // Star stencil: at most 2 couplings per distributed axis leave the rank.
  PetscCallThrow(MatSeqAIJSetPreallocation(A, per_row, nullptr));
  PetscCallThrow(MatMPIAIJSetPreallocation(A, per_row, nullptr, 2 * (d_ + 1), nullptr));
  return A;
}

}  // namespace mf::dynamic_ot
