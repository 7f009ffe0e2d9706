// W∗ρ on the grid by a distributed direct sum: every rank sees the whole density (small grids only:
// O(N) memory per rank and O(N_local · N) work) and sums over all cells for its own.
#pragma once
#include <petscvec.h>

#include "interaction_kernels.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/petsc_handle.hpp"

namespace mf::gradient_flow {

class GridConvolution {
 public:
  GridConvolution(const Grid& grid, InteractionKernel kernel);
  // phi_i = Σ_j W(x_i − x_j) ρ_j h^d (midpoint rule; softening takes care of j = i). Collective.
  void apply(Vec density, Vec phi);

 private:
  const Grid& grid_;
  InteractionKernel kernel_;
  VecScatterHandle to_all_;
  VecHandle all_;
};

}  // namespace mf::gradient_flow
