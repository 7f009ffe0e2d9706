// The cross-view yardstick (docs/yardstick.md): the debiased multiscale Sinkhorn W2 between a grid
// density and particles, the one computation behind every `cross.w2_*` metric (the Driver's
// Diagnostics at outputs, dynamic OT's time slices).
#pragma once
#include <petscvec.h>

#include "measureflow/grid.hpp"
#include "measureflow/model.hpp"
#include "measureflow/particles.hpp"

namespace mf {

struct CrossW2 {
  double w2 = 0.0;              // sqrt(max(S_ε, 0))
  double eps = 0.0;             // the final ε
  double bias_estimate = 0.0;   // |W(2ε) − W(ε)|
  double marginal_error = 0.0;  // the solver's L1 marginal residual at ε
  long long points_eulerian = 0, points_lagrangian = 0;
  double seconds = 0.0, cpu_seconds = 0.0;
};

// Every cell with positive mass against every particle whose id is a multiple of ceil(N / max_particles)
// (all of them when N ≤ max_particles): the same points and the same answer on any rank count. ε = 2 h_max²
// when eps ≤ 0: small enough that the entropic bias is below the discretisation error being measured (the
// bias estimate beside it says so or not), cheap enough through the grid's bins. Collective.
// In 1D the W2 is exact (quantile functions, ot/quantile_w2_1d.hpp), between the grid's piecewise-constant
// density and every particle: eps and max_particles are not used; eps, bias_estimate and marginal_error are 0.
CrossW2 cross_view_w2(const Grid& grid, Vec density, const ParticleSet& particles, double eps, long long max_particles);

// The pinned cross.w2_* metrics of one comparison (docs/metrics.md).
void add_cross_w2_metrics(const CrossW2& r, Metrics& m);

}  // namespace mf
