// The debiased Sinkhorn divergence S_ε(a, b) = OT_ε(a, b) − (OT_ε(a, a) + OT_ε(b, b)) / 2, with the two
// self-transport terms by the symmetric fixed point (sinkhorn_divergence.hpp).
#include "measureflow/ot/sinkhorn_divergence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "measureflow/errors.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/log_event.hpp"
#include "sinkhorn_sides.hpp"

namespace mf::ot {

using namespace detail;  // Side, pack, softmin, marginal_violation, store_potential, sum_all

double self_entropic_cost(MPI_Comm comm, const WeightedPoints& x, const SinkhornOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("self_entropic_cost: eps must be finite and > 0, got " + std::to_string(opt.eps));
  const ScopedLogEvent event("mf::ot::self_entropic_cost");
  const int dim = x.dim;
  Side X = pack(comm, x, dim, "x");
  double eps = opt.eps;
  if (opt.eps_scaling) eps = std::max(opt.eps, squared_diameter(comm, x, x));
  int it = 0;
  while (it < opt.max_iterations) {
    const bool final_stage = eps <= opt.eps;
    const double stage_tol = final_stage ? opt.tol : std::max(opt.tol, opt.stage_tol);
    double err = std::numeric_limits<double>::infinity();
    while (it < opt.max_iterations && err > stage_tol) {
      const Column fresh = softmin(comm, X, X, dim, eps);
      err = marginal_violation(comm, X, fresh, dim, eps);
      // Averaging (ω = ½) damps the period-2 oscillation of the plain symmetric update.
      store_potential(X, fresh, dim, 0.5);
      ++it;
      if (!std::isfinite(err)) throw SolverError("self_entropic_cost: marginal error is not finite");
    }
    if (final_stage) break;
    eps = std::max(opt.eps, eps * opt.scaling_factor);
  }
  // One last plain update makes f the exact softmin of itself up to the tolerance; dual value 2⟨a, f⟩.
  store_potential(X, softmin(comm, X, X, dim, opt.eps), dim, 1.0);
  const PointBlock p = X.packed;
  double local = 0.0;
  Kokkos::parallel_reduce(
      "mf::ot::self_dual", X.n,
      KOKKOS_LAMBDA(const int i, double& acc) {
        if (p(i, dim) > -1e300) acc += kmath::exp(p(i, dim)) * p(i, dim + 1);
      },
      local);
  return 2.0 * sum_all(comm, local);
}

double sinkhorn_divergence(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt,
                           const SinkhornResult& xy) {
  const double xx = self_entropic_cost(comm, x, opt);
  const double yy = self_entropic_cost(comm, y, opt);
  return xy.entropic_cost - 0.5 * (xx + yy);
}

double sinkhorn_divergence(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt) {
  return sinkhorn_divergence(comm, x, y, opt, sinkhorn(comm, x, y, opt));
}

double sinkhorn_w2(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, double eps) {
  SinkhornOptions opt;
  opt.eps = eps;
  return std::sqrt(std::max(sinkhorn_divergence(comm, x, y, opt), 0.0));
}

}  // namespace mf::ot
