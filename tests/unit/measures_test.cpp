// Initial measures: densities integrate to one, samplers reproduce the exact moments within Monte-Carlo
// error, Barenblatt constants match the reference table.
#include <gtest/gtest.h>

#include <cmath>

#include "measureflow/measures.hpp"

using namespace mf;

namespace {

MeasureSpec base(const std::string& type, int dim) {
  MeasureSpec s;
  s.type = type;
  s.dim = dim;
  return s;
}

std::vector<MeasureSpec> all_specs() {
  std::vector<MeasureSpec> out;
  auto g = base("gaussian", 2);
  g.mean = {0.1, -0.2};
  g.cov = Matrix::from_rows({{0.04, 0.01}, {0.01, 0.02}});
  out.push_back(g);
  auto m = base("mixture", 2);
  m.components = {{1.0, {0.3, 0.0}, Matrix::from_rows({{0.01, 0.0}, {0.0, 0.02}})},
                  {3.0, {-0.2, 0.1}, Matrix::from_rows({{0.02, -0.005}, {-0.005, 0.01}})}};
  out.push_back(m);
  auto b = base("uniform_box", 2);
  b.lower = {-0.5, -0.2};
  b.upper = {0.3, 0.4};
  out.push_back(b);
  auto u = base("uniform_ball", 2);
  u.center = {0.1, 0.1};
  u.radius = 0.4;
  out.push_back(u);
  auto k = base("bump", 2);
  k.mean = {0.0, 0.2};
  k.shape = Matrix::from_rows({{0.2, 0.05}, {0.05, 0.1}});
  k.power = 2.0;
  out.push_back(k);
  auto bb = base("barenblatt", 2);
  bb.m = 2.0;
  bb.t0 = 0.05;
  bb.center = {0.0, 0.0};
  out.push_back(bb);
  return out;
}

}  // namespace

TEST(Measures, DensitiesIntegrateToOne) {
  for (const auto& spec : all_specs()) {
    const auto mu = make_measure(spec);
    // Midpoint rule on [-1.5, 1.5]²; the discontinuous ones converge at first order only.
    const int n = 1200;
    const double h = 3.0 / n;
    double s = 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        const double x[2] = {-1.5 + (i + 0.5) * h, -1.5 + (j + 0.5) * h};
        s += mu->density(x) * h * h;
      }
    EXPECT_NEAR(s, 1.0, 5e-3) << spec.type;
  }
}

TEST(Measures, SampleMomentsMatchExactMoments) {
  for (const auto& spec : all_specs()) {
    const auto mu = make_measure(spec);
    const auto exact = mu->exact_moments();
    ASSERT_TRUE(exact.has_value()) << spec.type;
    const int n = 200000;
    Vector mean(2, 0.0);
    Matrix second(2, 2);
    for (int i = 0; i < n; ++i) {
      double x[2];
      mu->sample(42, i, x);
      const Vector v{x[0], x[1]};
      mean = mean + (1.0 / n) * v;
      second = second + (1.0 / n) * outer(v, v);
    }
    const Matrix cov = second - outer(mean, mean);
    const double scale = std::sqrt(trace(exact->cov));
    // Monte-Carlo standard error ~ scale/√n ≈ 2e-3 scale: allow 5σ.
    EXPECT_LT(norm2(mean - exact->mean), 5.0 * scale / std::sqrt(n) * 2.0) << spec.type;
    EXPECT_LT(frobenius_norm(cov - exact->cov) / frobenius_norm(exact->cov), 0.02) << spec.type;
  }
}

TEST(Measures, SamplesArePureFunctionsOfSeedAndId) {
  const auto mu = make_measure(all_specs()[4]);
  double a[2], b[2], c[2];
  mu->sample(9, 123, a);
  mu->sample(9, 123, b);
  mu->sample(10, 123, c);
  EXPECT_EQ(a[0], b[0]);
  EXPECT_EQ(a[1], b[1]);
  EXPECT_NE(a[0], c[0]);
}

TEST(Measures, BarenblattUnitMassConstantsMatchTable) {
  const double table[3][3] = {{0.360562, 0.183776, 0.113202}, {0.199471, 0.088943, 0.052972}, {0.134810, 0.058711, 0.035366}};
  for (int d = 1; d <= 3; ++d)
    for (int m = 2; m <= 4; ++m) EXPECT_NEAR(Barenblatt(d, m).C, table[d - 1][m - 2], 1e-6) << "d=" << d << " m=" << m;
}
