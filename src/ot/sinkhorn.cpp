// Log-domain Sinkhorn over MPI: each rank keeps its x and y blocks; to update the potentials on its own
// points it sees every block of the other side once per sweep, passed around the ring (ring_visit).
#include "measureflow/ot/sinkhorn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "measureflow/errors.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/log_event.hpp"
#include "sinkhorn_kernels.hpp"
#include "sinkhorn_sides.hpp"

namespace mf::ot {

namespace {

using namespace detail;  // Side, pack, softmin, marginal_violation, store_potential, sum_all

Column potential_column(const Side& s, int dim) {
  Column out("mf::ot::dual", s.n);
  const PointBlock p = s.packed;
  Kokkos::parallel_for("mf::ot::copy_potential", s.n, KOKKOS_LAMBDA(const int i) { out(i) = p(i, dim + 1); });
  Kokkos::fence();
  return out;
}

double sum_view(const Column& v, int n) {
  double s = 0.0;
  Kokkos::parallel_reduce("mf::ot::sum", n, KOKKOS_LAMBDA(const int i, double& acc) { acc += v(i); }, s);
  return s;
}

}  // namespace

double squared_diameter(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y) {
  const int d = x.dim;
  std::vector<double> lo(d, std::numeric_limits<double>::infinity()), hi(d, -std::numeric_limits<double>::infinity());
  for (const WeightedPoints* w : {&x, &y}) {
    auto p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w->positions);
    for (std::size_t i = 0; i < w->local_size(); ++i)
      for (int k = 0; k < d; ++k) {
        lo[k] = std::min(lo[k], p(i, k));
        hi[k] = std::max(hi[k], p(i, k));
      }
  }
  MPI_Allreduce(MPI_IN_PLACE, lo.data(), d, MPI_DOUBLE, MPI_MIN, comm);
  MPI_Allreduce(MPI_IN_PLACE, hi.data(), d, MPI_DOUBLE, MPI_MAX, comm);
  double s = 0.0;
  for (int k = 0; k < d; ++k) s += (hi[k] - lo[k]) * (hi[k] - lo[k]);
  return s;
}

