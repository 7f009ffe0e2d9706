// Zeroed global and local (ghosted) vectors of a DMDA, as RAII handles: shared by the spatial Grid and
// dynamic OT's space-time grid.
#pragma once
#include <petscdm.h>

#include "measureflow/petsc_handle.hpp"

namespace mf {

VecHandle create_global_vector(DM dm);
VecHandle create_local_vector(DM dm);

}  // namespace mf
