#include "static_ot_solve.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "measureflow/errors.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"

namespace mf::static_ot {

namespace {

// Σ w_i p_i / Σ w_i over all ranks: the potential's mean under its normalised measure.
double weighted_mean(MPI_Comm comm, const WeightedPoints& c, const Kokkos::View<double*>& p) {
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), c.weights);
  auto v = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p);
  double s[2] = {0.0, 0.0};
  for (std::size_t i = 0; i < c.local_size(); ++i)
    if (w(i) > 0.0) {
      s[0] += w(i) * v(i);
      s[1] += w(i);
    }
  MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, comm);
  return s[0] / s[1];
}

void shift(const Kokkos::View<double*>& p, double c) {
  Kokkos::parallel_for("mf::static_ot::gauge", p.extent(0), KOKKOS_LAMBDA(const int i) { p(i) += c; });
  Kokkos::fence();
}

bool use_multiscale(const ViewCloud& x, const ViewCloud& y, const StaticSolveOptions& opt) {
  if (opt.method != StaticMethod::Auto) return opt.method == StaticMethod::Multiscale;
  return x.points.dim <= 3 && std::max(x.total, y.total) > kAutoDenseMaxPoints;
}

}  // namespace

void failed(const StaticSolveOptions& opt, const char* what, int iterations, double marginal_error) {
  // A stop during the ε-scaling leaves potentials of a larger ε, whose plan at ε is not even finite.
  const std::string where = std::isfinite(marginal_error) ? "at marginal error " + std::to_string(marginal_error)
                                                          : std::string("before the ε-scaling reached eps");
  throw SolverError(std::string("static_ot: the ") + what + " Sinkhorn plan at eps = " + std::to_string(opt.eps) +
                    " stopped " + where + " after " + std::to_string(iterations) +
                    " sweeps (solver.max_iterations = " + std::to_string(opt.max_iterations) +
                    ", solver.tolerance = " + std::to_string(opt.tolerance) +
                    "); raise solver.max_iterations or solver.eps");
}

StaticSolution solve_dense(MPI_Comm comm, const ViewCloud& x, const ViewCloud& y, const StaticSolveOptions& o,
                           const char* what) {
  ot::SinkhornOptions opt;
  opt.eps = o.eps;
  opt.tol = o.tolerance;
  opt.max_iterations = o.max_iterations;
  const ot::SinkhornResult plan = ot::sinkhorn(comm, x.points, y.points, opt);
  if (!plan.converged) failed(o, what, plan.iterations, plan.marginal_error);
  StaticSolution s;
  s.eps = o.eps;
  s.transport_cost = plan.transport_cost;
  s.entropic_cost = plan.entropic_cost;
  s.marginal_error = plan.marginal_error;
  s.iterations = plan.iterations;
  // The self terms by the symmetric fixed point; the cross term is the plan just solved.
  s.divergence = ot::sinkhorn_divergence(comm, x.points, y.points, opt, plan);
  s.map = ot::barycentric_projection(comm, x.points, y.points, plan, o.eps);
  s.f = plan.f;
  s.g = plan.g;
  s.seconds = plan.seconds;
  return s;
}

StaticSolution solve_static_ot(MPI_Comm comm, const ViewCloud& x, const ViewCloud& y, const StaticSolveOptions& opt,
                               const char* what) {
  StaticSolution s = use_multiscale(x, y, opt) ? solve_multiscale(comm, x, y, opt, what)
                                                     : solve_dense(comm, x, y, opt, what);
  // The gauge ⟨a, f⟩ = ⟨b, g⟩: (f + c, g − c) is the same plan for every c, and the two solvers reach
  // different c; fixing it makes their potentials comparable (and the written fields solver-independent).
  const double c = 0.5 * (weighted_mean(comm, y.points, s.g) - weighted_mean(comm, x.points, s.f));
  shift(s.f, c);
  shift(s.g, -c);
  return s;
}

}  // namespace mf::static_ot
