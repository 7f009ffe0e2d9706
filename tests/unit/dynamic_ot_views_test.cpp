// The model's three views on a translated 1D bump: slices, velocity, particles, closed form, metrics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"
#include "models/dynamic_ot/w2_1d.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {
DynamicOtConfig bump1d() {
  DynamicOtConfig c = mf::testing::translated_bump({0.3}, {0.65}, {48, 1, 1}, 16, Method::PrimalDual);
  c.tolerance = 1e-6;
  c.max_iterations = 3000;
  c.particles = 4000;
  return c;
}
}  // namespace

TEST(DynamicOtViews, TranslatedBumpAllViews) {
  auto model = build_dynamic_ot_model(bump1d(), MPI_COMM_SELF);
  auto* m = static_cast<DynamicOtModel*>(model.get());
  ASSERT_NE(m->grid_view, nullptr);
  ASSERT_NE(m->particle_view, nullptr);
  ASSERT_NE(m->exact_view, nullptr);
  const double exact = 0.35 * 0.35;
  const double h = 1.0 / 48;
  auto& e = *m->grid_view;
  // Every slice carries unit mass; the mean moves linearly from 0.3 to 0.65 (constant speed).
  for (PetscInt k = 0; k <= 16; ++k) {
    const auto rho = e.slice_density(k);
    double mass = 0, mean = 0;
    for (int i = 0; i < 48; ++i) {
      mass += h * rho[i];
      mean += h * rho[i] * (i + 0.5) * h;
    }
    EXPECT_NEAR(mass, 1.0, 1e-9);
    EXPECT_NEAR(mean, 0.3 + 0.35 * k / 16.0, 2e-3) << "face " << k;
  }
  // Mid-geodesic: the velocity where the bump has mass is the translation s = 0.35.
  e.select_time(0.5);
  const auto rho = e.slice_density(8);
  const auto mom = e.slice_momentum(8, 0);
  double vmass = 0, mass = 0;
  for (int i = 0; i < 48; ++i)
    if (rho[i] > 1e-3) {
      vmass += mom[i];
      mass += rho[i];
    }
  EXPECT_NEAR(vmass / mass, 0.35, 5e-3);
  // Per time slice kinetic energy is constant for a geodesic (constant speed), sums to W2²/2.
  const auto slices = e.solver().slice_energies();
  for (double s : slices) EXPECT_NEAR(s, 0.5 * exact, 0.03 * exact);
  // Particles: W2² of the coupled samples within sampling error of the exact value.
  EXPECT_NEAR(m->particle_view->w2sq(), exact, 0.02 * exact);
  m->particle_view->move_to(1.0);
  // Metrics.
  Metrics metrics;
  m->add_metrics(0.5, metrics);
  EXPECT_NEAR(metrics.at("eulerian.w2sq"), exact, 1e-3 * exact);
  EXPECT_LT(metrics.at("eulerian.w2sq_error"), 1e-3);
  EXPECT_DOUBLE_EQ(metrics.at("closed_form.w2sq"), m->exact_view->geodesic().w2sq());
  EXPECT_LT(metrics.at("eulerian.constraint_residual"), 1e-5);
  EXPECT_LT(metrics.at("eulerian.continuity_residual"), 1e-8);
  EXPECT_EQ(m->output_times().size(), 17u);
  // convergence.csv (published by the Driver): header + one row per iteration, last W2² = the metric.
  const auto files = m->extra_text_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].first, "convergence.csv");
  const std::string& csv = files[0].second;
  EXPECT_EQ(csv.rfind("iteration,energy,w2sq,constraint_residual,energy_change,ksp_iterations\n", 0), 0u);
  EXPECT_EQ(static_cast<int>(std::count(csv.begin(), csv.end(), '\n')), m->grid_view->stats().iterations + 1);
  const std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  EXPECT_NEAR(std::stod(last.substr(last.find(',', last.find(',') + 1) + 1)), metrics.at("eulerian.w2sq"),
              1e-12 * metrics.at("eulerian.w2sq"));
  // Cross-view W2 (exact in 1D): grid slices against the particles, bounded by sampling error + h.
  EXPECT_GT(metrics.at("cross.w2_eulerian_lagrangian"), 0.0);
  EXPECT_LT(metrics.at("cross.w2_eulerian_lagrangian"), 0.02);
  // Closed-form cell averages at t = 1 reproduce the target's mean.
  VecHandle ca = e.grid().create_global();
  ASSERT_TRUE(m->exact_view->cell_averages(1.0, e.grid(), ca));
  const Moments cm = grid_moments(e.grid(), ca);
  EXPECT_NEAR(cm.mean[0], 0.65, 1e-5);
  EXPECT_NEAR(cm.mass, 1.0, 1e-4);  // Gauss–Legendre across the C¹ edge of the support
}

// W2 between a uniform density on [0, 1) and points at the quantile midpoints: ∫₀¹ (u − y(u))² du
// = 1/(12 n²) exactly.
TEST(DynamicOtViews, ExactOneDimensionalW2AgainstPoints) {
  const int n = 10;
  std::vector<double> pts(n);
  for (int i = 0; i < n; ++i) pts[i] = (i + 0.5) / n;
  EXPECT_NEAR(w2sq_density_vs_points_1d(std::vector<double>(37, 2.0), 0.0, 1.0 / 37, pts), 1.0 / (12.0 * n * n),
              1e-14);
  // Shifted points: adds the squared shift.
  for (auto& p : pts) p += 0.1;
  EXPECT_NEAR(w2sq_density_vs_points_1d(std::vector<double>(37, 2.0), 0.0, 1.0 / 37, pts),
              1.0 / (12.0 * n * n) + 0.01, 1e-14);
}

TEST(DynamicOtViews, MethodNames) {
  EXPECT_EQ(parse_method("alg2"), Method::Alg2);
  EXPECT_EQ(parse_method("douglas_rachford"), Method::DouglasRachford);
  EXPECT_EQ(parse_method("primal_dual"), Method::PrimalDual);
  EXPECT_THROW(parse_method("sinkhorn"), std::invalid_argument);
}
