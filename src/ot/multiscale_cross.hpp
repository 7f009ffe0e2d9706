// The cross solve of the multiscale Sinkhorn (multiscale_sinkhorn.hpp) with its final potentials kept:
// the exact step (certified_exact.hpp) starts from them, keeping only the pairs of small reduced cost.
#pragma once
#include <mpi.h>

#include <vector>

#include "bin_hierarchy.hpp"
#include "measureflow/ot/multiscale_sinkhorn.hpp"

namespace mf::ot::detail {

struct CrossPotentials {
  Real1 f, g;  // absorbed potentials of X[0] and Y[0] (bin-sorted order) at opt.eps, y marginal exact
  double transport_cost = 0.0, entropic_cost = 0.0, marginal_error = 0.0;
  long long pairs = 0;
  int iterations = 0;
  bool converged = false;
};

// OT_ε(x, y) by the multiscale ε-scaling down to opt.eps (self terms and the 2ε record are not solved).
// X, Y: the hierarchies of x and y. Collective; the same bits on every rank count.
CrossPotentials multiscale_cross_potentials(MPI_Comm comm, const std::vector<Level>& X, const std::vector<Level>& Y,
                                            const HostCloud& x, const HostCloud& y, const MultiscaleOptions& opt);

// Continues from absorbed level-0 potentials (f, g) of a solve at eps_from down to opt.eps (< eps_from),
// halving ε on level 0 only: the bracketed solver's refinement, without the coarse stages again.
CrossPotentials continue_cross_potentials(MPI_Comm comm, const Level& X0, const Level& Y0, const Real1& f,
                                          const Real1& g, double eps_from, const MultiscaleOptions& opt);

// OT_ε(x, x) by the symmetric fixed point of multiscale_divergence's self terms, down to opt.eps (no 2ε
// record); `converged` says whether it met opt.tol. X: the hierarchy of x. Collective; rank-independent.
double multiscale_self_cost(MPI_Comm comm, const std::vector<Level>& X, const HostCloud& x, const MultiscaleOptions& opt,
                            bool& converged);

}  // namespace mf::ot::detail
