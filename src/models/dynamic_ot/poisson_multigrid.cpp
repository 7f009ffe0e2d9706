#include "poisson_multigrid.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <string>
#include <vector>

#include "measureflow/errors.hpp"
#include "measureflow/petsc_check.hpp"
#include "measureflow/petsc_handle.hpp"

namespace mf::dynamic_ot {

PetscInt geometric_levels(const SpaceTimeGrid& grid) {
  if (grid.time_is_dof()) return 1;  // the DMDA of d = 3 is space only: no space-time hierarchy
  PetscInt procs[3] = {1, 1, 1};
  PetscCallThrow(DMDAGetInfo(grid.dm(), nullptr, nullptr, nullptr, nullptr, &procs[0], &procs[1], &procs[2], nullptr,
                             nullptr, nullptr, nullptr, nullptr, nullptr));
  const int axes = grid.space_dim() + 1;
  PetscInt levels = 1;
  for (;;) {
    for (int a = 0; a < axes; ++a) {
      const PetscInt n = grid.cells(a) >> (levels - 1);
      // Halving must be exact (Q0 maps each coarse cell onto two fine ones) and leave every rank
      // at least two cells, so that the coarse DMDA keeps the fine one's process grid.
      if (n % 2 != 0 || n / 2 < 2 * procs[a]) return levels;
    }
    ++levels;
  }
}

bool prepare_geometric_mg(KSP ksp, Mat A, const SpaceTimeGrid& grid) {
  char type[64] = "";
  PetscBool set = PETSC_FALSE;
  PetscCallThrow(PetscOptionsGetString(nullptr, "dot_", "-pc_type", type, sizeof type, &set));
  if (!set || std::string(type) != PCMG) return false;
  if (grid.time_is_dof())
    throw InputError("-dot_pc_type mg: geometric multigrid needs the space-time DMDA of d = 1, 2; for domain.dim 3 "
                     "time is the DMDA's dof and would not be coarsened (allowed there: the default gamg, or hypre)");
  PetscInt levels = geometric_levels(grid), asked = 0;
  PetscCallThrow(PetscOptionsGetInt(nullptr, "dot_", "-pc_mg_levels", &asked, &set));
  if (set) levels = std::max<PetscInt>(1, std::min(levels, asked));

  // CG's default (preconditioned) residual norm stagnated near 2e-8 of ‖b‖ on 128²×64 with this V-cycle
  // on the singular Neumann operator, and CG then stopped with DIVERGED_INDEFINITE_MAT after 50
  // iterations; the true residual ‖DDᵀφ − DV‖ keeps falling (19–21 iterations a solve) and is what the
  // projection needs.
  PetscCallThrow(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PC pc;
  PetscCallThrow(KSPGetPC(ksp, &pc));
  PetscCallThrow(PCSetType(pc, PCMG));
  PetscCallThrow(PCMGSetLevels(pc, levels, nullptr));
  // Finest first: level levels−1 is the fine grid with the assembled operator.
  DMHandle fine_dm;
  PetscCallThrow(PetscObjectReference(reinterpret_cast<PetscObject>(grid.dm())));
  *fine_dm.out() = grid.dm();
  MatHandle fine_op;
  PetscCallThrow(PetscObjectReference(reinterpret_cast<PetscObject>(A)));
  *fine_op.out() = A;
  for (PetscInt l = levels - 1; l >= 0; --l) {
    KSP smoother;
    PetscCallThrow(PCMGGetSmoother(pc, l, &smoother));
    PetscCallThrow(KSPSetOperators(smoother, fine_op, fine_op));
    if (l == 0) break;
    DMHandle coarse_dm;
    PetscCallThrow(DMCoarsen(fine_dm, grid.comm(), coarse_dm.out()));
    MatHandle P, coarse_op;
    PetscCallThrow(DMCreateInterpolation(coarse_dm, fine_dm, P.out(), nullptr));
    PetscCallThrow(PCMGSetInterpolation(pc, l, P));
    PetscCallThrow(MatPtAP(fine_op, P, MAT_INITIAL_MATRIX, 2.0, coarse_op.out()));
    PetscCallThrow(MatScale(coarse_op, 0.5));
    fine_dm = std::move(coarse_dm);
    fine_op = std::move(coarse_op);
  }
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
