// Geometric multigrid (PCMG) for the space-time Poisson solve on the DMDA hierarchy: chosen with
// -dot_pc_type mg; GAMG stays the default and hypre an option.
#pragma once
#include <petscksp.h>

#include "space_time_grid.hpp"

namespace mf::dynamic_ot {

// Levels the grid supports: the number of times every axis can be halved while each rank keeps at
// least two cells per axis (cell-centred Q0 coarsening needs even counts), plus the fine level.
PetscInt geometric_levels(const SpaceTimeGrid& grid);

// If the options database says -dot_pc_type mg, sets PCMG up on `ksp`: the DMDA hierarchy (the DM gives
// coarsening and interpolation only; the operator is ours), levels from geometric_levels, Galerkin
// coarse operators, and a pseudo-inverse (SVD) coarse solve because the Neumann operator is singular
// on every level. Call before KSPSetFromOptions (PCMG fixes its levels there), so any -dot_pc_mg_* or
// -dot_mg_* option still overrides these defaults. Returns whether PCMG was chosen.
bool prepare_geometric_mg(KSP ksp, const SpaceTimeGrid& grid);

}  // namespace mf::dynamic_ot
