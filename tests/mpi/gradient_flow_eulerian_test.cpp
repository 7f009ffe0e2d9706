// Implicit finite volumes for Wasserstein gradient flows: porous medium against Barenblatt (L1 order,
// free-boundary radius, energy decrease), heat and Ornstein–Uhlenbeck against their Gaussian closed
// forms, exact mass conservation, positivity, and independence of the domain decomposition.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/environment.hpp"
#include "models/gradient_flow/gradient_flow_closed_form.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

struct Outcome {
  double l1_error = 0, mass0 = 0, mass1 = 0, min_density = 0, radius = 0, exact_radius = 0;
  double mean_error = 0, cov_error = 0, newton_mean = 0;
  bool energy_monotone = false;
  int steps = 0, rejected_steps = 0;
  std::vector<double> natural;
};

double mass(const GradientFlowEulerian& e) {
  PetscScalar s = 0;
  PetscCallThrow(VecSum(e.density(), &s));
  return s * e.grid().cell_volume();
}

Outcome run(MPI_Comm comm, const GradientFlowConfig& c) {
  auto measure = make_measure(c.initial);
  GradientFlowEulerian e(c, comm, *measure);
  auto exact = GradientFlowClosedForm::make(c);
  Outcome o;
  o.mass0 = mass(e);
  e.advance(0.0, c.t_end);
  o.mass1 = mass(e);
  PetscCallThrow(VecMin(e.density(), nullptr, &o.min_density));
  o.energy_monotone = e.energy_monotone();
  o.rejected_steps = e.rejected_steps();
  o.newton_mean = e.newton_iterations_mean();
  o.steps = e.steps();
  o.natural = gather_natural(e.grid(), e.density());
  if (!exact) return o;
  VecHandle ref = e.grid().create_global();
  exact->cell_averages(c.t_end, e.grid(), ref);
  o.l1_error = relative_l1(e.density(), ref);
  const Moments got = grid_moments(e.grid(), e.density());
  o.mean_error = relative_mean_error(got, *exact->moments(c.t_end));
  o.cov_error = relative_cov_error(got, *exact->moments(c.t_end));
  if (exact->kind() == GradientFlowClosedForm::Kind::Barenblatt) {
    o.radius = support_radius(e.grid(), e.density(), exact->center());
    o.exact_radius = exact->support_radius(c.t_end);
  }
  return o;
}

}  // namespace

TEST(GradientFlowEulerian, PorousMediumConvergesToBarenblatt2D) {
  // m = 2 in 2D from t0 = 0.05 (radius 0.84) to t0 + 0.1 (radius 1.11) in [−1.5, 1.5]², dt ∝ h.
  std::vector<double> err, rad;
  for (PetscInt n : {20, 40, 80}) {
    auto c = mf::testing::gf_config(2, 1.5, n);
    mf::testing::set_barenblatt(c, 2.0, 0.05);
    c.t_end = 0.1;
    c.dt = 0.1 * 24.0 / (8.0 * n);
    const auto t0 = std::chrono::steady_clock::now();
    const Outcome o = run(MPI_COMM_WORLD, c);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    err.push_back(o.l1_error);
    rad.push_back(std::abs(o.radius - o.exact_radius) / o.exact_radius);
    EXPECT_NEAR(o.mass1, o.mass0, 1e-11 * o.mass0);
    EXPECT_GE(o.min_density, -1e-12);
    // energy_monotone holds by construction (the step guard); a rejected step is what can fail.
    EXPECT_EQ(o.rejected_steps, 0) << "n = " << n;
    EXPECT_TRUE(o.energy_monotone) << "n = " << n;
    // The radius is resolved to a cell: the error must stay within 1.5 cells.
    EXPECT_LT(std::abs(o.radius - o.exact_radius), 1.5 * 3.0 / n) << o.radius << " vs " << o.exact_radius;
    if (mf::world_rank() == 0)
      std::printf("porous2d n=%ld steps=%d L1=%.4e radius=%.4f exact=%.4f newton=%.2f (%.2fs)\n", (long)n, o.steps,
                  o.l1_error, o.radius, o.exact_radius, o.newton_mean, secs);
  }
  const double p1 = mf::testing::observed_order(err[0], err[1]), p2 = mf::testing::observed_order(err[1], err[2]);
  if (mf::world_rank() == 0) std::printf("porous2d L1 orders %.2f %.2f\n", p1, p2);
  EXPECT_GE(p1, 0.8) << err[0] << " " << err[1] << " " << err[2];
  EXPECT_GE(p2, 0.8) << err[0] << " " << err[1] << " " << err[2];
  EXPECT_LT(err[2], 0.03);
}

