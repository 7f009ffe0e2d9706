// Closed-form elliptical geodesics and the exact particle coupling.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "models/dynamic_ot/gaussian_geodesic.hpp"
#include "models/dynamic_ot/particle_coupling.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

TEST(DynamicOtClosedForm, BuresMatchesOneDimensionalFormula) {
  const Moments a{1.0, {0.2}, Matrix::diagonal({0.04})}, b{1.0, {-0.1}, Matrix::diagonal({0.09})};
  EXPECT_NEAR(bures_w2sq(a, b), 0.09 + 0.01, 1e-14);
}

TEST(DynamicOtClosedForm, GeodesicEndsAtTargetAndIsConstantSpeed) {
  const Moments a{1.0, {0.1, 0.2}, Matrix::from_rows({{0.05, 0.01}, {0.01, 0.02}})};
  const Moments b{1.0, {0.6, -0.1}, Matrix::from_rows({{0.03, -0.012}, {-0.012, 0.06}})};
  GaussianGeodesic g(a, b);
  const Moments end = g.at(1.0);
  EXPECT_LT(frobenius_norm(end.cov - b.cov), 1e-12);
  EXPECT_LT(norm2(end.mean - b.mean), 1e-14);
  // Geodesic: W2(α_s, α_t) = |t − s| W2(α0, α1).
  const double w = std::sqrt(g.w2sq());
  EXPECT_NEAR(std::sqrt(bures_w2sq(g.at(0.25), g.at(0.75))), 0.5 * w, 1e-10);
  // A is the Monge map: A Σ0 A = Σ1.
  const Matrix& A = g.map_matrix();
  EXPECT_LT(frobenius_norm(A * a.cov * A - b.cov), 1e-12);
}

TEST(DynamicOtCoupling, HungarianIsOptimalAgainstAllPermutations) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  const int n = 7, dim = 2;
  std::vector<double> x(n * dim), y(n * dim);
  for (auto& v : x) v = u(rng);
  for (auto& v : y) v = u(rng);
  const std::vector<int> perm = exact_assignment(x, y, dim);
  std::vector<int> p(n);
  std::iota(p.begin(), p.end(), 0);
  double best = 1e300;
  do best = std::min(best, assignment_cost(x, y, dim, p));
  while (std::next_permutation(p.begin(), p.end()));
  EXPECT_NEAR(assignment_cost(x, y, dim, perm), best, 1e-14);
}

TEST(DynamicOtCoupling, SortingIsMonotoneIn1D) {
  std::mt19937 rng(4);
  std::normal_distribution<double> g(0, 1);
  const int n = 200;
  std::vector<double> x(n), y(n);
  for (auto& v : x) v = g(rng);
  for (auto& v : y) v = 2 + 0.5 * g(rng);
  const auto perm = exact_assignment(x, y, 1);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (x[i] < x[j]) EXPECT_LE(y[perm[i]], y[perm[j]]);
  // The Hungarian on the same 1D data finds the same cost.
  std::vector<double> x2(x.begin(), x.begin() + 60), y2(y.begin(), y.begin() + 60);
  std::vector<double> x2d(120, 0.0), y2d(120, 0.0);
  for (int i = 0; i < 60; ++i) {
    x2d[2 * i] = x2[i];
    y2d[2 * i] = y2[i];
  }
  EXPECT_NEAR(assignment_cost(x2, y2, 1, exact_assignment(x2, y2, 1)),
              assignment_cost(x2d, y2d, 2, exact_assignment(x2d, y2d, 2)), 1e-12);
}
