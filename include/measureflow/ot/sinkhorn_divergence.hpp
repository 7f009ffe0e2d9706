// The one debiased Sinkhorn divergence of the code (Diagnostics' cross W2, dynamic OT slices, the
// entropic coupling's divergence, `measureflow ot`):
//   S_ε(a, b) = OT_ε(a, b) − (OT_ε(a, a) + OT_ε(b, b)) / 2,
// the cross term by the two-sided solve (sinkhorn.hpp), the self terms by the symmetric fixed point.
#pragma once
#include <mpi.h>

#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf::ot {

// OT_ε(a, a) of one cloud with itself by the symmetric fixed point f ← (f + softmin_ε(f)) / 2 (Feydy et
// al. 2019), which converges in a few tens of sweeps where the two-sided iteration on (x, x) oscillates
// for hundreds at small ε. Returns the dual value 2⟨a, f⟩ (= the entropic cost at the fixed point).
// Uses opt.eps, tol, max_iterations, eps_scaling, scaling_factor, stage_tol (not relaxation).
double self_entropic_cost(MPI_Comm comm, const WeightedPoints& x, const SinkhornOptions& opt);

// S_ε with the x–y term solved here.
double sinkhorn_divergence(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt);
// S_ε reusing an x–y solve the caller already has (its entropic cost), so the plan is not solved twice.
double sinkhorn_divergence(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt,
                           const SinkhornResult& xy);

// sqrt(max(S_ε, 0)) with default options at this ε: a W2 estimate with O(ε²)-small bias for smooth measures.
double sinkhorn_w2(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, double eps);

}  // namespace mf::ot
