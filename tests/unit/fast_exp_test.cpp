// mf::fast_exp against libm's exp: relative error, range ends, NaN, and use inside a Kokkos kernel.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "measureflow/fast_exp.hpp"

namespace {

double rel_err(double x) {
  const double e = std::exp(x);
  return std::abs(mf::fast_exp(x) - e) / e;
}

TEST(FastExp, RelativeErrorBelowTwoUlpOnTheWholeRange) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> wide(-708.0, 709.0), narrow(-1.0, 1.0);
  double worst = 0.0;
  for (int i = 0; i < 500000; ++i) {
    worst = std::max(worst, rel_err(wide(gen)));
    worst = std::max(worst, rel_err(narrow(gen)));
  }
  // Points where the range reduction switches k, and exact values.
  for (int k = -1000; k <= 1000; ++k) {
    const double x = (k + 0.5) * std::log(2.0);
    worst = std::max({worst, rel_err(x), rel_err(std::nextafter(x, 1e9)), rel_err(std::nextafter(x, -1e9))});
  }
  EXPECT_LT(worst, 4e-16);
  EXPECT_EQ(mf::fast_exp(0.0), 1.0);
  EXPECT_NEAR(mf::fast_exp(1.0), std::exp(1.0), 4e-16 * std::exp(1.0));
}

TEST(FastExp, RangeEndsAndNaN) {
  EXPECT_EQ(mf::fast_exp(-708.5), 0.0);
  EXPECT_EQ(mf::fast_exp(-1e300), 0.0);
  EXPECT_EQ(mf::fast_exp(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_EQ(mf::fast_exp(709.5), std::numeric_limits<double>::infinity());
  EXPECT_EQ(mf::fast_exp(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(mf::fast_exp(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_LT(std::abs(mf::fast_exp(-707.9) - std::exp(-707.9)) / std::exp(-707.9), 4e-16);
  EXPECT_LT(std::abs(mf::fast_exp(708.9) - std::exp(708.9)) / std::exp(708.9), 4e-16);
}

TEST(FastExp, SumInsideAKokkosKernelMatchesLibm) {
  const int n = 100000;
  double sum = 0.0;
  Kokkos::parallel_reduce(
      "fast_exp_test_sum", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(const int i, double& acc) { acc += mf::fast_exp(-20.0 + 40.0 * i / n); }, sum);
  double ref = 0.0;
  for (int i = 0; i < n; ++i) ref += std::exp(-20.0 + 40.0 * i / n);
  EXPECT_NEAR(sum, ref, 1e-13 * ref);
}

}  // namespace
