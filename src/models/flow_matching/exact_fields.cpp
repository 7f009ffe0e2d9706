#include "exact_fields.hpp"

#include <cmath>
#include <limits>

#include "measureflow/errors.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/streaming_softmax.hpp"

namespace mf::flow_matching {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
using Mat3 = Kokkos::View<double***, Kokkos::LayoutRight>;
using Mat2 = Kokkos::View<double**, Kokkos::LayoutRight>;

// log π_k − ½ rᵀ S_k⁻¹ r with r = x_i − m_k: component k's log posterior weight at point i, up to a constant
// (both passes of the log-sum-exp evaluate it, so both see the same bits).
template <class Points>
KOKKOS_INLINE_FUNCTION double component_log_weight(const Points& x, int i, const Kokkos::View<double*>& logw,
                                                   const Mat2& mk, const Mat3& sinv, int k, int d) {
  double q = 0.0;
  for (int a = 0; a < d; ++a) {
    double row = 0.0;
    for (int b = 0; b < d; ++b) row += sinv(k, a, b) * (x(i, b) - mk(k, b));
    q += (x(i, a) - mk(k, a)) * row;
  }
  return logw(k) - 0.5 * q;
}
}  // namespace

// ---------------------------------------------------------------------------------------------------
// Gaussian and mixture targets

MixtureField::MixtureField(GaussianSource source, std::vector<GaussianComponent> components)
    : ExactField(std::move(source), Vector()), components_(std::move(components)) {
  double total = 0.0;
  for (const auto& c : components_) total += c.weight;
  const int d = static_cast<int>(source_.mean.size());
  target_mean_.assign(d, 0.0);
  for (auto& c : components_) {
    c.weight /= total;
    for (int a = 0; a < d; ++a) target_mean_[a] += c.weight * c.mean[a];
  }
}

void MixtureField::apply(double t, const FieldPoints& x, const FieldPoints& out, bool velocity) const {
  const int d = dim();
  const int K = static_cast<int>(components_.size());
  // Per-t parameters on the host (K small d × d matrices), then one kernel over the points.
  Kokkos::View<double*> logw("mf::flow_matching::log_weight", K);
  Mat2 mk("mf::flow_matching::component_mean", K, d), v0("mf::flow_matching::component_drift", K, d);
  Mat3 sinv("mf::flow_matching::component_precision", K, d, d), gain("mf::flow_matching::component_gain", K, d, d);
  auto h_logw = Kokkos::create_mirror_view(logw);
  auto h_mk = Kokkos::create_mirror_view(mk);
  auto h_v0 = Kokkos::create_mirror_view(v0);
  auto h_sinv = Kokkos::create_mirror_view(sinv);
  auto h_gain = Kokkos::create_mirror_view(gain);
  const double s = 1.0 - t;
  for (int k = 0; k < K; ++k) {
    const GaussianComponent& c = components_[k];
    const Matrix S = (s * s) * source_.cov + (t * t) * c.cov;
    const Matrix Si = inverse(S);
    const Matrix A = ((-s) * source_.cov + t * c.cov) * Si;
    h_logw(k) = std::log(c.weight) - 0.5 * std::log(determinant(S));
    for (int a = 0; a < d; ++a) {
      h_mk(k, a) = s * source_.mean[a] + t * c.mean[a];
      h_v0(k, a) = c.mean[a] - source_.mean[a];
      for (int b = 0; b < d; ++b) {
        h_sinv(k, a, b) = Si(a, b);
        h_gain(k, a, b) = velocity ? A(a, b) : -Si(a, b);
      }
    }
    if (!velocity)
      for (int a = 0; a < d; ++a) h_v0(k, a) = 0.0;
  }
  Kokkos::deep_copy(logw, h_logw);
  Kokkos::deep_copy(mk, h_mk);
  Kokkos::deep_copy(v0, h_v0);
  Kokkos::deep_copy(sinv, h_sinv);
  Kokkos::deep_copy(gain, h_gain);
  // Posterior weights by log-sum-exp (max first), then the weighted sum of the components' affine maps:
  // velocity v0_k + A_k r, or score −S_k⁻¹ r, with r = x − m_k.
  Kokkos::parallel_for(
      "mf::flow_matching::mixture_field", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        double lmax = -1e300;
        for (int k = 0; k < K; ++k) {
          const double l = component_log_weight(x, i, logw, mk, sinv, k, d);
          lmax = l > lmax ? l : lmax;
        }
        for (int a = 0; a < d; ++a) out(i, a) = 0.0;
        double sum = 0.0;
        for (int k = 0; k < K; ++k) {
          const double e = kmath::exp(component_log_weight(x, i, logw, mk, sinv, k, d) - lmax);
          sum += e;
          for (int a = 0; a < d; ++a) {
            double v = v0(k, a);
            for (int b = 0; b < d; ++b) v += gain(k, a, b) * (x(i, b) - mk(k, b));
            out(i, a) += e * v;
          }
        }
        for (int a = 0; a < d; ++a) out(i, a) /= sum;
      });
  Kokkos::fence();
}

void MixtureField::evaluate(double t, const FieldPoints& x, const FieldPoints& out) const { apply(t, x, out, true); }
void MixtureField::score(double t, const FieldPoints& x, const FieldPoints& out) const { apply(t, x, out, false); }

// ---------------------------------------------------------------------------------------------------
// Point-set targets: a softmax over the data points, streamed around the ring of ranks

PointSetField::PointSetField(MPI_Comm comm, GaussianSource source, DataBlock data, Vector data_mean)
    : ExactField(std::move(source), std::move(data_mean)), comm_(comm), data_(std::move(data)),
      source_precision_(inverse(source_.cov)) {}

