#include "score_field.hpp"

namespace mf::flow_matching {

namespace {
using ExecSpace = Kokkos::DefaultExecutionSpace;
}

ScoreField::ScoreField(const ExactField& scores) : scores_(scores) {}

void ScoreField::combine(double t, double c, double k, const FieldPoints& x, const FieldPoints& out) const {
  const int d = dim();
  const GaussianSource& src = scores_.source();
  Kokkos::View<double**, Kokkos::LayoutRight> cov("mf::flow_matching::source_cov", d, d);
  Kokkos::View<double*> m0("mf::flow_matching::source_mean", d);
  auto hc = Kokkos::create_mirror_view(cov);
  auto hm = Kokkos::create_mirror_view(m0);
  for (int a = 0; a < d; ++a) {
    hm(a) = src.mean[a];
    for (int b = 0; b < d; ++b) hc(a, b) = src.cov(a, b);
  }
  Kokkos::deep_copy(cov, hc);
  Kokkos::deep_copy(m0, hm);
  const double inv_t = 1.0 / t;
  Kokkos::parallel_for(
      "mf::flow_matching::score_to_velocity", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        // Σ0 s needs the whole score row before the row is overwritten: at most 64 dimensions.
        double s[64];
        for (int a = 0; a < d; ++a) s[a] = out(i, a);
        for (int a = 0; a < d; ++a) {
          double v = x(i, a) - c * m0(a);
          for (int b = 0; b < d; ++b) v += k * cov(a, b) * s[b];
          out(i, a) = v * inv_t;
        }
      });
  Kokkos::fence();
}

void ScoreField::evaluate(double t, const FieldPoints& x, const FieldPoints& out) const {
  const int d = dim();
  if (t <= 0.0) {
    // The limit t → 0: v_0(x) = E[X1 | X0 = x] − x = E[X1] − x.
    const Vector& m1 = scores_.target_mean();
    Kokkos::View<double*> mean("mf::flow_matching::target_mean", d);
    auto hm = Kokkos::create_mirror_view(mean);
    for (int a = 0; a < d; ++a) hm(a) = m1[a];
    Kokkos::deep_copy(mean, hm);
    // The exact field is collective: call score anyway so every rank makes the same ring passes.
    scores_.score(0.0, x, out);
    Kokkos::parallel_for(
        "mf::flow_matching::score_limit_t0", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
          for (int a = 0; a < d; ++a) out(i, a) = mean(a) - x(i, a);
        });
    Kokkos::fence();
    return;
  }
  scores_.score(t, x, out);
  combine(t, 1.0, 1.0 - t, x, out);
}

void ScoreField::posterior_mean(double t, const FieldPoints& x, const FieldPoints& out) const {
  if (t <= 0.0) {
    FlowField::posterior_mean(t, x, out);
    return;
  }
  scores_.score(t, x, out);
  combine(t, 1.0 - t, (1.0 - t) * (1.0 - t), x, out);
}

}  // namespace mf::flow_matching
