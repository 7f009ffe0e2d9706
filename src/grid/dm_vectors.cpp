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

DmdaCorners dmda_corners(DM dm) {
  DmdaCorners c;
  auto& xs = c.owned_start;
  auto& xm = c.owned_count;
  auto& gs = c.ghosted_start;
  auto& gm = c.ghosted_count;
  PetscCallThrow(DMDAGetCorners(dm, &xs[0], &xs[1], &xs[2], &xm[0], &xm[1], &xm[2]));
  PetscCallThrow(DMDAGetGhostCorners(dm, &gs[0], &gs[1], &gs[2], &gm[0], &gm[1], &gm[2]));
  return c;
}

}  // namespace mf
