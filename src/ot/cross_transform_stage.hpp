// One level-0 stage of the multiscale cross solve on the grid cross transform (grid_cross_transform.hpp)
// instead of the sparse kernel: the same alternating, over-relaxed updates on the potentials themselves,
// with no kernel to build (docs/yardstick.md, "A transform for the 3D cross kernel").
#pragma once
#include <mpi.h>

#include "bin_hierarchy.hpp"
#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "over_relaxation.hpp"

namespace mf::ot::detail {

struct TransformStage {
  bool done = false;          // false: f and g are untouched and the caller runs the sparse kernel
  int sweeps = 0;
  double err = 0.0;           // L1 violation of the y marginal before the last (plain) y update
  double outer_share = 0.0;   // the larger side's mass on the windows' outermost layers (acceptance test)
  double transport_cost = 0.0;  // ⟨π, C⟩ (want_cost only)
  long long window_cells = 0;
};

// Whether the cross solve runs its level-0 stages of X (the cells) against Y on the transform:
// opt.cross_transform > 0, or < 0 in 3D, and none of the options that need the stored pairs.
bool cross_transform_wanted(const MultiscaleOptions& opt, const Level& X);

// Updates f (on X) and g (on Y) at ε until the y marginal's violation is ≤ tol (or max_sweeps): both updates
// over-relaxed by relax (its ω follows the violations), the last y update plain. The windows hold every pair
// with a Gaussian factor above e^{−(θ + 10)} (θ = truncation). The stage is accepted only if, on each side, the rows' mass on their
// windows' outermost layer, Σ_i a_i S_outer,i/S_i (a cell in no window counting whole), is at most 10⁻³·tol:
// the windows then hold the plan to a thousandth of the marginal tolerance. The cells in no window (the grid's
// far tail, beyond every particle's window) take no part in the sweeps; their potentials are the soft
// c-transform of the final g over all particles. Collective; rank-independent bits.
// forced: run it even where it does not pay (a grid no larger than one window; opt.cross_transform > 0).
TransformStage cross_stage_by_transform(MPI_Comm comm, const Level& X, const Level& Y, double eps, double tol, OverRelaxation relax,
                                        double truncation, int max_sweeps, bool want_cost, bool forced, Real1& f, Real1& g);

// f(i) = −ε log Σ_j b_j exp((g_j − |x_i − y_j|²)/ε) over every particle (the soft c-transform: an exact search
// of the nearest, then the pairs within θε of it) for the cells i in no window, where fresh(i) is +inf (the grid's
// far tail); the other cells of f are untouched. The tail cells are split over the ranks and gathered: every
// rank ends with all of them, the same bits on any rank count. Collective; returns the number of tail cells.
int tail_cells_by_c_transform(MPI_Comm comm, const Level& X, const Level& Y, const Real1& g, const Real1& fresh, double eps,
                              double truncation, Real1& f);

}  // namespace mf::ot::detail
