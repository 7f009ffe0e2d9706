// PETSc Vec arrays seen as Kokkos Views over a rank's block without copying: the one accessor for grid
// fields ([z][y][x], x fastest) and for the space-time fields of dynamic OT (4 axes, the DMDA dof
// fastest). The Views are host Views: PETSc's Vec arrays here are host memory.
#pragma once
#include <petscvec.h>

#include <Kokkos_Core.hpp>
#include <array>
#include <type_traits>
#include <utility>

#include "measureflow/grid.hpp"
#include "measureflow/petsc_check.hpp"

namespace mf {

namespace grid_field_detail {
template <class T, int Rank>
struct Pointers {
  using type = typename Pointers<T, Rank - 1>::type*;
};
template <class T>
struct Pointers<T, 0> {
  using type = T;
};
}  // namespace grid_field_detail

// An unmanaged host View of Rank axes over a Vec's local array (LayoutRight: the last axis fastest).
template <class T, int Rank>
using VecArrayView = Kokkos::View<typename grid_field_detail::Pointers<T, Rank>::type, Kokkos::LayoutRight,
                                  Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// Access to a Vec's local array for the lifetime of the object (VecGetArray / VecRestoreArray, or the
// Read pair when !Write), seen as a View with the given extents (slowest axis first).
template <int Rank, bool Write>
class VecBlock {
 public:
  using value_type = std::conditional_t<Write, double, const double>;
  using View = VecArrayView<value_type, Rank>;
  VecBlock(Vec v, const std::array<PetscInt, Rank>& extents) : v_(v) {
    if constexpr (Write) {
      PetscCallThrow(VecGetArray(v_, &data_));
    } else {
      PetscCallThrow(VecGetArrayRead(v_, &data_));
    }
    view_ = make_view(extents, std::make_index_sequence<Rank>());
  }
  ~VecBlock() {
    if constexpr (Write) {
      (void)VecRestoreArray(v_, &data_);
    } else {
      (void)VecRestoreArrayRead(v_, &data_);
    }
  }
  VecBlock(const VecBlock&) = delete;
  VecBlock& operator=(const VecBlock&) = delete;
  const View& view() const { return view_; }
  value_type* data() const { return data_; }

 private:
  template <std::size_t... I>
  View make_view(const std::array<PetscInt, Rank>& e, std::index_sequence<I...>) const {
    return View(data_, static_cast<std::size_t>(e[I])...);
  }
  Vec v_;
  value_type* data_ = nullptr;
  View view_;
};

// Grid fields: a rank's IndexBox as [z][y][x].
using HostBlockView = VecArrayView<double, 3>;
using ConstHostBlockView = VecArrayView<const double, 3>;

inline std::array<PetscInt, 3> block_extents(const IndexBox& box) { return {box.count[2], box.count[1], box.count[0]}; }

class VecBlockWrite : public VecBlock<3, true> {
 public:
  VecBlockWrite(Vec v, const IndexBox& box) : VecBlock(v, block_extents(box)) {}
};

class VecBlockRead : public VecBlock<3, false> {
 public:
  VecBlockRead(Vec v, const IndexBox& box) : VecBlock(v, block_extents(box)) {}
};

}  // namespace mf
