#include "poisson_multigrid.hpp"

#include <petscdmda.h>

#include <string>

#include "measureflow/petsc_check.hpp"

namespace mf::dynamic_ot {

PetscInt geometric_levels(const SpaceTimeGrid& grid) {
  PetscInt procs[3] = {1, 1, 1};
  PetscCallThrow(DMDAGetInfo(grid.dm(), nullptr, nullptr, nullptr, nullptr, &procs[0], &procs[1], &procs[2], nullptr,
                             nullptr, nullptr, nullptr, nullptr, nullptr));
  const int axes = grid.space_dim() + 1;
  PetscInt levels = 1;
  for (;;) {
    bool can = true;
    for (int a = 0; a < axes; ++a) {
      const PetscInt n = grid.cells(a) >> (levels - 1);
      // Halving must be exact (Q0 maps each coarse cell onto two fine ones) and leave every rank
      // at least two cells, so that the coarse DMDA keeps the fine one's process grid.
      if (n % 2 != 0 || n / 2 < 2 * procs[a]) can = false;
    }
    if (!can) return levels;
    ++levels;
  }
}

bool prepare_geometric_mg(KSP ksp, const SpaceTimeGrid& grid) {
  char type[64] = "";
  PetscBool set = PETSC_FALSE;
  PetscCallThrow(PetscOptionsGetString(nullptr, "dot_", "-pc_type", type, sizeof type, &set));
  if (!set || std::string(type) != PCMG) return false;
  PetscCallThrow(KSPSetDM(ksp, grid.dm()));
  PetscCallThrow(KSPSetDMActive(ksp, PETSC_FALSE));
  PC pc;
  PetscCallThrow(KSPGetPC(ksp, &pc));
  PetscCallThrow(PCSetType(pc, PCMG));
  PetscCallThrow(PCMGSetLevels(pc, geometric_levels(grid), nullptr));
  PetscCallThrow(PCMGSetGalerkin(pc, PC_MG_GALERKIN_BOTH));
  KSP coarse;
  PetscCallThrow(PCMGGetCoarseSolve(pc, &coarse));
  PetscCallThrow(KSPSetType(coarse, KSPPREONLY));
  PC cpc;
  PetscCallThrow(KSPGetPC(coarse, &cpc));
  // A few hundred coarse unknowns at most: every rank takes a copy and applies its pseudo-inverse,
  // which also keeps the coarse correction orthogonal to the constants (LU would hit a zero pivot).
  PetscCallThrow(PCSetType(cpc, PCREDUNDANT));
  KSP inner;
  PetscCallThrow(PCRedundantGetKSP(cpc, &inner));
  PC ipc;
  PetscCallThrow(KSPGetPC(inner, &ipc));
  PetscCallThrow(PCSetType(ipc, PCSVD));
  return true;
}

}  // namespace mf::dynamic_ot
