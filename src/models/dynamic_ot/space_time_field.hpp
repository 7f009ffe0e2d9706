// PETSc Vecs of the space-time grid seen as 4D Kokkos Views over a rank's block, without copying:
// view(a2, a1, a0, a3) in the logical axes of SpaceTimeGrid (a3, the DMDA dof, fastest in memory).
#pragma once
#include <petscvec.h>

#include <Kokkos_Core.hpp>

#include "space_time_grid.hpp"

namespace mf::dynamic_ot {

using StView = Kokkos::View<double****, Kokkos::LayoutRight, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using ConstStView =
    Kokkos::View<const double****, Kokkos::LayoutRight, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Write access for the lifetime of the object (VecGetArray / VecRestoreArray).
class StBlockWrite {
 public:
  StBlockWrite(Vec v, const Box4& box);
  ~StBlockWrite();
  StBlockWrite(const StBlockWrite&) = delete;
  StBlockWrite& operator=(const StBlockWrite&) = delete;
  const StView& view() const { return view_; }
  // Entry at a logical index local to the block (l[a] = global index − box start).
  double& at(const std::array<PetscInt, 4>& l) const { return view_(l[2], l[1], l[0], l[3]); }

 private:
  Vec v_;
  double* data_ = nullptr;
  StView view_;
};

class StBlockRead {
 public:
  StBlockRead(Vec v, const Box4& box);
  ~StBlockRead();
  StBlockRead(const StBlockRead&) = delete;
  StBlockRead& operator=(const StBlockRead&) = delete;
  const ConstStView& view() const { return view_; }
  double at(const std::array<PetscInt, 4>& l) const { return view_(l[2], l[1], l[0], l[3]); }

 private:
  Vec v_;
  const double* data_ = nullptr;
  ConstStView view_;
};

}  // namespace mf::dynamic_ot
