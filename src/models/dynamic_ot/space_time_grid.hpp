// The space-time grid of the dynamic OT solver: d space axes plus time as one more distributed DMDA
// axis (d = 1 → 2D DMDA (x, t); d = 2 → 3D DMDA (x, y, t)); cell-centred, time in [0, 1].
#pragma once
#include <array>
#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/petsc_handle.hpp"

namespace mf::dynamic_ot {

class SpaceTimeGrid {
 public:
  SpaceTimeGrid(MPI_Comm comm, const GridSpec& space, PetscInt time_cells);

  MPI_Comm comm() const { return comm_; }
  DM dm() const { return dm_; }
  int space_dim() const { return d_; }
  int time_axis() const { return d_; }
  const GridSpec& space() const { return space_; }
  PetscInt cells(int axis) const { return n_[axis]; }  // unused axes: 1
  double h(int axis) const { return h_[axis]; }        // h(time_axis()) = 1 / N_t
  bool periodic(int axis) const { return periodic_[axis]; }
  double space_cell_volume() const;
  double cell_volume() const { return space_cell_volume() * h_[d_]; }
  PetscInt space_cells() const;
  double center(int axis, PetscInt i) const;
  const IndexBox& owned() const { return owned_; }
  const IndexBox& ghosted() const { return ghosted_; }

  VecHandle create_global() const;
  VecHandle create_local() const;
  void to_local(Vec global, Vec local) const;  // ghost exchange (collective)

 private:
  MPI_Comm comm_;
  GridSpec space_;
  int d_;
  DMHandle dm_;
  std::array<PetscInt, 3> n_{1, 1, 1};
  std::array<double, 3> h_{1, 1, 1};
  std::array<bool, 3> periodic_{false, false, false};
  IndexBox owned_, ghosted_;
};

}  // namespace mf::dynamic_ot
