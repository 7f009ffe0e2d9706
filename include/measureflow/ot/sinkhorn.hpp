// Entropic optimal transport between distributed weighted point clouds: log-domain Sinkhorn with
// ε-scaling, streaming costs (no n×m matrix is ever stored), and the barycentric projection of the plan.
// The debiased divergence is in sinkhorn_divergence.hpp.
#pragma once
#include <mpi.h>

#include <Kokkos_Core.hpp>

#include "measureflow/weighted_points.hpp"

namespace mf::ot {

// Cost c(x, y) = |x − y|²; ε is in the same units (POT's `reg` with a squared-Euclidean cost matrix).
struct SinkhornOptions {
  double eps = 0.0;
  double tol = 1e-6;            // stop when the L1 marginal violation Σ_j |π_{·j} − b_j| is below tol
  int max_iterations = 10000;   // all ε stages together
  bool eps_scaling = true;      // anneal ε from the squared diameter down to eps
  double scaling_factor = 0.5;  // ε_{k+1} = max(eps, scaling_factor · ε_k)
  double stage_tol = 1e-2;      // marginal tolerance of the intermediate (annealing) stages
  double relaxation = 1.5;      // over-relaxation ω of the last stage's updates (1: plain Sinkhorn)
};

struct SinkhornResult {
  double transport_cost = 0.0;  // ⟨π, C⟩
  double entropic_cost = 0.0;   // ⟨π, C⟩ + ε KL(π | a⊗b)
  double marginal_error = 0.0;  // L1 marginal violation of the returned plan (both sides)
  int iterations = 0;           // one iteration = one f update and one g update
  bool converged = false;
  double seconds = 0.0;
  Kokkos::View<double*> f, g;  // local dual potentials (cost units) on the local x and y blocks
};

// Both measures are normalised to unit mass internally (weights need not sum to 1; they must be
// ≥ 0 with a positive total). Collective over comm; every rank gets the same scalars. Each rank
// holds a block of x and of y (any sizes, possibly empty); y blocks travel around a ring of ranks.
SinkhornResult sinkhorn(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt);

// sum over k of (max − min)² of the coordinates of x and y together (the joint bounding box's squared
// diagonal): the first ε of ε-scaling and the scale of `measureflow ot`'s default ε. Collective.
double squared_diameter(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y);

// T(x_i) = Σ_j π_ij y_j / Σ_j π_ij for the local x block (n_local × d). Dividing by the computed row
// mass rather than a_i keeps T a convex combination even when the rows are not exactly balanced.
PointsView barycentric_projection(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y,
                                  const SinkhornResult& r, double eps);

}  // namespace mf::ot
