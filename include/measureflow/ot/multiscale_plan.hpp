// The multiscale Sinkhorn plan (multiscale_sinkhorn.hpp) with everything the dense solver returns beside
// its costs: the potentials on EVERY point of both clouds (zero-weight ones too, which the solver itself
// drops) and the barycentric map, so that a caller can switch solvers without losing outputs.
//
// Both potentials are the soft c-transforms of the solver's final potentials of the other side,
//   f(x) = −ε log Σ_j b_j exp((g_j − |x − y_j|²)/ε),   g(y) = −ε log Σ_i a_i exp((f_i − |x_i − y|²)/ε),
// evaluated through the bin pyramid from the exact c-transform (sparse_kernel.hpp: soft_c_transform), so a
// cell far from the other measure's support gets a finite value. On the points with mass they equal the
// solver's potentials to its tolerance (the fixed point of Sinkhorn is a pair of mutual soft c-transforms).
#pragma once
#include <mpi.h>

#include <vector>

#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf::ot {

struct MultiscalePlan {
  double eps = 0.0;
  double transport_cost = 0.0;   // ⟨π, C⟩ of the cross plan at ε
  double entropic_cost = 0.0;    // OT_ε(x, y), the dual value ⟨a, f⟩ + ⟨b, g⟩
  double divergence = 0.0;       // S_ε = OT_ε(x, y) − (OT_ε(x, x) + OT_ε(y, y)) / 2 (0 without self terms)
  double marginal_error = 0.0;   // L1 violation of the cross plan at ε
  long long kernel_pairs = 0;    // the most pairs kept at one stage of the cross solve
  int iterations = 0;            // sweeps of the cross solve
  bool converged = false;        // cross (and self) solves met opt.tol
  double seconds = 0.0;          // wall time, slowest rank
  std::vector<double> f, g;      // potentials on every point of x and of y, in the clouds' order
  std::vector<double> map;       // x.size() × dim: T(x_i) = Σ_j π_ij y_j / Σ_j π_ij
};

// Collective; every rank passes the same clouds and gets the same result, bit for bit on any rank count.
// opt.self_terms selects the self solves (the divergence); opt.record_2eps is ignored (no S_2ε here).
MultiscalePlan multiscale_plan(MPI_Comm comm, const HostCloud& x, const HostCloud& y, const BinLattice& lattice,
                               const MultiscaleOptions& opt);

}  // namespace mf::ot
