// The adaptive over-relaxation of the multiscale cross solve (src/ot/adaptive_relaxation.hpp) on violation
// sequences whose rate is known: Young's ω from a settled geometric rate, none from a transient, and the
// return to plain sweeps when the over-relaxed ones lose the progress made.
#include <gtest/gtest.h>

#include <cmath>

#include "ot/adaptive_relaxation.hpp"

using mf::ot::detail::AdaptiveRelaxation;

namespace {

// Feeds err_k = e0 ρ^k for k = 0..count−1 and returns the last ω.
double feed_geometric(AdaptiveRelaxation& r, double e0, double rho, int count) {
  double omega = r.omega();
  for (int k = 0; k < count; ++k) omega = r.next(e0 * std::pow(rho, k));
  return omega;
}

}  // namespace

TEST(AdaptiveRelaxation, YoungsOmegaFromASettledRate) {
  const double rho = 0.999;
  AdaptiveRelaxation r;
  EXPECT_EQ(r.omega(), 1.0);
  // Plain until two full windows of rate are seen (2·kWindow + 1 violations).
  EXPECT_EQ(feed_geometric(r, 1e-2, rho, 2 * AdaptiveRelaxation::kWindow), 1.0);
  const double omega = r.next(1e-2 * std::pow(rho, 2 * AdaptiveRelaxation::kWindow));
  EXPECT_NEAR(omega, 2.0 / (1.0 + std::sqrt(1.0 - rho)), 1e-9);  // 1.9387...
  // It stays while the violation keeps decreasing, and while it oscillates within the growth bound.
  EXPECT_EQ(r.next(5e-3), omega);
  EXPECT_EQ(r.next(9e-3), omega);
}

TEST(AdaptiveRelaxation, CappedBelowTwo) {
  AdaptiveRelaxation r;
  EXPECT_EQ(feed_geometric(r, 1.0, 1.0 - 1e-9, 3 * AdaptiveRelaxation::kWindow), AdaptiveRelaxation::kMaxOmega);
}

TEST(AdaptiveRelaxation, NoOmegaFromATransient) {
  // The violation grows, or its rate changes from window to window: plain sweeps go on.
  AdaptiveRelaxation r;
  EXPECT_EQ(feed_geometric(r, 1e-2, 1.01, 50), 1.0);
  // A rate still changing: log err_k = −10⁻⁴ k², whose rate over the last window differs from the one before
  // by (n − 6)/(n − 16) − 1 > 10 % up to n = 60 violations.
  AdaptiveRelaxation s;
  double omega = 1.0;
  for (int k = 0; k < 60; ++k) omega = s.next(1e-2 * std::exp(-1e-4 * k * k));
  EXPECT_EQ(omega, 1.0);
}

TEST(AdaptiveRelaxation, PlainForTheRestOfTheStageOnceTheProgressIsLost) {
  AdaptiveRelaxation r;
  const double omega = feed_geometric(r, 1e-2, 0.99, 3 * AdaptiveRelaxation::kWindow);
  ASSERT_GT(omega, 1.5);
  const double best = 1e-2 * std::pow(0.99, 3 * AdaptiveRelaxation::kWindow - 1);
  EXPECT_EQ(r.next(0.5 * best), omega);
  EXPECT_EQ(r.next(AdaptiveRelaxation::kGrowth * 0.5 * best * 1.01), 1.0);
  // Plain from then on, whatever follows (a settled rate included).
  EXPECT_EQ(feed_geometric(r, 1e-3, 0.99, 5 * AdaptiveRelaxation::kWindow), 1.0);
}
