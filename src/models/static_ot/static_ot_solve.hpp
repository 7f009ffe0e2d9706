// One static OT solve between two distributed weighted clouds, shared by both views: the log-domain
// Sinkhorn plan at ε (its potentials and costs), the debiased divergence reusing that plan, and the
// barycentric map of the plan.
#pragma once
#include <mpi.h>

#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf::static_ot {

struct StaticSolution {
  double eps = 0.0;
  double transport_cost = 0.0;   // ⟨π, C⟩: the primal cost of the entropic plan (static.w2sq)
  double entropic_cost = 0.0;    // OT_ε = ⟨π, C⟩ + ε KL(π | α⊗β)
  double divergence = 0.0;       // S_ε = OT_ε(α, β) − (OT_ε(α, α) + OT_ε(β, β)) / 2
  double marginal_error = 0.0;   // L1 violation of the plan's marginals
  int iterations = 0;
  double seconds = 0.0;
  Kokkos::View<double*> f, g;    // potentials on the local x and y blocks (cost units)
  PointsView map;                // T(x_i) = Σ_j π_ij y_j / Σ_j π_ij on the local x block
};

// Collective. Throws SolverError when the plan does not reach `tolerance` in `max_iterations` sweeps
// (`what` names the view in the message).
StaticSolution solve_static_ot(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, double eps,
                               double tolerance, int max_iterations, const char* what);

}  // namespace mf::static_ot
