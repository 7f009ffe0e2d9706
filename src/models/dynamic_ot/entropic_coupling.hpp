// The Lagrangian view's entropic coupling of α0 and α1 samples (issue #4): log-domain Sinkhorn between
// the two uniform point clouds, distributed over ranks, and the barycentric projection of the plan as
// the particles' end points. Costs are streamed (no n × n matrix), so n is not bounded by memory the way
// the Hungarian's O(n³) bounds the exact coupling; any dim.
#pragma once
#include <mpi.h>

#include <vector>

namespace mf::dynamic_ot {

struct EntropicCoupling {
  std::vector<double> end;       // T(x_i) = Σ_j π_ij y_j / Σ_j π_ij, n × dim by global id, on every rank
  double displacement = 0.0;     // Σ|x_i − T(x_i)|² / n: twice the particles' kinetic energy
  double transport_cost = 0.0;   // ⟨π, C⟩
  double divergence = 0.0;       // debiased S_ε = OT_ε(x, y) − (OT_ε(x, x) + OT_ε(y, y)) / 2
  double marginal_error = 0.0;   // L1 marginal violation of the returned plan
  int iterations = 0;            // Sinkhorn iterations of the x–y solve
  bool converged = false;
  double seconds = 0.0;          // wall time of the x–y solve and the projection (slowest rank)
  double debias_seconds = 0.0;   // wall time of the two symmetric solves (slowest rank)
};

// x, y: the same n × dim clouds on every rank (n points each, uniform weights 1/n). Rank r hands
// sinkhorn its id_block of each cloud; the projected end points are gathered back so every rank holds
// all of them. ε in squared-length units (cost |x − y|²). Collective over comm; the scalars agree
// across rank counts up to summation order. `debias` adds the two symmetric solves S_ε needs.
EntropicCoupling entropic_coupling(MPI_Comm comm, const std::vector<double>& x, const std::vector<double>& y,
                                   int dim, double eps, bool debias = true, double tol = 1e-5);

}  // namespace mf::dynamic_ot
