// One static OT solve between two distributed weighted clouds, shared by both views: the Sinkhorn plan at
// ε (its potentials and costs), the debiased divergence, and the barycentric map of the plan, by the dense
// log-domain solver (every pair, every sweep) or the multiscale one (the pairs of small reduced cost).
#pragma once
#include <mpi.h>

#include <vector>

#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/weighted_points.hpp"
#include "static_ot_config.hpp"

namespace mf::static_ot {

struct StaticSolution {
  double eps = 0.0;
  double transport_cost = 0.0;   // ⟨π, C⟩: the primal cost of the entropic plan (static.w2sq)
  double entropic_cost = 0.0;    // OT_ε = ⟨π, C⟩ + ε KL(π | α⊗β)
  double divergence = 0.0;       // S_ε = OT_ε(α, β) − (OT_ε(α, α) + OT_ε(β, β)) / 2
  double marginal_error = 0.0;   // L1 violation of the plan's marginals
  int iterations = 0;
  double seconds = 0.0;
  bool multiscale = false;       // which solver ran (solver.method, auto resolved)
  // Potentials on the local x and y blocks (cost units), every point including zero-mass ones, in the
  // gauge ⟨a, f⟩ = ⟨b, g⟩ (each is defined up to f + c, g − c; the gauge makes the solvers agree).
  Kokkos::View<double*> f, g;
  PointsView map;                // T(x_i) = Σ_j π_ij y_j / Σ_j π_ij on the local x block
};

// A view's local block and where each of its points sits in a rank-independent global order 0..total−1
// (a cell's natural index, a particle's id): the multiscale solver works on replicated clouds in it.
struct ViewCloud {
  WeightedPoints points;
  std::vector<long long> index;
  long long total = 0;
};

struct StaticSolveOptions {
  double eps = 0.0;
  double tolerance = 1e-6;
  int max_iterations = 20000;
  StaticMethod method = StaticMethod::Auto;
  long long max_stored_pairs = kDefaultMaxStoredPairs;  // the multiscale kernel's, per rank and orientation
  ot::BinLattice lattice;  // the multiscale solver's finest bins (the grid's cells)
};

// Collective. Throws SolverError when the plan does not reach `tolerance` in `max_iterations` sweeps
// (`what` names the view in the message).
StaticSolution solve_static_ot(MPI_Comm comm, const ViewCloud& x, const ViewCloud& y, const StaticSolveOptions& opt,
                               const char* what);

// The two solvers behind it (static_ot_solve.cpp, static_ot_multiscale.cpp): the potentials in the
// solver's own gauge; `failed` builds the SolverError of a solve that did not converge.
[[noreturn]] void failed(const StaticSolveOptions& opt, const char* what, int iterations, double marginal_error);
StaticSolution solve_dense(MPI_Comm comm, const ViewCloud& x, const ViewCloud& y, const StaticSolveOptions& opt,
                           const char* what);
StaticSolution solve_multiscale(MPI_Comm comm, const ViewCloud& x, const ViewCloud& y, const StaticSolveOptions& opt,
                                const char* what);

}  // namespace mf::static_ot
