// Internals shared by the two-sided Sinkhorn solve (sinkhorn.cpp) and the symmetric self-transport of
// the debiased divergence (sinkhorn_divergence.cpp): one side of the problem packed as a PointBlock,
// the softmin sweep over the ring, the marginal check and the potential update.
#pragma once
#include <mpi.h>

#include <vector>

#include "measureflow/streaming_softmax.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf::ot::detail {

using Column = Kokkos::View<double*>;

// One side of the problem on this rank.
struct Side {
  PointBlock packed;  // rows [coords, log normalised weight, potential]; rows past n (padding up to
                      // the largest block over ranks) have zero weight
  int n = 0;          // local rows
};

// Validates the cloud (dimensions, weights finite, ≥ 0, positive total) and packs it with potential 0.
// Collective.
Side pack(MPI_Comm comm, const WeightedPoints& w, int dim, const char* name);

// New potentials on `target`'s points: −ε log Σ_j exp(lw_j + (pot_j − C_ij)/ε) over all of `source`.
Column softmin(MPI_Comm comm, const Side& target, const Side& source, int dim, double eps);

// Σ_i w_i |exp((old_i − new_i)/ε) − 1|: the L1 violation of this side's marginal by the plan built
// with the stored (old) potential, given its exact update `fresh`.
double marginal_violation(MPI_Comm comm, const Side& side, const Column& fresh, int dim, double eps);

// Stores old + ω (fresh − old): ω = 1 is the plain Sinkhorn update, ω in (1, 2) over-relaxation.
void store_potential(Side& side, const Column& fresh, int dim, double omega);

double sum_all(MPI_Comm comm, double v);

}  // namespace mf::ot::detail
