// Geometric multigrid (PCMG) for the space-time Poisson solve on the DMDA hierarchy: chosen with
// -dot_pc_type mg; GAMG stays the default and hypre an option.
#pragma once
#include <petscksp.h>

#include "space_time_grid.hpp"

namespace mf::dynamic_ot {

// Levels the grid supports: the number of times every axis can be halved while each rank keeps at
// least two cells per axis (cell-centred Q0 coarsening needs even counts), plus the fine level.
PetscInt geometric_levels(const SpaceTimeGrid& grid);

// If the options database says -dot_pc_type mg, sets PCMG up on `ksp` for the operator A assembled on
// grid.dm(): coarse DMDAs by DMCoarsen (Q0: cell counts halve), piecewise-constant interpolation P
// from DMCreateInterpolation, and coarse operators A_c = ½ PᵀAP, which is exactly the same Laplacian
// rediscretised at twice the spacing (the plain Galerkin PᵀAP of constant interpolation is twice too
// stiff, and measured 16 → 23 → 31 CG iterations from 32²×32 to 128²×64). The coarsest level is
// solved by a redundant SVD pseudo-inverse (the Neumann operator is singular on every level). CG
// monitors the true (unpreconditioned) residual.
// Levels: geometric_levels, or fewer with -dot_pc_mg_levels. Call before KSPSetFromOptions, so that
// -dot_mg_levels_* / -dot_mg_coarse_* options still override. Returns whether PCMG was chosen.
bool prepare_geometric_mg(KSP ksp, Mat A, const SpaceTimeGrid& grid);

}  // namespace mf::dynamic_ot
