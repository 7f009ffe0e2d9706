#include <vector>

#include "measureflow/grid.hpp"

namespace mf {

std::vector<double> gather_natural_dm(DM dm, Vec global, GatherTo to) {
  VecHandle natural;
  PetscCallThrow(DMDACreateNaturalVector(dm, natural.out()));
  PetscCallThrow(DMDAGlobalToNaturalBegin(dm, global, INSERT_VALUES, natural));
  PetscCallThrow(DMDAGlobalToNaturalEnd(dm, global, INSERT_VALUES, natural));
  VecScatterHandle scatter;
  VecHandle target;
  if (to == GatherTo::Root)
    PetscCallThrow(VecScatterCreateToZero(natural, scatter.out(), target.out()));
  else
    PetscCallThrow(VecScatterCreateToAll(natural, scatter.out(), target.out()));
  PetscCallThrow(VecScatterBegin(scatter, natural, target, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallThrow(VecScatterEnd(scatter, natural, target, INSERT_VALUES, SCATTER_FORWARD));
  PetscInt n = 0;  // the whole vector where it was gathered, 0 on the other ranks of a gather to the root
  PetscCallThrow(VecGetLocalSize(target, &n));
  const PetscScalar* a = nullptr;
  PetscCallThrow(VecGetArrayRead(target, &a));
  std::vector<double> out(a, a + n);
  PetscCallThrow(VecRestoreArrayRead(target, &a));
  return out;
}

std::vector<double> gather_natural(const Grid& grid, Vec global) {
  return gather_natural_dm(grid.dm(), global, GatherTo::Root);
}

}  // namespace mf
