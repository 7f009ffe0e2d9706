#include <cmath>
#include <limits>

#include "measureflow/measures.hpp"
#include "transformer_views.hpp"

namespace mf::transformer {

TransformerClosedForm::TransformerClosedForm(std::vector<AttentionLayer> layers, GaussianState initial)
    : layers_(std::move(layers)), initial_(std::move(initial)), cache_(initial_) {}

std::optional<Moments> TransformerClosedForm::moments(double t) const {
  // The Driver asks at increasing times: continue from the last answer instead of from 0.
  if (t < cache_t_) {
    cache_t_ = 0.0;
    cache_ = initial_;
    cache_blown_ = false;
  }
  if (cache_blown_) return std::nullopt;
  if (t > cache_t_) {
    const ClosureResult r = closure_rk4_integrate(layers_, cache_, cache_t_, t);
    cache_ = r.state;
    cache_t_ = r.t_reached;
    if (r.blew_up) {
      cache_blown_ = true;
      return std::nullopt;
    }
  }
  Moments m;
  m.mass = 1.0;
  m.mean = cache_.m;
  m.cov = cache_.S;
  if (identity_values(layers_)) {
    const auto exact = identity_value_covariance(layers_, initial_.S, t);
    if (!exact) return std::nullopt;
    m.cov = *exact;
  }
  return m;
}

bool TransformerClosedForm::cell_averages(double t, const Grid& grid, Vec out) const {
  const auto m = moments(t);
  if (!m) return false;
  MeasureSpec spec;
  spec.type = "gaussian";
  spec.dim = static_cast<int>(m->mean.size());
  spec.mean = m->mean;
  spec.cov = m->cov;
  const auto g = make_measure(spec);
  fill_cell_averages(grid, [&](const double* x) { return g->density(x); }, out);
  return true;
}

double TransformerClosedForm::blowup_time(double t_max) const {
  if (identity_values(layers_)) return identity_value_blowup_time(layers_, initial_.S);
  const ClosureResult r = closure_rk4_integrate(layers_, initial_, 0.0, t_max);
  return r.blew_up ? r.t_reached : std::numeric_limits<double>::infinity();
}

}  // namespace mf::transformer
