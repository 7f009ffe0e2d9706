// The space-time grid of the dynamic OT solver: d space axes plus time, cell-centred, time in [0, 1].
// Four logical axes: 0..d−1 space, d time, the rest unused (extent 1). Storage follows PETSc's DMDA,
// which has at most three axes: for d = 1, 2 time is one more distributed DMDA axis ((x, t) or
// (x, y, t)); for d = 3 the DMDA is the 3D space and the N_t time cells are each point's dof, so ranks
// split space only. Either way logical axes 0..2 are the DMDA's axes and logical axis 3 is its dof.
#pragma once
#include <array>
#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/petsc_handle.hpp"

namespace mf::dynamic_ot {

// A rank's block over the four logical axes (axis 3 is the dof axis, never ghosted).
struct Box4 {
  std::array<PetscInt, 4> start{0, 0, 0, 0};
  std::array<PetscInt, 4> count{1, 1, 1, 1};
  PetscInt size() const { return count[0] * count[1] * count[2] * count[3]; }
};

class SpaceTimeGrid {
 public:
  SpaceTimeGrid(MPI_Comm comm, const GridSpec& space, PetscInt time_cells);

  MPI_Comm comm() const { return comm_; }
  DM dm() const { return dm_; }
  int space_dim() const { return d_; }
  int time_axis() const { return d_; }
  bool time_is_dof() const { return d_ == 3; }
  PetscInt dof() const { return n_[3]; }             // N_t when d = 3, else 1
  const GridSpec& space() const { return space_; }
  PetscInt cells(int axis) const { return n_[axis]; }  // axis 0..3; unused axes: 1
  double h(int axis) const { return h_[axis]; }        // h(time_axis()) = 1 / N_t
  bool periodic(int axis) const { return periodic_[axis]; }
  double space_cell_volume() const;
  double cell_volume() const { return space_cell_volume() * h_[d_]; }
  PetscInt space_cells() const;
  double center(int axis, PetscInt i) const;
  const Box4& owned() const { return owned_; }
  const Box4& ghosted() const { return ghosted_; }

  VecHandle create_global() const;
  VecHandle create_local() const;
  void to_local(Vec global, Vec local) const;  // ghost exchange (collective)

  // Global PETSc index of every entry of a local (ghosted) vector, in its storage order; −1 for the
  // ghost slots outside a non-periodic domain. For assembling operators with MatSetValues.
  const std::vector<PetscInt>& local_to_global() const { return local_to_global_; }
  // Position of logical global index g in a ghosted local vector.
  PetscInt local_offset(const std::array<PetscInt, 4>& g) const {
    const Box4& b = ghosted_;
    return (((g[2] - b.start[2]) * b.count[1] + (g[1] - b.start[1])) * b.count[0] + (g[0] - b.start[0])) * b.count[3] +
           (g[3] - b.start[3]);
  }
  // An AIJ matrix over the global vector layout (block size 1, so GAMG aggregates scalar unknowns even
  // when time is the dof), preallocated for `per_row` entries per row.
  MatHandle create_matrix(PetscInt per_row) const;

 private:
  MPI_Comm comm_;
  GridSpec space_;
  int d_;
  DMHandle dm_;
  std::array<PetscInt, 4> n_{1, 1, 1, 1};
  std::array<double, 4> h_{1, 1, 1, 1};
  std::array<bool, 4> periodic_{false, false, false, false};
  Box4 owned_, ghosted_;
  std::vector<PetscInt> local_to_global_;
};

}  // namespace mf::dynamic_ot
