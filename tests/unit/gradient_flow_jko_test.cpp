// JKO step for the heat equation against the exact Gaussian recursion s_{k+1} = (s_k + √(s_k² + 4τ))/2.
#include <gtest/gtest.h>

#include <cmath>

#include "models/gradient_flow/jko_heat_1d.hpp"

using namespace mf::gradient_flow;

namespace {
// Std ratio of two quantile sets at the same mass levels; the ratio cancels the quantisation bias of
// the second moment of N atoms.
double std_ratio(const std::vector<double>& a, const std::vector<double>& b) {
  double sa = 0, sb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sa += a[i] * a[i];
    sb += b[i] * b[i];
  }
  return std::sqrt(sa / sb);
}
}  // namespace

TEST(GradientFlowJko, FiveStepsFollowTheExactGaussianRecursion) {
  const double tau = 0.05;
  std::vector<double> err;
  for (int n : {250, 1000, 4000}) {
    double s = 0.3;
    const std::vector<double> X0 = gaussian_quantiles(n, 1.0);
    std::vector<double> X = gaussian_quantiles(n, s);
    for (int k = 0; k < 5; ++k) {
      const JkoResult r = jko_heat_step_1d(X, tau);
      EXPECT_LT(r.newton_iterations, 30);
      X = r.quantiles;
      s = 0.5 * (s + std::sqrt(s * s + 4.0 * tau));
      for (size_t i = 1; i < X.size(); ++i) ASSERT_GT(X[i], X[i - 1]);
    }
    err.push_back(std::abs(std_ratio(X, X0) - s) / s);
    std::printf("JKO N=%d: std after 5 steps %.6f exact %.6f (relative error %.2e)\n", n, std_ratio(X, X0), s, err.back());
  }
  EXPECT_LT(err[2], 1e-4);
  // First order in 1/N (the end gaps of the quantile grid carry the tails).
  EXPECT_GE(std::log(err[0] / err[1]) / std::log(4.0), 0.8);
  EXPECT_GE(std::log(err[1] / err[2]) / std::log(4.0), 0.8);
  // The test tells the JKO recursion from the continuous flow s² = s0² + 2t it approximates.
  double s = 0.3;
  for (int k = 0; k < 5; ++k) s = 0.5 * (s + std::sqrt(s * s + 4.0 * tau));
  EXPECT_GT(std::abs(std::sqrt(0.09 + 2.0 * 5 * tau) - s) / s, 100.0 * err[2]);
}

TEST(GradientFlowJko, OneStepIsAnExactDilationOfTheGaussian) {
  // The exact minimiser is X_{k+1} = (s_{k+1}/s_k) X_k: check the shape, not only the variance.
  const int n = 2000;
  const double s = 0.4, tau = 0.2;
  const std::vector<double> X = gaussian_quantiles(n, s);
  const JkoResult r = jko_heat_step_1d(X, tau);
  const double ratio = 0.5 * (s + std::sqrt(s * s + 4.0 * tau)) / s;
  double worst = 0.0;
  // Interior quantiles (the discrete tails feel the truncation of the quantile grid).
  for (int i = n / 20; i < n - n / 20; ++i) worst = std::max(worst, std::abs(r.quantiles[i] - ratio * X[i]));
  std::printf("JKO one step: max interior |X1 - c X0| = %.3e (c = %.6f)\n", worst, ratio);
  EXPECT_LT(worst, 5e-3 * s);
}
