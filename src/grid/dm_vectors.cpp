#include "measureflow/dm_vectors.hpp"

#include "measureflow/petsc_check.hpp"

namespace mf {

VecHandle create_global_vector(DM dm) {
  VecHandle v;
  PetscCallThrow(DMCreateGlobalVector(dm, v.out()));
  PetscCallThrow(VecSet(v, 0.0));
  return v;
}

VecHandle create_local_vector(DM dm) {
  VecHandle v;
  PetscCallThrow(DMCreateLocalVector(dm, v.out()));
  PetscCallThrow(VecSet(v, 0.0));
  return v;
}

}  // namespace mf
