// Small RAII owners for PETSc objects (Vec, DM, KSP, SNES, ...): one owner, destroyed once.
#pragma once
#include "measureflow/petsc_check.hpp"

#include <petscdm.h>
#include <petscksp.h>
#include <petscsnes.h>
#include <petscvec.h>

#include <utility>

namespace mf {

template <typename T, PetscErrorCode (*Destroy)(T*)>
class PetscHandle {
 public:
  PetscHandle() = default;
  explicit PetscHandle(T obj) : obj_(obj) {}
  ~PetscHandle() { reset(); }
  PetscHandle(const PetscHandle&) = delete;
  PetscHandle& operator=(const PetscHandle&) = delete;
  PetscHandle(PetscHandle&& other) noexcept : obj_(std::exchange(other.obj_, nullptr)) {}
  PetscHandle& operator=(PetscHandle&& other) noexcept {
    if (this != &other) {
      reset();
      obj_ = std::exchange(other.obj_, nullptr);
    }
    return *this;
  }

  T get() const { return obj_; }
  operator T() const { return obj_; }  // NOLINT: PETSc calls take the raw handle
  // For PETSc "create" calls that write the new object through a pointer.
  T* out() {
    reset();
    return &obj_;
  }
  void reset() {
    // Destroy errors in a destructor cannot be thrown; PETSc has already reported them.
    if (obj_) (void)Destroy(&obj_);
    obj_ = nullptr;
  }

 private:
  T obj_ = nullptr;
};

using VecHandle = PetscHandle<Vec, VecDestroy>;
using DMHandle = PetscHandle<DM, DMDestroy>;
using KSPHandle = PetscHandle<KSP, KSPDestroy>;
using SNESHandle = PetscHandle<SNES, SNESDestroy>;
using MatHandle = PetscHandle<Mat, MatDestroy>;

}  // namespace mf
