// Multilevel start of the Benamou–Brenier solver (solver.levels): solve the same problem on the grid
// with half the cells on every axis (recursively, coarsest first), prolongate its staggered field and
// dual variable, and start the fine iteration there. The coarse solves cost 2^{-(d+1)} per iteration
// each, and the fine iteration starts within the discretisation error instead of from the linear
// interpolation with zero momentum.
#pragma once
#include <functional>

#include "benamou_brenier_solver.hpp"

namespace mf::dynamic_ot {

using DensityFn = std::function<double(const double*)>;

struct CoarseWork {
  int levels = 0;                // coarse levels actually solved
  long long iterations = 0;      // their iterations, summed
  double cell_iterations = 0.0;  // Σ iterations × space-time cells (divide by the fine cell count)
  double seconds = 0.0;
  double w2sq = 0.0;             // W2² of the level right below the fine one (for solver.tolerance: auto)
};

// Warm-starts `fine_solver` (on `fine`) from up to `levels` − 1 coarser solves of the problem α0 = d0,
// α1 = d1 with the options `opt`. Stops coarsening where an axis is odd or would drop below 8 space or
// 4 time cells. Collective.
CoarseWork multilevel_start(BenamouBrenierSolver& fine_solver, const SpaceTimeGrid& fine, const DensityFn& d0,
                            const DensityFn& d1, const BenamouBrenierSolver::Options& opt, int levels);

}  // namespace mf::dynamic_ot
