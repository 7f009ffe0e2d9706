// W2² between two clouds in 1 to 3 dimensions to a stated relative accuracy, certified by a bracket
// instead of solved exactly: multiscale ε-scaling (multiscale_sinkhorn.hpp) down to a first ε, then the
// bracket lower ≤ W2² ≤ upper from the potentials (a c-transform lower bound, the rounded plan's cost as the
// upper bound; src/ot/transport_bracket.hpp); while (upper − lower) > relative_gap · lower, ε is halved
// on the finest level (warm-started from the last potentials) and the bracket recomputed.
//
// Why not the exact LP: at 10⁶ points the serial network simplex and the sweeps at ε ≈ 4h² that it needs
// dominate, while 10⁻³ in W2 (2·10⁻³ in W2²) only needs the entropic plan within O(ε) of optimal, which the
// bracket proves without knowing W2².
//
// Memory per rank: the clouds, the hierarchy, the potentials and the kernel's candidate bins: O(n + m)
// with the kernel streamed (or 12 bytes per kept pair when stored, below sinkhorn.max_stored_pairs).
// Ranks: the same bits on any rank count (rows split and gathered, sums in index order).
#pragma once
#include <mpi.h>

#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf::ot {

struct BracketedOptions {
  MultiscaleOptions sinkhorn;   // sinkhorn.eps: the first ε; every stage solved to sinkhorn.tol, ω on every stage
  double relative_gap = 2e-3;   // stop once (upper − lower) ≤ this × lower (2e-3: W2 to 1e-3)
  int max_halvings = 6;         // ε halvings after the first bracket; unmet after them → met = false
  double bracket_truncation = 0;  // θ of the rounded plan (pairs with reduced cost ≤ θε); 0: sinkhorn.truncation
};

struct BracketedTransport {
  double lower = 0.0, upper = 0.0;  // lower ≤ W2² ≤ upper (rigorous up to floating-point rounding)
  double estimate = 0.0;            // (lower + upper) / 2: within (upper − lower)/2 of W2²
  double relative_gap = 0.0;        // (upper − lower) / lower
  bool met = false;                 // relative_gap ≤ the requested one
  double eps = 0.0;                 // ε of the last stage
  int brackets = 0;                 // brackets computed (1 + ε halvings)
  double sinkhorn_cost = 0.0;       // ⟨π_ε, C⟩ of the last entropic plan (y marginal exact), before rounding
  double entropic_cost = 0.0;       // its dual value
  double marginal_error = 0.0;      // L1 error of its x marginal
  double deficit_mass = 0.0;        // mass the rounding moved
  long long kernel_pairs = 0;       // the most kept pairs of one stage (all ranks)
  int iterations = 0;               // sweeps, all stages
  bool converged = false;           // every stage met tol
  double sinkhorn_seconds = 0.0, bracket_seconds = 0.0;  // wall, slowest rank
  double seconds = 0.0;             // wall, slowest rank
  double cpu_seconds = 0.0;         // processor time, all ranks together
};

// Collective; every rank passes the same clouds and gets the same result.
BracketedTransport bracketed_transport(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                       const BinLattice& lattice, const BracketedOptions& opt);

}  // namespace mf::ot
