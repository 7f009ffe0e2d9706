#include <vector>

#include "measureflow/grid.hpp"

namespace mf {

std::vector<double> gather_natural(const Grid& grid, Vec global) {
  VecHandle natural;
  PetscCallThrow(DMDACreateNaturalVector(grid.dm(), natural.out()));
  PetscCallThrow(DMDAGlobalToNaturalBegin(grid.dm(), global, INSERT_VALUES, natural));
  PetscCallThrow(DMDAGlobalToNaturalEnd(grid.dm(), global, INSERT_VALUES, natural));
  VecScatterHandle scatter;
  VecHandle root;
  PetscCallThrow(VecScatterCreateToZero(natural, scatter.out(), root.out()));
  PetscCallThrow(VecScatterBegin(scatter, natural, root, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallThrow(VecScatterEnd(scatter, natural, root, INSERT_VALUES, SCATTER_FORWARD));
  PetscInt n = 0;
  PetscCallThrow(VecGetLocalSize(root, &n));
  std::vector<double> out(static_cast<size_t>(n));
  const PetscScalar* a = nullptr;
  PetscCallThrow(VecGetArrayRead(root, &a));
  for (PetscInt i = 0; i < n; ++i) out[i] = a[i];
  PetscCallThrow(VecRestoreArrayRead(root, &a));
  return out;
}

}  // namespace mf
