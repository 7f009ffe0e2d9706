// PETSc Vec arrays seen as Kokkos Views over a rank's block ([z][y][x], x fastest), without copying.
#pragma once
#include <petscvec.h>

#include <Kokkos_Core.hpp>

#include "measureflow/grid.hpp"

namespace mf {

using HostBlockView =
    Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using ConstHostBlockView = Kokkos::View<const double***, Kokkos::LayoutRight, Kokkos::HostSpace,
                                        Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Write access for the lifetime of the object (VecGetArray / VecRestoreArray).
class VecBlockWrite {
 public:
  VecBlockWrite(Vec v, const IndexBox& box);
  ~VecBlockWrite();
  VecBlockWrite(const VecBlockWrite&) = delete;
  VecBlockWrite& operator=(const VecBlockWrite&) = delete;
  const HostBlockView& view() const { return view_; }
  double* data() const { return data_; }

 private:
  Vec v_;
  double* data_ = nullptr;
  HostBlockView view_;
};

class VecBlockRead {
 public:
  VecBlockRead(Vec v, const IndexBox& box);
  ~VecBlockRead();
  VecBlockRead(const VecBlockRead&) = delete;
  VecBlockRead& operator=(const VecBlockRead&) = delete;
  const ConstHostBlockView& view() const { return view_; }
  const double* data() const { return data_; }

 private:
  Vec v_;
  const double* data_ = nullptr;
  ConstHostBlockView view_;
};

}  // namespace mf
