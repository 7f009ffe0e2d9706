// What the spatial Grid and dynamic OT's space-time grid both ask of their DMDA: zeroed global and local
// (ghosted) vectors as RAII handles, and the owned and ghosted index boxes of this rank.
#pragma once
#include <petscdm.h>
#include <petscdmda.h>

#include <array>

#include "measureflow/petsc_handle.hpp"

namespace mf {

VecHandle create_global_vector(DM dm);
VecHandle create_local_vector(DM dm);

// First corner and extent of this rank's owned and ghosted blocks on the DMDA's three axes (x first).
struct DmdaCorners {
  std::array<PetscInt, 3> owned_start, owned_count, ghosted_start, ghosted_count;
};
DmdaCorners dmda_corners(DM dm);

// Sets the first three axes of a box type with `start` and `count` arrays (IndexBox, Box4).
template <class Box>
void set_boxes(const DmdaCorners& c, Box& owned, Box& ghosted) {
  for (int a = 0; a < 3; ++a) {
    owned.start[a] = c.owned_start[a];
    owned.count[a] = c.owned_count[a];
    ghosted.start[a] = c.ghosted_start[a];
    ghosted.count[a] = c.ghosted_count[a];
  }
}

}  // namespace mf
