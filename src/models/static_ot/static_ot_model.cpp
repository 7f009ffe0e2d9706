// The static_ot model: builds the grid (the Eulerian view's cells and the particles' decomposition), the
// views at one ε, and writes the transport metrics of each view beside the closed form's.
#include <algorithm>
#include <cmath>

#include "measureflow/cloud_sampling.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

double resolved_eps(const StaticOtConfig& config) {
  if (config.eps > 0.0) return config.eps;
  double h = 0.0;
  for (int a = 0; a < config.domain.dim; ++a)
    h = std::max(h, (config.domain.upper[a] - config.domain.lower[a]) / static_cast<double>(config.domain.cells[a]));
  return h * h;
}

namespace {

void add_solution(const std::string& prefix, const StaticSolution& s, Metrics& m) {
  m[prefix + ".w2sq"] = s.transport_cost;
  m[prefix + ".entropic_cost"] = s.entropic_cost;
  m[prefix + ".divergence"] = s.divergence;
  m[prefix + ".marginal_error"] = s.marginal_error;
  m[prefix + ".iterations"] = s.iterations;
  m[prefix + ".multiscale"] = s.multiscale ? 1.0 : 0.0;  // which solver ran (solver.method)
}

void add_errors(const std::string& prefix, const StaticSolution& s, const GaussianReference& r, Metrics& m) {
  // Relative to W2² (the scale of all three), so a translation-free pair with tiny S_ε is not divided by ~0.
  const double scale = std::max(r.w2sq, 1e-300);
  m[prefix + ".w2sq_error"] = std::abs(s.transport_cost - r.w2sq) / scale;
  // S_ε against the Gaussians' S_ε at the same ε: the discretisation (or sampling) error alone, as long as the
  // box cuts none of the Gaussians' tails; a cut (renormalised: smaller covariances) adds a floor no finer grid
  // removes, 1.3e-5 for the shipped 256² deck (docs/static_ot.md, "The grid view's error budget").
  m[prefix + ".divergence_error"] = std::abs(s.divergence - r.divergence) / scale;
  m[prefix + ".entropic_cost_error"] = std::abs(s.entropic_cost - r.entropic_cost) / scale;
}

}  // namespace

void StaticOtModel::add_metrics(double, Metrics& m) {
  m["static.eps"] = eps;
  // static.* is the grid view's answer, or the particles' when the grid view is off (docs/static_ot.md).
  const StaticSolution* primary = grid_view ? &grid_view->solution() : &particle_view->solution();
  add_solution("static", *primary, m);
  m["static.solve_seconds"] = primary->seconds;
  if (particle_view) add_solution("lagrangian", particle_view->solution(), m);
  if (exact_view) {
    const GaussianReference& r = exact_view->reference();
    m["closed_form.w2sq"] = r.w2sq;
    m["closed_form.entropic_cost"] = r.entropic_cost;
    m["closed_form.divergence"] = r.divergence;
    add_errors("static", *primary, r, m);
    if (particle_view) add_errors("lagrangian", particle_view->solution(), r, m);
  }
  if (grid_view && particle_view) {
    // The cross-view comparison: the two views' W2² estimates (S_ε) and entropic costs at the same ε.
    m["cross.static_divergence_difference"] =
        std::abs(grid_view->solution().divergence - particle_view->solution().divergence);
    m["cross.static_entropic_cost_difference"] =
        std::abs(grid_view->solution().entropic_cost - particle_view->solution().entropic_cost);
  }
}

std::unique_ptr<Model> build_static_ot_model(const StaticOtConfig& config, MPI_Comm comm) {
  auto model = std::make_unique<StaticOtModel>();
  // 1. The grid: the Eulerian view's cells, and the particles' domain decomposition.
  auto grid = std::make_shared<const Grid>(comm, config.domain);
  model->eps = resolved_eps(config);
  // 2. The closed form, where both measures are Gaussian.
  if (auto reference = gaussian_reference(*config.initial, *config.target, model->eps)) {
    auto cf = std::make_unique<StaticOtClosedForm>(*config.initial->exact_moments(), *reference);
    model->exact_view = cf.get();
    model->closed_form = std::move(cf);
  }
  // 3. The views, each solved here (collective), with the grid's cells as the multiscale solver's bins.
  StaticSolveOptions opt;
  opt.eps = model->eps;
  opt.tolerance = config.tolerance;
  opt.max_iterations = config.max_iterations;
  opt.method = config.method;
  opt.max_stored_pairs = config.max_stored_pairs;
  opt.lattice = grid_lattice(*grid);
  if (config.eulerian_enabled) {
    auto e = std::make_unique<StaticOtEulerian>(config, grid, opt);
    model->grid_view = e.get();
    model->eulerian = std::move(e);
  }
  if (config.lagrangian_enabled) {
    auto l = std::make_unique<StaticOtLagrangian>(config, grid, opt);
    model->particle_view = l.get();
    model->lagrangian = std::move(l);
  }
  return model;
}

}  // namespace mf::static_ot
