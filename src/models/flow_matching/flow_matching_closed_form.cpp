// Closed forms of the independent-coupling path α_t = Law((1 − t)X0 + tX1), X0 ~ N(m0, Σ0) ⟂ X1 ~ α1.
#include <cmath>

#include "flow_matching_views.hpp"

namespace mf::flow_matching {

FlowMatchingClosedForm::FlowMatchingClosedForm(GaussianSource source, const TargetSpec& target, Moments target_moments,
                                               bool endpoints_only)
    : source_(std::move(source)), target_(target), target_moments_(std::move(target_moments)), endpoints_only_(endpoints_only) {}

bool FlowMatchingClosedForm::known_at(double t) const {
  return !endpoints_only_ || t <= 1e-14 || t >= 1.0 - 1e-14;
}

std::optional<Moments> FlowMatchingClosedForm::moments(double t) const {
  if (!known_at(t)) return std::nullopt;
  // Independence: mean and covariance of (1 − t)X0 + tX1 whatever α1 is.
  const double s = 1.0 - t;
  Moments m;
  m.mass = 1.0;
  m.mean = s * source_.mean + t * target_moments_.mean;
  m.cov = (s * s) * source_.cov + (t * t) * target_moments_.cov;
  return m;
}

std::optional<std::vector<GaussianComponent>> FlowMatchingClosedForm::mixture(double t) const {
  if (!known_at(t) || target_.is_point_set()) return std::nullopt;
  std::vector<GaussianComponent> comps;
  if (target_.kind == TargetKind::Gaussian)
    comps.push_back(GaussianComponent{1.0, target_.measure.mean, target_.measure.cov});
  else
    comps = target_.measure.components;
  double total = 0.0;
  for (const auto& c : comps) total += c.weight;
  const double s = 1.0 - t;
  for (auto& c : comps) {
    c.weight /= total;
    c.mean = s * source_.mean + t * c.mean;
    c.cov = (s * s) * source_.cov + (t * t) * c.cov;
  }
  return comps;
}

bool FlowMatchingClosedForm::cell_averages(double t, const Grid& grid, Vec out) const {
  const auto comps = mixture(t);
  if (!comps) return false;
  MeasureSpec spec;
  spec.type = "mixture";
  spec.dim = grid.dim();
  spec.components = *comps;
  const auto density = make_measure(spec);
  fill_cell_averages(grid, [&](const double* x) { return density->density(x); }, out);
  return true;
}

bool FlowMatchingClosedForm::is_gaussian(double t) const {
  return known_at(t) && target_.kind == TargetKind::Gaussian;
}

void gauss_legendre_01(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  // Newton on P_n from the Chebyshev guesses, then mapped from [−1, 1] to [0, 1].
  const double pi = 3.14159265358979323846;
  nodes.assign(n, 0.0);
  weights.assign(n, 0.0);
  for (int i = 0; i < n; ++i) {
    double x = std::cos(pi * (i + 0.75) / (n + 0.5));
    double dp = 1.0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1.0, p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (x * p1 - p0) / (x * x - 1.0);
      const double dx = p1 / dp;
      x -= dx;
      if (std::fabs(dx) < 1e-16) break;
    }
    nodes[i] = 0.5 * (1.0 - x);
    weights[i] = 1.0 / ((1.0 - x * x) * dp * dp);  // (2/((1−x²)P'²)) × 1/2
  }
}

double gaussian_path_kinetic_energy(const GaussianSource& source, const Vector& m1, const Matrix& S1) {
  std::vector<double> x, w;
  gauss_legendre_01(16, x, w);
  const Vector dm = m1 - source.mean;
  const double drift = dot(dm, dm);
  // The integrand is smooth but varies on the scale where (1 − t)²Σ0 ≈ t²Σ1: 64 panels of 16 points.
  const int panels = 64;
  double total = 0.0;
  for (int p = 0; p < panels; ++p)
    for (std::size_t q = 0; q < x.size(); ++q) {
      const double t = (p + x[q]) / panels;
      const double s = 1.0 - t;
      const Matrix St = (s * s) * source.cov + (t * t) * S1;
      const Matrix A = ((-s) * source.cov + t * S1) * inverse(St);
      total += w[q] / panels * (drift + trace(A * St * transpose(A)));
    }
  return total;
}

}  // namespace mf::flow_matching
