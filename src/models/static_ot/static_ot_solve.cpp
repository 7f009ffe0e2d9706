#include "static_ot_solve.hpp"

#include <cmath>
#include <string>

#include "measureflow/errors.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"

namespace mf::static_ot {

StaticSolution solve_static_ot(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, double eps,
                               double tolerance, int max_iterations, const char* what) {
  ot::SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = tolerance;
  opt.max_iterations = max_iterations;
  const ot::SinkhornResult plan = ot::sinkhorn(comm, x, y, opt);
  if (!plan.converged) {
    // A stop during the ε-scaling leaves potentials of a larger ε, whose plan at ε is not even finite.
    const std::string where = std::isfinite(plan.marginal_error)
                                  ? "at marginal error " + std::to_string(plan.marginal_error)
                                  : std::string("before the ε-scaling reached eps");
    throw SolverError(std::string("static_ot: the ") + what + " Sinkhorn plan at eps = " + std::to_string(eps) +
                      " stopped " + where + " after " + std::to_string(plan.iterations) +
                      " sweeps (solver.max_iterations = " + std::to_string(max_iterations) +
                      ", solver.tolerance = " + std::to_string(tolerance) +
                      "); raise solver.max_iterations or solver.eps");
  }
  StaticSolution s;
  s.eps = eps;
  s.transport_cost = plan.transport_cost;
  s.entropic_cost = plan.entropic_cost;
  s.marginal_error = plan.marginal_error;
  s.iterations = plan.iterations;
  // The self terms by the symmetric fixed point; the cross term is the plan just solved.
  s.divergence = ot::sinkhorn_divergence(comm, x, y, opt, plan);
  s.map = ot::barycentric_projection(comm, x, y, plan, eps);
  s.f = plan.f;
  s.g = plan.g;
  s.seconds = plan.seconds;
  return s;
}

}  // namespace mf::static_ot
