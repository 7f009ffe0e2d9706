// Analytic measures: densities (normalised to unit mass on R^d) and counter-based samplers.
#include "measureflow/measures.hpp"

#include <cmath>
#include <stdexcept>

#include "measureflow/counter_rng.hpp"

namespace mf {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Uniform draws for rejection loops live far above the counters normals use (2n, 2n+1).
constexpr std::uint64_t kRejectionUniforms = std::uint64_t(1) << 40;

// Gamma(shape, 1) variate by Marsaglia–Tsang, consuming counters from `next` upwards.
double gamma_variate(const CounterRng& rng, std::uint64_t& next, double shape) {
  if (shape < 1.0) {
    // Boost: G(a) = G(a+1) U^{1/a}.
    const double u = rng.uniform(kRejectionUniforms + next++);
    return gamma_variate(rng, next, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double z = rng.normal(next++);
    const double v0 = 1.0 + c * z;
    if (v0 <= 0.0) continue;
    const double v = v0 * v0 * v0;
    const double u = rng.uniform(kRejectionUniforms + next++);
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

// Uniform direction on the unit sphere in R^d from normals.
void unit_direction(const CounterRng& rng, std::uint64_t base, int d, double* out) {
  double n2 = 0.0;
  for (int a = 0; a < d; ++a) {
    out[a] = rng.normal(base + a);
    n2 += out[a] * out[a];
  }
  const double inv = 1.0 / std::sqrt(n2);
  for (int a = 0; a < d; ++a) out[a] *= inv;
}

class GaussianMeasure : public Measure {
 public:
  GaussianMeasure(Vector mean, Matrix cov)
      : mean_(std::move(mean)), cov_(std::move(cov)), chol_(cholesky(cov_)), prec_(inverse(cov_)) {
    const int d = static_cast<int>(mean_.size());
    norm_ = 1.0 / std::sqrt(std::pow(2.0 * kPi, d) * determinant(cov_));
  }
  int dim() const override { return static_cast<int>(mean_.size()); }
  double density(const double* x) const override {
    const double q = centred_quadratic_form(prec_, mean_, x);
    return norm_ * std::exp(-0.5 * q);
  }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const override { sample_with(CounterRng(seed, id), 0, out); }
  void sample_with(const CounterRng& rng, std::uint64_t base, double* out) const {
    const int d = dim();
    double z[64];
    for (int a = 0; a < d; ++a) z[a] = rng.normal(base + a);
    for (int a = 0; a < d; ++a) {
      out[a] = mean_[a];
      for (int b = 0; b <= a; ++b) out[a] += chol_(a, b) * z[b];
    }
  }
  std::optional<Moments> exact_moments() const override { return Moments{1.0, mean_, cov_}; }
  bool is_gaussian() const override { return true; }

 private:
  Vector mean_;
  Matrix cov_, chol_, prec_;
  double norm_;
};

class MixtureMeasure : public Measure {
 public:
  explicit MixtureMeasure(const std::vector<GaussianComponent>& comps) {
    double total = 0.0;
    for (const auto& c : comps) total += c.weight;
    for (const auto& c : comps) {
      weights_.push_back(c.weight / total);
      parts_.emplace_back(c.mean, c.cov);
    }
  }
  int dim() const override { return parts_.front().dim(); }
  double density(const double* x) const override {
    double s = 0.0;
    for (size_t c = 0; c < parts_.size(); ++c) s += weights_[c] * parts_[c].density(x);
    return s;
  }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const override {
    const CounterRng rng(seed, id);
    const double u = rng.uniform(0);
    size_t c = 0;
    double acc = weights_[0];
    while (u > acc && c + 1 < parts_.size()) acc += weights_[++c];
    parts_[c].sample_with(rng, 1, out);
  }
  std::optional<Moments> exact_moments() const override {
    const int d = dim();
    Moments m{1.0, Vector(d, 0.0), Matrix(d, d)};
    for (size_t c = 0; c < parts_.size(); ++c) m.mean = m.mean + weights_[c] * parts_[c].exact_moments()->mean;
    for (size_t c = 0; c < parts_.size(); ++c) {
      const Moments pc = *parts_[c].exact_moments();
      const Vector dm = pc.mean - m.mean;
      m.cov = m.cov + weights_[c] * (pc.cov + outer(dm, dm));
    }
    return m;
  }

 private:
  std::vector<double> weights_;
  std::vector<GaussianMeasure> parts_;
};

class UniformBoxMeasure : public Measure {
 public:
  UniformBoxMeasure(Vector lo, Vector hi) : lo_(std::move(lo)), hi_(std::move(hi)) {
    vol_ = 1.0;
    for (size_t a = 0; a < lo_.size(); ++a) vol_ *= hi_[a] - lo_[a];
  }
  int dim() const override { return static_cast<int>(lo_.size()); }
  double density(const double* x) const override {
    for (int a = 0; a < dim(); ++a)
      if (x[a] < lo_[a] || x[a] > hi_[a]) return 0.0;
    return 1.0 / vol_;
  }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const override {
    const CounterRng rng(seed, id);
    for (int a = 0; a < dim(); ++a) out[a] = lo_[a] + (hi_[a] - lo_[a]) * rng.uniform(a);
  }
  std::optional<Moments> exact_moments() const override {
    const int d = dim();
    Moments m{1.0, Vector(d), Matrix(d, d)};
    for (int a = 0; a < d; ++a) {
      m.mean[a] = 0.5 * (lo_[a] + hi_[a]);
      m.cov(a, a) = (hi_[a] - lo_[a]) * (hi_[a] - lo_[a]) / 12.0;
    }
    return m;
  }

 private:
  Vector lo_, hi_;
  double vol_;
};

// Elliptical bump ρ ∝ (1 − (x−m)ᵀS⁻¹(x−m))₊^k; uniform_ball is k = 0 with S = r² I.
class BumpMeasure : public Measure {
 public:
  BumpMeasure(Vector mean, Matrix shape, double power)
      : mean_(std::move(mean)), shape_(std::move(shape)), root_(sqrtm_spd(shape_)), prec_(inverse(shape_)), k_(power) {
    const int d = dim();
    // ∫(1 − |y|²)₊^k dy over R^d = π^{d/2} Γ(k+1)/Γ(d/2+k+1).
    const double unit = std::pow(kPi, 0.5 * d) * std::tgamma(k_ + 1.0) / std::tgamma(0.5 * d + k_ + 1.0);
    norm_ = 1.0 / (unit * std::sqrt(determinant(shape_)));
  }
  int dim() const override { return static_cast<int>(mean_.size()); }
  double density(const double* x) const override {
    const double q = centred_quadratic_form(prec_, mean_, x);
    if (q >= 1.0) return 0.0;
    return k_ == 0.0 ? norm_ : norm_ * std::pow(1.0 - q, k_);
  }
  void sample(std::uint64_t seed, std::int64_t id, double* out) const override {
    // |y|² ~ Beta(d/2, k+1) for y with density ∝ (1−|y|²)^k on the unit ball; direction uniform.
    const CounterRng rng(seed, id);
    const int d = dim();
    std::uint64_t next = 1000;
    const double ga = gamma_variate(rng, next, 0.5 * d), gb = gamma_variate(rng, next, k_ + 1.0);
    const double r = std::sqrt(ga / (ga + gb));
    double y[64];
    unit_direction(rng, 0, d, y);
    for (int a = 0; a < d; ++a) {
      out[a] = mean_[a];
      for (int b = 0; b < d; ++b) out[a] += root_(a, b) * r * y[b];
    }
  }
  std::optional<Moments> exact_moments() const override {
    // E[yyᵀ] = I/(d + 2k + 2) for the unit-ball profile.
    const int d = dim();
    return Moments{1.0, mean_, (1.0 / (d + 2.0 * k_ + 2.0)) * shape_};
  }

 private:
  Vector mean_;
  Matrix shape_, root_, prec_;
  double k_, norm_;
};

}  // namespace

Barenblatt::Barenblatt(int d, double m_) : dim(d), m(m_) {
  alpha = d / (d * (m - 1.0) + 2.0);
  beta = alpha / d;
  k = alpha * (m - 1.0) / (2.0 * m * d);
  // Unit mass: ∫(C − k|y|²)₊^p dy = π^{d/2} Γ(p+1)/Γ(d/2+p+1) k^{−d/2} C^{d/2+p} = 1, p = 1/(m−1).
  const double p = 1.0 / (m - 1.0);
  const double factor = std::pow(kPi, 0.5 * d) * std::tgamma(p + 1.0) / std::tgamma(0.5 * d + p + 1.0) * std::pow(k, -0.5 * d);
  C = std::pow(1.0 / factor, 1.0 / (0.5 * d + p));
}

double Barenblatt::density(double t, const double* y) const {
  double r2 = 0.0;
  for (int a = 0; a < dim; ++a) r2 += y[a] * y[a];
  const double base = C - k * r2 * std::pow(t, -2.0 * beta);
  return base > 0.0 ? std::pow(t, -alpha) * std::pow(base, 1.0 / (m - 1.0)) : 0.0;
}

double Barenblatt::support_radius(double t) const { return std::sqrt(C / k) * std::pow(t, beta); }

std::unique_ptr<Measure> make_measure(const MeasureSpec& s) {
  if (s.type == "gaussian") return std::make_unique<GaussianMeasure>(s.mean, s.cov);
  if (s.type == "mixture") return std::make_unique<MixtureMeasure>(s.components);
  if (s.type == "uniform_box") return std::make_unique<UniformBoxMeasure>(s.lower, s.upper);
  if (s.type == "uniform_ball")
    return std::make_unique<BumpMeasure>(s.center, (s.radius * s.radius) * Matrix::identity(s.dim), 0.0);
  if (s.type == "bump") return std::make_unique<BumpMeasure>(s.mean, s.shape, s.power);
  if (s.type == "barenblatt") {
    // The Barenblatt profile at t0 is the radial bump of radius R(t0) and power 1/(m−1).
    const Barenblatt b(s.dim, s.m);
    const double r = b.support_radius(s.t0);
    return std::make_unique<BumpMeasure>(s.center, (r * r) * Matrix::identity(s.dim), 1.0 / (s.m - 1.0));
  }
  throw std::invalid_argument("make_measure: unsupported measure type '" + s.type + "'");
}

}  // namespace mf
