// The Hungarian oracle against brute force, and against sorting in 1D.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "measureflow/ot/exact.hpp"

namespace {

double brute_force(const std::vector<double>& x, const std::vector<double>& y, int dim) {
  const int n = static_cast<int>(x.size()) / dim;
  std::vector<int> p(n);
  std::iota(p.begin(), p.end(), 0);
  double best = 1e300;
  do {
    double c = 0.0;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < dim; ++k) c += (x[i * dim + k] - y[p[i] * dim + k]) * (x[i * dim + k] - y[p[i] * dim + k]);
    best = std::min(best, c / n);
  } while (std::next_permutation(p.begin(), p.end()));
  return best;
}

TEST(OtExact, HungarianMatchesBruteForce) {
  std::mt19937 rng(7);
  std::normal_distribution<double> N(0.0, 1.0);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> x(8 * 2), y(8 * 2);
    for (auto& v : x) v = N(rng);
    for (auto& v : y) v = N(rng) + 0.5;
    std::vector<int> assign;
    const double h = mf::ot::w2_squared_exact_assignment(x, y, 2, &assign);
    EXPECT_NEAR(h, brute_force(x, y, 2), 1e-12);
    std::vector<int> sorted = assign;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 8; ++i) EXPECT_EQ(sorted[i], i);  // a permutation
  }
}

TEST(OtExact, HungarianIsMonotoneMatchingIn1D) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  std::vector<double> x(300), y(300);
  for (auto& v : x) v = U(rng);
  for (auto& v : y) v = U(rng) * U(rng) * 2.0;
  const double h = mf::ot::w2_squared_exact_assignment(x, y, 1);
  std::vector<double> xs = x, ys = y;
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  double sorted = 0.0;
  for (int i = 0; i < 300; ++i) sorted += (xs[i] - ys[i]) * (xs[i] - ys[i]) / 300;
  EXPECT_NEAR(h, sorted, 1e-12 * sorted);
}

}  // namespace
