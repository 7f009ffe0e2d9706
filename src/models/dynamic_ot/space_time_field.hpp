// PETSc Vecs of the space-time grid seen as 4D Kokkos Views over a rank's block, without copying
// (the shared VecBlock of grid_field.hpp with four axes): view(a2, a1, a0, a3) in the logical axes of
// SpaceTimeGrid (a3, the DMDA dof, fastest in memory).
#pragma once
#include "measureflow/grid_field.hpp"
#include "space_time_grid.hpp"

namespace mf::dynamic_ot {

using StView = VecArrayView<double, 4>;
using ConstStView = VecArrayView<const double, 4>;

inline std::array<PetscInt, 4> block_extents(const Box4& box) {
  return {box.count[2], box.count[1], box.count[0], box.count[3]};
}

class StBlockWrite : public VecBlock<4, true> {
 public:
  StBlockWrite(Vec v, const Box4& box) : VecBlock(v, block_extents(box)) {}
  // Entry at a logical index local to the block (l[a] = global index − box start).
  double& at(const std::array<PetscInt, 4>& l) const { return view()(l[2], l[1], l[0], l[3]); }
};

class StBlockRead : public VecBlock<4, false> {
 public:
  StBlockRead(Vec v, const Box4& box) : VecBlock(v, block_extents(box)) {}
  double at(const std::array<PetscInt, 4>& l) const { return view()(l[2], l[1], l[0], l[3]); }
};

}  // namespace mf::dynamic_ot
