#include "fault_injection.hpp"

#include <petscvec.h>

#include <cstdlib>
#include <limits>

#include "measureflow/model.hpp"
#include "measureflow/petsc_check.hpp"

namespace mf {

namespace {
long long env_step(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : -1;
}
}  // namespace

const TestHooks& test_hooks() {
  static const TestHooks hooks{env_step("MF_TEST_SIGNAL_AT_STEP"), env_step("MF_TEST_NAN_AT_STEP")};
  return hooks;
}

void inject_nan(Model& model, int rank) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (model.eulerian) {
    Vec rho = model.eulerian->density();
    PetscInt lo = 0, hi = 0;
    PetscCallThrow(VecGetOwnershipRange(rho, &lo, &hi));
    double* a = nullptr;
    PetscCallThrow(VecGetArray(rho, &a));
    if (rank == 0 && hi > lo) a[0] = nan;
    PetscCallThrow(VecRestoreArray(rho, &a));
    return;
  }
  if (model.lagrangian) {
    ParticleSet& p = model.lagrangian->mutable_particles();
    if (rank == 0 && p.size() > 0) {
      auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
      x(0, 0) = nan;
      Kokkos::deep_copy(p.positions, x);
    }
  }
}

}  // namespace mf
