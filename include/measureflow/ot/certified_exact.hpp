// The exact discrete W2² between two clouds in 1 to 3 dimensions, certified on all pairs: ε-scaling by
// the multiscale Sinkhorn (multiscale_sinkhorn.hpp) down to a small ε, where the pairs of small reduced
// cost form a sparse set around the optimal plan; the transportation linear program solved exactly on
// those pairs (LEMON's network simplex); then its dual potentials (u, v) checked on every pair: pairs
// with c_ij − u_i − v_j < 0 are found through the bin pyramid (the truncation's descent with threshold
// 0, never all n·m pairs), added, and the LP solved again until there are none. The duals are then
// feasible for the full problem and their value equals the LP's cost (checked in integers), so the
// LP's plan is optimal for all pairs: the exact discrete W2²
// (to the rounding stated in min_cost_flow.hpp: costs to `cost_resolution`, non-uniform masses to 2^-40).
//
// Ranks: the ε-scaling and the certificate's search are split by rows over the ranks; the LP is solved on
// rank 0 and its cost and duals broadcast, so every rank returns the same numbers on any rank count.
#pragma once
#include <mpi.h>

#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf::ot {

struct CertifiedExactOptions {
  MultiscaleOptions sinkhorn;       // ε-scaling to sinkhorn.eps at tolerance sinkhorn.tol (self terms unused)
  double candidate_truncation = 1;  // the first LP gets the pairs with reduced cost ≤ this × ε,
  int candidates_per_row = 12;      // at most this many per row (the smallest reduced costs): O(n) pairs
  int max_rounds = 100;             // LP solves; not certified after them → certified = false
  int max_added_per_row = 8;        // violators added per row and round (the most negative first)
};

struct CertifiedExact {
  double cost = 0.0;               // ⟨π, C⟩ of the LP's plan (exact marginals): W2² when certified
  bool certified = false;          // no pair has a negative reduced cost under the LP's duals
  long long violations = 0;        // pairs with negative reduced cost at the last check (0 when certified)
  int rounds = 0;                  // LP solves
  long long initial_arcs = 0;      // pairs of the first LP (kept by the truncation, plus a north-west-corner plan)
  long long arcs = 0;              // pairs of the last LP
  long long support = 0;           // pairs with positive flow in the plan
  double cost_resolution = 0.0;    // costs are rounded to integer multiples of this
  bool exact_masses = true;        // uniform weights: integer masses exact; else rounded to 2^-40
  double sinkhorn_cost = 0.0;      // ⟨π_ε, C⟩ of the ε-scaling's plan
  double entropic_cost = 0.0;      // its dual value OT_ε
  double sinkhorn_marginal_error = 0.0;
  int sinkhorn_iterations = 0;
  bool sinkhorn_converged = false;
  double sinkhorn_seconds = 0.0, lp_seconds = 0.0, certify_seconds = 0.0;  // wall, rank 0's view
  double seconds = 0.0;            // wall, slowest rank
  double cpu_seconds = 0.0;        // processor time, all ranks together
};

// Collective; every rank passes the same clouds (weights ≥ 0, normalised internally) and gets the same result.
CertifiedExact certified_exact_transport(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                         const BinLattice& lattice, const CertifiedExactOptions& opt);

}  // namespace mf::ot