TEST(GradientFlowEulerian, HeatEquationIsSecondOrderInSpace1D) {
  // Gaussian N(0.1, 0.05) spreading to variance 0.25 in [−3, 3]; dt ∝ h² isolates the spatial order.
  std::vector<double> err;
  for (PetscInt n : {60, 120, 240}) {
    auto c = mf::testing::gf_config(1, 3.0, n);
    mf::testing::set_gaussian(c, {0.1}, Matrix::from_rows({{0.05}}));
    c.t_end = 0.1;
    c.dt = 0.01 * (60.0 / n) * (60.0 / n);
    const Outcome o = run(MPI_COMM_WORLD, c);
    err.push_back(o.l1_error);
    EXPECT_NEAR(o.mass1, o.mass0, 1e-11 * o.mass0);
    EXPECT_GE(o.min_density, 0.0);
    // energy_monotone holds by construction (the step guard); a rejected step is what can fail.
    EXPECT_EQ(o.rejected_steps, 0);
    EXPECT_TRUE(o.energy_monotone);
  }
  const double p1 = mf::testing::observed_order(err[0], err[1]), p2 = mf::testing::observed_order(err[1], err[2]);
  if (mf::world_rank() == 0) std::printf("heat1d L1 %.3e %.3e %.3e orders %.2f %.2f\n", err[0], err[1], err[2], p1, p2);
  EXPECT_GE(p1, 1.8);
  EXPECT_GE(p2, 1.8);
}

TEST(GradientFlowEulerian, OrnsteinUhlenbeckMatchesGaussianClosure2D) {
  // ∂ρ = Δρ + div(ρx) from N((0.5, −0.2), diag(0.1, 0.05)): mean e^{−t}, covariance I + (Σ0 − I)e^{−2t}.
  std::vector<double> err, cov;
  for (PetscInt n : {32, 64}) {
    auto c = mf::testing::gf_config(2, 4.0, n);
    mf::testing::set_gaussian(c, {0.5, -0.2}, Matrix::from_rows({{0.1, 0.0}, {0.0, 0.05}}));
    c.energy.potential = Potential::Quadratic;
    c.energy.potential_strength = 1.0;
    c.t_end = 0.4;
    c.dt = 0.02 * 32.0 / n;
    const Outcome o = run(MPI_COMM_WORLD, c);
    err.push_back(o.l1_error);
    cov.push_back(o.cov_error);
    EXPECT_NEAR(o.mass1, o.mass0, 1e-11 * o.mass0);
    EXPECT_GE(o.min_density, 0.0);
    // energy_monotone holds by construction (the step guard); a rejected step is what can fail.
    EXPECT_EQ(o.rejected_steps, 0);
    EXPECT_TRUE(o.energy_monotone);
    if (mf::world_rank() == 0)
      std::printf("ou2d n=%ld L1=%.3e mean_err=%.3e cov_err=%.3e newton=%.2f\n", (long)n, o.l1_error, o.mean_error,
                  o.cov_error, o.newton_mean);
  }
  EXPECT_GE(mf::testing::observed_order(err[0], err[1]), 0.8) << err[0] << " " << err[1];
  EXPECT_LT(err[1], 0.05);
  EXPECT_LT(cov[1], 0.03);
}

TEST(GradientFlowEulerian, PorousMediumThreeDimensions) {
  auto c = mf::testing::gf_config(3, 1.0, 16);
  mf::testing::set_barenblatt(c, 3.0, 0.02);
  c.t_end = 0.01;
  c.dt = 0.005;
  const Outcome o = run(MPI_COMM_WORLD, c);
  EXPECT_NEAR(o.mass1, o.mass0, 1e-11 * o.mass0);
  // energy_monotone holds by construction (the step guard); a rejected step is what can fail.
  EXPECT_EQ(o.rejected_steps, 0);
  EXPECT_TRUE(o.energy_monotone);
  EXPECT_LT(o.l1_error, 0.12);
  EXPECT_LT(std::abs(o.radius - o.exact_radius), 2.0 * 2.0 / 16);
  if (mf::world_rank() == 0)
    std::printf("porous3d m=3 n=16: L1=%.4e radius=%.4f exact=%.4f\n", o.l1_error, o.radius, o.exact_radius);
}

TEST(GradientFlowEulerian, SameDensityOnAnyRankCount) {
  // Decomposed vs serial: identical equations, Newton converged to 1e-11 relative residual.
  auto c = mf::testing::gf_config(2, 1.5, 40);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.energy.potential = Potential::Quadratic;
  c.energy.potential_strength = 0.5;
  c.initial.center = {0.2, -0.1};
  c.t_end = 0.05;
  c.dt = 0.01;
  const Outcome par = run(MPI_COMM_WORLD, c);
  const Outcome ser = run(MPI_COMM_SELF, c);
  if (mf::world_rank() == 0) {
    ASSERT_EQ(par.natural.size(), ser.natural.size());
    double worst = 0.0, top = 0.0;
    for (size_t i = 0; i < ser.natural.size(); ++i) {
      worst = std::max(worst, std::abs(par.natural[i] - ser.natural[i]));
      top = std::max(top, std::abs(ser.natural[i]));
    }
    std::printf("ranks agreement: max |diff| = %.3e (max density %.3f)\n", worst, top);
    EXPECT_LE(worst, 1e-8 * top);
  }
}
