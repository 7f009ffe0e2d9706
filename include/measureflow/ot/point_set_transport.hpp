// Optimal transport between two distributed point sets, as `measureflow ot` computes it: exact (1D
// quantiles, or an assignment for small uniform sets) or entropic (Sinkhorn, with the debiased
// divergence). The command line only parses options and prints the result.
#pragma once
#include <mpi.h>

#include <map>
#include <optional>
#include <string>

#include "measureflow/weighted_points.hpp"

namespace mf::ot {

struct PointSetTransportOptions {
  std::string method = "sinkhorn";  // sinkhorn | exact
  // sinkhorn's solver: multiscale (bins, reduced-cost truncation; 1–3 dimensions), dense (streaming, all
  // pairs, any dimension), auto (multiscale in 1–3 dimensions, dense above), exact (1–3 dimensions:
  // multiscale ε-scaling, then the exact LP on the kept pairs, certified on all pairs; certified_exact.hpp).
  // With exact, eps defaults to 4 × the squared mean spacing of the points. bracket (1–3 dimensions):
  // multiscale ε-scaling, then lower ≤ W2² ≤ upper certified from the potentials, ε halved until
  // (upper − lower) ≤ bracket_gap × lower (bracketed_transport.hpp); eps is then the first bracketed ε
  // (default: 4 × the squared mean spacing in 1D and 2D, 1/2 × it in 3D).
  std::string solver = "auto";
  double bracket_gap = 2e-3;  // solver bracket: relative width of the W2² bracket (2e-3: W2 to 1e-3)
  long long max_stored_pairs = 200000000;  // solver bracket: kernel pairs stored per rank (12 bytes each, one orientation)
  std::optional<double> eps;        // default: 1e-3 × squared diameter of the joint bounding box
  double tol = 1e-6;
  int max_iterations = 10000;
  bool divergence = true;  // also compute the debiased Sinkhorn divergence (two more solves)
};

struct PointSetTransport {
  long n = 0, m = 0;
  int d = 0;
  std::string method;     // what ran: sinkhorn, exact (--method exact), certified_exact (solver exact)
  bool converged = true;  // Sinkhorn reached tol (always true for exact)
  double tol = 0.0;
  // Pinned result names (docs/cli.md): transport_cost, entropic_cost, divergence, iterations,
  // marginal_error, eps; nullopt where the method does not define the value.
  // solver exact adds: certified (1/0), certificate_violations, lp_rounds, lp_arcs, cost_resolution,
  // sinkhorn_transport_cost, sinkhorn_marginal_error.
  // solver bracket adds: w2sq_lower, w2sq_upper, w2sq_estimate, bracket_relative_gap, bracket_met (1/0),
  // brackets, sinkhorn_transport_cost, sinkhorn_marginal_error, rounding_mass.
  std::map<std::string, std::optional<double>> values;
};

// Collective over comm; every rank gets the same result. Throws mf::InputError when the sets cannot be
// compared (different dimensions, exact method on sets it cannot solve).
PointSetTransport transport_point_sets(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y,
                                       const PointSetTransportOptions& options);


}  // namespace mf::ot
