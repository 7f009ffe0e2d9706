// Two-sided bounds on the exact discrete W2² from the potentials (f, g) of an entropic solve, valid for
// any potentials and any truncation (what they cost is only how wide the bracket is):
//
// lower: weak duality. For every g, g^c(x) = min_y |x − y|² − g(y) over ALL y makes g^c ⊕ g ≤ C, and
//   so does (g^c, g^cc) with g^cc ≥ g, hence ⟨a, g^c⟩ + ⟨b, g^cc⟩ ≤ W2². The minima are exact: a
//   branch-and-bound descent of the bin pyramid per point (sparse_kernel.hpp: exact_c_transform).
// upper: the cost of a feasible plan. The truncated entropic plan P_ij = a_i b_j exp((f_i + g_j − c_ij)/ε)
//   (kept pairs only) is rounded onto the marginals as Altschuler, Weed and Rigollet (2017) do: rows
//   scaled down to at most a_i, then columns to at most b_j, then the outer product of the deficits
//   δr δcᵀ / |δc|₁ added. The correction's cost is O(n) from moments:
//   Σ_i δr_i |x_i|² + Σ_j δc_j |y_j|² − 2 (Σ_i δr_i x_i)·(Σ_j δc_j y_j) / |δc|₁.
//
// Ranks: rows split as in the multiscale solver, gathered, summed in index order: the same bits on any
// rank count.
#pragma once
#include <mpi.h>

#include "bin_hierarchy.hpp"

namespace mf::ot::detail {

struct TransportBracket {
  double lower = 0.0;         // ⟨a, g^c⟩ + ⟨b, g^cc⟩ ≤ W2²
  double upper = 0.0;         // the rounded plan's cost ≥ W2²
  double plan_cost = 0.0;     // ⟨P, C⟩ of the scaled plan before the correction
  double deficit_mass = 0.0;  // |δr|₁: the mass the correction moves
  long long pairs = 0;        // kept pairs of the plan (all ranks)
  double lower_seconds = 0.0; // wall time of the two exact c-transforms (this rank)
};

// X, Y: level 0 of both hierarchies; f, g: absorbed potentials at ε (every point); theta: the plan keeps
// the pairs with c_ij − f_i − g_j ≤ theta·ε. Collective.
TransportBracket transport_bracket(MPI_Comm comm, const Level& X, const Level& Y, const Real1& f, const Real1& g,
                                   double eps, double theta);

}  // namespace mf::ot::detail