SinkhornResult sinkhorn(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("sinkhorn: eps must be finite and > 0, got " + std::to_string(opt.eps));
  if (!(opt.tol > 0.0)) throw std::invalid_argument("sinkhorn: tol must be > 0");
  if (!(opt.scaling_factor > 0.0 && opt.scaling_factor < 1.0))
    throw std::invalid_argument("sinkhorn: scaling_factor must be in (0, 1)");
  if (!(opt.relaxation >= 1.0 && opt.relaxation < 2.0))
    throw std::invalid_argument("sinkhorn: relaxation must be in [1, 2)");
  const ScopedLogEvent event("mf::ot::sinkhorn");
  const double t_start = MPI_Wtime();
  const int dim = x.dim;
  Side X = pack(comm, x, dim, "x");
  Side Y = pack(comm, y, dim, "y");

  SinkhornResult r;
  // ε-scaling: large ε first (fast, well-conditioned), each stage warm-starting the next; only the
  // final stage is held to the user's tolerance.
  double eps = opt.eps;
  if (opt.eps_scaling) eps = std::max(opt.eps, squared_diameter(comm, x, y));
  int it = 0;
  double err = std::numeric_limits<double>::infinity();
  while (it < opt.max_iterations) {
    const bool final_stage = eps <= opt.eps;
    const double stage_tol = final_stage ? opt.tol : std::max(opt.tol, opt.stage_tol);
    // Over-relaxation only where iterations are many (the last stage; earlier ones take a handful).
    // Plain Sinkhorn decreases the violation steadily; if the relaxed iteration ever increases it,
    // the stage continues unrelaxed, so the fixed point and its convergence are plain Sinkhorn's.
    double omega = final_stage ? opt.relaxation : 1.0;
    err = std::numeric_limits<double>::infinity();
    while (it < opt.max_iterations && err > stage_tol) {
      store_potential(X, softmin(comm, X, Y, dim, eps), dim, omega);
      const Column g = softmin(comm, Y, X, dim, eps);
      const double previous = err;
      err = marginal_violation(comm, Y, g, dim, eps);
      // The exact g update on the last iteration gives the returned plan exact y-marginals.
      store_potential(Y, g, dim, err > stage_tol ? omega : 1.0);
      ++it;
      if (!std::isfinite(err)) throw SolverError("sinkhorn: marginal error is not finite at eps = " + std::to_string(eps));
      if (err > previous) omega = 1.0;
    }
    if (final_stage) break;
    eps = std::max(opt.eps, eps * opt.scaling_factor);
  }
  r.iterations = it;
  r.converged = err <= opt.tol && eps <= opt.eps;

  // Plan statistics in one more sweep: π has exact column sums after the last g update; its row sums
  // give the remaining marginal violation.
  Column cost("mf::ot::row_cost", X.n), log_ratio("mf::ot::row_log_ratio", X.n), mass("mf::ot::row_mass", X.n);
  ring_visit(comm, Y.packed, Y.n, [&](const PointBlock& block, int rows, int) {
    detail::plan_accumulate(X.packed, X.n, block, rows, dim, opt.eps, cost, log_ratio, mass);
  });
  Kokkos::fence();
  const PointBlock px = X.packed;
  double row_err = 0.0;
  Kokkos::parallel_reduce(
      "mf::ot::row_error", X.n,
      KOKKOS_LAMBDA(const int i, double& e) {
        const double a = px(i, dim) > -1e300 ? kmath::exp(px(i, dim)) : 0.0;
        e += kmath::fabs(mass(i) - a);
      },
      row_err);
  const double transport = sum_all(comm, sum_view(cost, X.n));
  const double ratio = sum_all(comm, sum_view(log_ratio, X.n));
  const double total = sum_all(comm, sum_view(mass, X.n));
  r.transport_cost = transport;
  // ε KL(π | a⊗b) = Σ π (f + g − C) − ε (Σ π − 1), the generalised KL of a plan of any mass.
  r.entropic_cost = transport + ratio - opt.eps * (total - 1.0);
  r.marginal_error = sum_all(comm, row_err);
  r.f = potential_column(X, dim);
  r.g = potential_column(Y, dim);
  r.seconds = MPI_Wtime() - t_start;
  double slowest = 0.0;
  MPI_Allreduce(&r.seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
  r.seconds = slowest;
  return r;
}

PointsView barycentric_projection(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y,
                                  const SinkhornResult& r, double eps) {
  const ScopedLogEvent event("mf::ot::barycentric_projection");
  const int dim = x.dim;
  Side X = pack(comm, x, dim, "x");
  Side Y = pack(comm, y, dim, "y");
  if (r.f.extent(0) != static_cast<size_t>(X.n) || r.g.extent(0) != static_cast<size_t>(Y.n))
    throw std::invalid_argument("barycentric_projection: potentials do not match the local blocks");
  const PointBlock px = X.packed, py = Y.packed;
  const Column f = r.f, g = r.g;
  Kokkos::parallel_for("mf::ot::set_f", X.n, KOKKOS_LAMBDA(const int i) { px(i, dim + 1) = f(i); });
  Kokkos::parallel_for("mf::ot::set_g", Y.n, KOKKOS_LAMBDA(const int j) { py(j, dim + 1) = g(j); });
  Kokkos::fence();
  // A softmax over y with values y, shifted by f_i: Σ_j exp(lb_j + (f_i + g_j − C_ij)/ε) y_j and its mass.
  SoftmaxState st(X.n, dim);
  ring_visit(comm, Y.packed, Y.n, [&](const PointBlock& block, int rows, int) {
    softmax_accumulate<SoftmaxShift::Fixed>(SquaredDistanceScore{px, block, dim, 1.0 / eps, true}, X.n, rows, st);
  });
  const auto numerator = st.acc;
  const auto denominator = st.sum;
  PointsView out("mf::ot::barycentric_projection", X.n, dim);
  Kokkos::parallel_for(
      "mf::ot::projection_finish", X.n, KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < dim; ++k) out(i, k) = numerator(i, k) / denominator(i);
      });
  Kokkos::fence();
  return out;
}

}  // namespace mf::ot
