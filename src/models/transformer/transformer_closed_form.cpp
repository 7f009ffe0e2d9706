#include <algorithm>
#include <cmath>
#include <limits>

#include "measureflow/errors.hpp"
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
    if (r.blew_up || r.stalled) {  // stalled: no trustworthy state at t, so no closed-form moments from here on
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
  // A stalled integration (stiff stretch, see closure_rk4_integrate) found no blow-up it can vouch for.
  return r.blew_up ? r.t_reached : std::numeric_limits<double>::infinity();
}

void TransformerClosedForm::save_state(ViewStateWriter& out) const {
  out.put_reals("cache_time", {cache_t_});
  out.put_reals("cache_mean", cache_.m);
  out.put_reals("cache_cov", std::vector<double>(cache_.S.data(), cache_.S.data() + cache_.S.rows() * cache_.S.cols()));
  out.put_integers("cache_blown_up", {cache_blown_ ? 1LL : 0LL});
}

void TransformerClosedForm::restore_state(const ViewStateReader& in) {
  const std::vector<double> mean = in.reals("cache_mean"), cov = in.reals("cache_cov");
  const int d = static_cast<int>(initial_.m.size());
  if (static_cast<int>(mean.size()) != d || static_cast<int>(cov.size()) != d * d)
    throw InputError("transformer: the checkpoint's closure state has another dimension than the deck's");
  cache_t_ = in.reals("cache_time").at(0);
  cache_.m = mean;
  cache_.S = Matrix(d, d);
  std::copy(cov.begin(), cov.end(), cache_.S.data());
  cache_blown_ = in.integers("cache_blown_up").at(0) != 0;
}

void CovarianceTrajectory::record(double t, const Matrix& cov) {
  if (!times.empty() && t <= times.back()) return;
  times.push_back(t);
  covs.push_back(cov);
}

void CovarianceTrajectory::save(ViewStateWriter& out) const {
  std::vector<double> flat;
  for (const Matrix& c : covs) flat.insert(flat.end(), c.data(), c.data() + c.rows() * c.cols());
  out.put_reals("trajectory_times", times);
  out.put_reals("trajectory_covariances", flat);
}

void CovarianceTrajectory::restore(const ViewStateReader& in) {
  times = in.reals("trajectory_times");
  const std::vector<double> flat = in.reals("trajectory_covariances");
  covs.clear();
  if (times.empty()) return;
  const int d = static_cast<int>(std::lround(std::sqrt(static_cast<double>(flat.size() / times.size()))));
  if (static_cast<std::size_t>(d) * d * times.size() != flat.size())
    throw InputError("transformer: the checkpoint's covariance trajectory is mis-shaped");
  for (std::size_t k = 0; k < times.size(); ++k) {
    Matrix c(d, d);
    std::copy(flat.begin() + k * d * d, flat.begin() + (k + 1) * d * d, c.data());
    covs.push_back(c);
  }
}

}  // namespace mf::transformer