void PointSetField::posterior_mean(double t, const FieldPoints& x, const FieldPoints& out) const {
  if (!(t < 1.0))
    throw SolverError("flow_matching: the exact field of a point set is singular at t = 1 (asked at t = " +
                      std::to_string(t) + "); the sampler's last step uses the posterior mean at t < 1");
  const int d = data_.dim;
  const double s = 1.0 - t;
  const double inv_s2 = 1.0 / (s * s);
  // Queries a = S⁻¹(x − (1 − t)m0) with S⁻¹ = Σ0⁻¹/(1 − t)².
  Mat2 P("mf::flow_matching::source_precision", d, d);
  auto hP = Kokkos::create_mirror_view(P);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b) hP(a, b) = source_precision_(a, b) * inv_s2;
  Kokkos::deep_copy(P, hP);
  Kokkos::View<double*> m0("mf::flow_matching::source_mean", d);
  auto hm0 = Kokkos::create_mirror_view(m0);
  for (int a = 0; a < d; ++a) hm0(a) = s * source_.mean[a];
  Kokkos::deep_copy(m0, hm0);
  const std::size_t n = x.extent(0);
  TokenView query("mf::flow_matching::queries", n, d);
  Kokkos::parallel_for(
      "mf::flow_matching::data_queries", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) {
          double q = 0.0;
          for (int b = 0; b < d; ++b) q += P(a, b) * (x(i, b) - m0(b));
          query(i, a) = q;
        }
      });
  // Source rows [t y | y | log w − t²/2 yᵀS⁻¹y] of this rank's data block.
  const SourceLayout layout{d, d};
  const std::size_t nd = data_.positions.extent(0);
  RingBlock rows("mf::flow_matching::data_rows", nd, layout.width());
  auto y = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), data_.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), data_.weights);
  Kokkos::parallel_for(
      "mf::flow_matching::data_rows", Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, nd), [=](const int j) {
        double q = 0.0;
        for (int a = 0; a < d; ++a) {
          double row = 0.0;
          for (int b = 0; b < d; ++b) row += hP(a, b) * y(j, b);
          q += y(j, a) * row;
        }
        for (int a = 0; a < d; ++a) {
          rows(j, a) = t * y(j, a);
          rows(j, d + a) = y(j, a);
        }
        rows(j, 2 * d) = (w(j) > 0.0 ? std::log(w(j)) : -std::numeric_limits<double>::infinity()) - 0.5 * t * t * q;
      });
  Kokkos::fence();
  const SoftmaxState st = streaming_softmax<ExecSpace>(comm_, query, rows, layout);
  auto acc = st.acc;
  auto sum = st.sum;
  Kokkos::parallel_for(
      "mf::flow_matching::posterior_mean", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) out(i, a) = acc(i, a) / sum(i);
      });
  Kokkos::fence();
}

void PointSetField::evaluate(double t, const FieldPoints& x, const FieldPoints& out) const {
  posterior_mean(t, x, out);
  const int d = data_.dim;
  const double inv = 1.0 / (1.0 - t);
  Kokkos::parallel_for(
      "mf::flow_matching::data_field", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) out(i, a) = (out(i, a) - x(i, a)) * inv;
      });
  Kokkos::fence();
}

void PointSetField::score(double t, const FieldPoints& x, const FieldPoints& out) const {
  // ∇log α_t = −S⁻¹(x − (1 − t)m0 − t D_t(x)), S = (1 − t)²Σ0 (the mixture score with common S).
  posterior_mean(t, x, out);
  const int d = data_.dim;
  const double s = 1.0 - t;
  Mat2 P("mf::flow_matching::source_precision", d, d);
  auto hP = Kokkos::create_mirror_view(P);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b) hP(a, b) = source_precision_(a, b) / (s * s);
  Kokkos::deep_copy(P, hP);
  Kokkos::View<double*> m0("mf::flow_matching::source_mean", d);
  auto hm0 = Kokkos::create_mirror_view(m0);
  for (int a = 0; a < d; ++a) hm0(a) = s * source_.mean[a];
  Kokkos::deep_copy(m0, hm0);
  FieldPoints r("mf::flow_matching::residual", x.extent(0), d);
  Kokkos::parallel_for(
      "mf::flow_matching::data_score", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        for (int a = 0; a < d; ++a) r(i, a) = x(i, a) - m0(a) - t * out(i, a);
        for (int a = 0; a < d; ++a) {
          double v = 0.0;
          for (int b = 0; b < d; ++b) v -= P(a, b) * r(i, b);
          out(i, a) = v;
        }
      });
  Kokkos::fence();
}

std::unique_ptr<ExactField> make_exact_field(MPI_Comm comm, const FlowMatchingConfig& config) {
  GaussianSource source = gaussian_source(config.initial);
  const TargetSpec& target = config.target;
  if (target.kind == TargetKind::Gaussian) {
    GaussianComponent c{1.0, target.measure.mean, target.measure.cov};
    return std::make_unique<MixtureField>(std::move(source), std::vector<GaussianComponent>{c});
  }
  if (target.kind == TargetKind::Mixture) return std::make_unique<MixtureField>(std::move(source), target.measure.components);
  DataBlock data = load_data_block(comm, target, config.dim);
  // The data mean, summed over ranks (E[X1]: the score form's t → 0 limit).
  const int d = config.dim;
  std::vector<double> local(d, 0.0), global(d, 0.0);
  auto y = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), data.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), data.weights);
  for (std::size_t j = 0; j < y.extent(0); ++j)
    for (int a = 0; a < d; ++a) local[a] += w(j) * y(j, a);
  MPI_Allreduce(local.data(), global.data(), d, MPI_DOUBLE, MPI_SUM, comm);
  return std::make_unique<PointSetField>(comm, std::move(source), std::move(data), global);
}

}  // namespace mf::flow_matching
