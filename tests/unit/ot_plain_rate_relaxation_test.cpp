// The adaptive over-relaxation of the multiscale cross solve (src/ot/plain_rate_relaxation.hpp) on violation
// sequences whose rate is known: Young's ω from a settled geometric rate, none from a transient, and the
// return to plain sweeps when the over-relaxed ones lose the progress made.
#include <gtest/gtest.h>

#include <cmath>

#include "ot/plain_rate_relaxation.hpp"

using mf::ot::detail::PlainRateRelaxation;

namespace {

// Feeds err_k = e0 ρ^k for k = 0..count−1 and returns the last ω.
double feed_geometric(PlainRateRelaxation& r, double e0, double rho, int count) {
  double omega = r.omega();
  for (int k = 0; k < count; ++k) omega = r.next(e0 * std::pow(rho, k));
  return omega;
}

}  // namespace

TEST(PlainRateRelaxation, YoungsOmegaFromASettledRate) {
  const double rho = 0.99;
  PlainRateRelaxation r;
  EXPECT_EQ(r.omega(), 1.0);
  // Plain until two full windows of rate are seen (2·kWindow + 1 violations).
  EXPECT_EQ(feed_geometric(r, 1e-2, rho, 2 * PlainRateRelaxation::kWindow), 1.0);
  const double omega = r.next(1e-2 * std::pow(rho, 2 * PlainRateRelaxation::kWindow));
  EXPECT_NEAR(omega, 2.0 / (1.0 + std::sqrt(1.0 - rho)), 1e-9);  // Young's ω*: 1.8182
  // It stays while the violation keeps decreasing, and while it oscillates within the growth bound.
  EXPECT_EQ(r.next(5e-3), omega);
  EXPECT_EQ(r.next(9e-3), omega);
}

TEST(PlainRateRelaxation, Capped) {
  PlainRateRelaxation r;  // ρ = 0.999: ω* = 1.9387, above the cap
  EXPECT_EQ(feed_geometric(r, 1.0, 0.999, 3 * PlainRateRelaxation::kWindow), PlainRateRelaxation::kMaxOmega);
}

TEST(PlainRateRelaxation, NoOmegaFromATransient) {
  // The violation grows, or its rate changes from window to window: plain sweeps go on.
  PlainRateRelaxation r;
  EXPECT_EQ(feed_geometric(r, 1e-2, 1.01, 50), 1.0);
  // A rate still changing: log err_k = −10⁻⁴ k², whose rate over the last window differs from the one before
  // by (n − 6)/(n − 16) − 1 > 10 % up to n = 60 violations.
  PlainRateRelaxation s;
  double omega = 1.0;
  for (int k = 0; k < 60; ++k) omega = s.next(1e-2 * std::exp(-1e-4 * k * k));
  EXPECT_EQ(omega, 1.0);
}

TEST(PlainRateRelaxation, HalvesOmegaMinusOneWhenTheProgressIsLost) {
  PlainRateRelaxation r;
  const double omega = feed_geometric(r, 1e-2, 0.99, 3 * PlainRateRelaxation::kWindow);
  ASSERT_GT(omega, 1.5);
  const double best = 1e-2 * std::pow(0.99, 3 * PlainRateRelaxation::kWindow - 1);
  EXPECT_EQ(r.next(0.5 * best), omega);
  double e = PlainRateRelaxation::kGrowth * 0.5 * best * 1.01;
  EXPECT_DOUBLE_EQ(r.next(e), 1.0 + 0.5 * (omega - 1.0));
  // Each further loss halves ω − 1 again (from the violation that caused the last halving), down to plain sweeps
  // below 1.05, which stay for the rest of the stage (a settled rate included).
  double w = 1.0 + 0.5 * (omega - 1.0);
  while (w > 1.0) {
    e *= PlainRateRelaxation::kGrowth * 1.01;
    const double next = r.next(e);
    EXPECT_TRUE(next == 1.0 || std::fabs(next - (1.0 + 0.5 * (w - 1.0))) < 1e-15) << next;
    w = next;
  }
  EXPECT_EQ(feed_geometric(r, 1e-3, 0.99, 5 * PlainRateRelaxation::kWindow), 1.0);
}
