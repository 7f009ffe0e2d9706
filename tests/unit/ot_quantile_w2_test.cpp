// The exact 1D W2 (quantile_w2_1d.hpp) against closed forms that do not use quantile functions: uniform
// laws and Gaussians (W2² = (m₁ − m₂)² + (s₁ − s₂)² for two laws of one location-scale family), and the
// Hungarian assignment for equal-weight atoms.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "measureflow/ot/exact.hpp"
#include "measureflow/ot/quantile_w2_1d.hpp"

using mf::ot::Piece1d;
using mf::ot::w2_squared_quantile_1d;

namespace {

// U[lo, hi] cut into cells at the given interior points (mass ∝ width: one constant density).
std::vector<Piece1d> cut_uniform(double lo, double hi, std::vector<double> cuts) {
  cuts.insert(cuts.begin(), lo);
  cuts.push_back(hi);
  std::vector<Piece1d> p;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) p.push_back({cuts[k], cuts[k + 1], cuts[k + 1] - cuts[k]});
  return p;
}

// N(m, s²) as its cell masses on [m − 12s, m + 12s] (n cells), each spread uniformly over its cell.
std::vector<Piece1d> gaussian_histogram(double m, double s, int n) {
  const double lo = m - 12.0 * s, h = 24.0 * s / n;
  std::vector<Piece1d> p;
  auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - m) / (s * std::sqrt(2.0))); };
  for (int k = 0; k < n; ++k) p.push_back({lo + k * h, lo + (k + 1) * h, cdf(lo + (k + 1) * h) - cdf(lo + k * h)});
  return p;
}

double location_scale_w2sq(double m1, double s1, double m2, double s2) { return (m1 - m2) * (m1 - m2) + (s1 - s2) * (s1 - s2); }

}  // namespace

TEST(QuantileW2, UniformIntervalsMatchTheClosedForm) {
  // U[a, b] has mean (a + b)/2 and standard deviation (b − a)/√12; both laws are of one location-scale family.
  const double a = -0.3, b = 0.5, c = 0.2, d = 1.4;
  const double exact = location_scale_w2sq(0.5 * (a + b), (b - a) / std::sqrt(12.0), 0.5 * (c + d), (d - c) / std::sqrt(12.0));
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> U(c, d);
  std::vector<double> cuts(40);
  for (auto& x : cuts) x = U(rng);
  std::sort(cuts.begin(), cuts.end());
  // One piece against 41 unequal cells of the same constant density, given in shuffled order.
  auto cells = cut_uniform(c, d, cuts);
  std::shuffle(cells.begin(), cells.end(), rng);
  EXPECT_NEAR(w2_squared_quantile_1d({{a, b, 2.0}}, cells), exact, 1e-14 * exact);
  EXPECT_NEAR(w2_squared_quantile_1d(cells, {{a, b, 0.1}}), exact, 1e-14 * exact);
  // Cutting a law into cells does not move it.
  EXPECT_NEAR(w2_squared_quantile_1d(cut_uniform(c, d, cuts), {{c, d, 1.0}}), 0.0, 1e-28);
}

TEST(QuantileW2, MidpointAtomsAgainstTheUniformLaw) {
  // n equal atoms at (k + ½)/n against U[0, 1]: each atom is the centre of its quantile interval of width
  // 1/n, so W2² = n · ∫_{−1/2n}^{1/2n} t² dt = 1/(12 n²).
  for (const int n : {1, 7, 1000}) {
    std::vector<Piece1d> atoms;
    for (int k = 0; k < n; ++k) atoms.push_back({(k + 0.5) / n, (k + 0.5) / n, 1.0});
    EXPECT_NEAR(w2_squared_quantile_1d(atoms, {{0.0, 1.0, 1.0}}), 1.0 / (12.0 * n * n), 1e-13 / (n * n)) << n;
  }
}

TEST(QuantileW2, GaussianHistogramsConvergeToTheClosedForm) {
  // N(m₁, s₁²) against N(m₂, s₂²) through their cell-average histograms: each histogram's quantile function
  // is the Gaussian's to O(h²), so W2² converges to the closed form at second order in h.
  const double m1 = -0.2, s1 = 0.1, m2 = 0.15, s2 = 0.25;
  const double exact = location_scale_w2sq(m1, s1, m2, s2);
  std::vector<double> err;
  for (const int cells : {1200, 2400, 4800}) {
    err.push_back(w2_squared_quantile_1d(gaussian_histogram(m1, s1, cells), gaussian_histogram(m2, s2, cells)) - exact);
    std::printf("Gaussian histograms, %d cells: W2² − exact = %.3e (exact %.6f)\n", cells, err.back(), exact);
  }
  EXPECT_LT(std::fabs(err[0]), 2e-5 * exact);  // measured 1.0e-5 relative at 1200 cells
  for (int k = 0; k < 2; ++k) {
    const double order = std::log2(std::fabs(err[k] / err[k + 1]));
    EXPECT_GT(order, 1.9) << k;
    EXPECT_LT(order, 2.1) << k;
  }
}

TEST(QuantileW2, EqualWeightAtomsMatchTheAssignment) {
  std::mt19937 rng(11);
  std::normal_distribution<double> N(0.0, 1.0);
  for (int trial = 0; trial < 4; ++trial) {
    const int n = 40;
    std::vector<double> x(n), y(n);
    std::vector<Piece1d> a, b;
    for (int i = 0; i < n; ++i) {
      x[i] = N(rng);
      y[i] = 0.7 * N(rng) + 0.4;
      a.push_back({x[i], x[i], 1.0});
      b.push_back({y[i], y[i], 3.0});
    }
    EXPECT_NEAR(w2_squared_quantile_1d(a, b), mf::ot::w2_squared_exact_assignment(x, y, 1), 1e-12);
  }
}

TEST(QuantileW2, UnequalAtomsAndTranslation) {
  // Any measure against its translate by τ: W2² = τ² (the quantile functions differ by τ everywhere).
  std::vector<Piece1d> a = {{0.0, 0.0, 0.2}, {0.1, 0.3, 0.5}, {0.3, 0.3, 0.05}, {0.5, 0.9, 0.25}}, b;
  const double tau = 0.37;
  for (const auto& p : a) b.push_back({p.lo + tau, p.hi + tau, 2.0 * p.mass});
  EXPECT_NEAR(w2_squared_quantile_1d(a, b), tau * tau, 1e-15);
  // δ₀ against ½δ₀ + ½δ₁: half the mass moves by 1.
  EXPECT_NEAR(w2_squared_quantile_1d({{0.0, 0.0, 1.0}}, {{0.0, 0.0, 1.0}, {1.0, 1.0, 1.0}}), 0.5, 1e-15);
}

TEST(QuantileW2, RejectsWhatIsNoMeasure) {
  EXPECT_THROW(w2_squared_quantile_1d({{0.0, 1.0, 1.0}, {0.5, 1.5, 1.0}}, {{0.0, 0.0, 1.0}}), std::invalid_argument);
  EXPECT_THROW(w2_squared_quantile_1d({{1.0, 0.0, 1.0}}, {{0.0, 0.0, 1.0}}), std::invalid_argument);
  EXPECT_THROW(w2_squared_quantile_1d({{0.0, 1.0, 0.0}}, {{0.0, 0.0, 1.0}}), std::invalid_argument);
  EXPECT_THROW(w2_squared_quantile_1d({{0.0, 1.0, -1.0}, {2.0, 3.0, 2.0}}, {{0.0, 0.0, 1.0}}), std::invalid_argument);
}
