// How far the adaptive over-relaxation (src/ot/over_relaxation.hpp) raises ω: to 1 + f·(ω_opt − 1), ω_opt
// Young's optimum for the plain contraction ρ that the observed one implies, f = 0.95 unless told (the grid
// transform stages) and 1 for the yardstick's sparse-kernel stages (MultiscaleOptions::relaxation_toward_optimum).
#include <gtest/gtest.h>

#include <cmath>

#include "ot/over_relaxation.hpp"

using mf::ot::detail::OverRelaxation;

namespace {

// Feeds the violations λ^k, k = 0..count−1 (falling at every sweep) and returns ω after them.
double after_geometric(OverRelaxation& r, double lambda, int count) {
  for (int k = 0; k < count; ++k) r.observe(std::pow(lambda, k));
  return r.omega();
}

// The raise the rule should make from ω when the violation contracts by λ a sweep: Young's relation
// (λ + ω − 1)² = λ ω² ρ gives ρ, the optimum is 2/(1 + √(1 − ρ)).
double expected_raise(double omega, double lambda, double toward) {
  const double rho = (lambda + omega - 1.0) * (lambda + omega - 1.0) / (lambda * omega * omega);
  return 1.0 + toward * (2.0 / (1.0 + std::sqrt(1.0 - rho)) - 1.0);
}

}  // namespace

TEST(OverRelaxation, RaisesTowardTheOptimumByTheFractionTold) {
  const double omega = 1.7, lambda = 0.95, tol = 1e-12;
  OverRelaxation full(omega, true, tol, 1.0), default_rule(omega, true, tol), told_095(omega, true, tol, 0.95);
  // Nothing before a whole window of falling violations (kWindow = 4 ratios, 5 violations).
  EXPECT_EQ(after_geometric(full, lambda, 4), omega);
  full.observe(std::pow(lambda, 4));
  EXPECT_NEAR(full.omega(), expected_raise(omega, lambda, 1.0), 1e-12);  // 1.8323
  EXPECT_NEAR(after_geometric(default_rule, lambda, 5), expected_raise(omega, lambda, 0.95), 1e-12);  // 1.7907
  // The default is 0.95 exactly: the same ω as when told 0.95.
  EXPECT_EQ(after_geometric(told_095, lambda, 5), default_rule.omega());
  EXPECT_GT(full.omega(), default_rule.omega() + 0.03);
}

TEST(OverRelaxation, NoRaiseWhereFewSweepsRemain) {
  // At λ = 0.5 from 1 the tolerance 1e-3 is 10 sweeps away (< kWorthRaising = 12): ω stays where it started,
  // whatever the fraction.
  OverRelaxation r(1.7, true, 1e-3, 1.0);
  EXPECT_EQ(after_geometric(r, 0.5, 8), 1.7);
}

TEST(OverRelaxation, FixedRuleIgnoresTheFraction) {
  // Not adaptive: the starting ω until the violation rises, then plain sweeps.
  OverRelaxation r(1.7, false, 1e-12, 1.0);
  EXPECT_EQ(after_geometric(r, 0.95, 10), 1.7);
  r.observe(2.0);
  EXPECT_EQ(r.omega(), 1.0);
}
