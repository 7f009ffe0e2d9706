// The dynamic OT model in a 3D space (time stored as the DMDA dof): a translated bump against its exact
// W2² = |s|² on two resolutions (observed order), and the three views at the coarse one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

constexpr double kShift[3] = {0.3, 0.2, 0.2};
constexpr double kExact = 0.3 * 0.3 + 0.2 * 0.2 + 0.2 * 0.2;

DynamicOtConfig bump3d(int n, bool particles) {
  DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3, 0.3}, {0.3 + kShift[0], 0.3 + kShift[1], 0.3 + kShift[2]},
                                               {n, n, n}, n / 2, Method::PrimalDual);
  c.tolerance = 1e-5;
  c.max_iterations = 3000;
  c.lagrangian = particles;
  c.particles = 500;
  c.seed = 11;
  return c;
}

}  // namespace

// W2² error falls with refinement at an observed order near 2 (8³×4 → 12³×6; the bench goes to 24³×12).
TEST(DynamicOt3D, TranslatedBumpConverges) {
  const int ns[2] = {8, 12};
  double err[2];
  for (int i = 0; i < 2; ++i) {
    auto model = build_dynamic_ot_model(bump3d(ns[i], false), MPI_COMM_SELF);
    auto* m = static_cast<DynamicOtModel*>(model.get());
    ASSERT_NE(m->exact_view, nullptr);
    EXPECT_NEAR(m->exact_view->geodesic().w2sq(), kExact, 1e-12);
    EXPECT_TRUE(m->grid_view->stats().converged);
    err[i] = std::abs(m->grid_view->stats().w2sq - kExact) / kExact;
  }
  const double order = std::log(err[0] / err[1]) / std::log(12.0 / 8.0);
  std::printf("bump3d 8^3x4 rel.err %.4e, 12^3x6 rel.err %.4e, order %.2f\n", err[0], err[1], order);
  EXPECT_LT(err[1], err[0]);
  EXPECT_GT(order, 1.5);
  EXPECT_LT(err[1], 0.05);
}

// Slices keep unit mass and move at constant speed; the velocity is the shift; particles and grid agree.
TEST(DynamicOt3D, TranslatedBumpAllViews) {
  const int n = 8, nt = 4;
  auto model = build_dynamic_ot_model(bump3d(n, true), MPI_COMM_SELF);
  auto* m = static_cast<DynamicOtModel*>(model.get());
  ASSERT_NE(m->particle_view, nullptr);
  auto& e = *m->grid_view;
  const double h = 1.0 / n, vol = h * h * h;
  for (PetscInt k = 0; k <= nt; ++k) {
    const auto rho = e.slice_density(k);
    ASSERT_EQ(rho.size(), static_cast<std::size_t>(n * n * n));
    double mass = 0, mean[3] = {0, 0, 0};
    for (int z = 0; z < n; ++z)
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
          const double w = vol * rho[(z * n + y) * n + x];
          const int idx[3] = {x, y, z};
          mass += w;
          for (int a = 0; a < 3; ++a) mean[a] += w * (idx[a] + 0.5) * h;
        }
    EXPECT_NEAR(mass, 1.0, 1e-9) << "face " << k;
    // Coarse grid: the centre of mass follows the straight line to within a fraction of a cell.
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(mean[a], 0.3 + kShift[a] * k / nt, 0.1 * h) << "face " << k << " axis " << a;
  }
  // Mid-geodesic momentum over mass is the shift (mass-weighted mean velocity).
  const auto rho = e.slice_density(nt / 2);
  for (int a = 0; a < 3; ++a) {
    const auto mom = e.slice_momentum(nt / 2, a);
    double mm = 0, mass = 0;
    for (std::size_t i = 0; i < rho.size(); ++i) {
      mm += mom[i];
      mass += rho[i];
    }
    EXPECT_NEAR(mm / mass, kShift[a], 0.02 * kShift[a]) << "axis " << a;
  }
  Metrics metrics;
  m->add_metrics(1.0, metrics);
  std::printf("3D views: eulerian.w2sq %.5f lagrangian.w2sq %.5f cross.w2 %.4e\n", metrics.at("eulerian.w2sq"),
              metrics.at("lagrangian.w2sq"), metrics.at("cross.w2_eulerian_lagrangian"));
  EXPECT_NEAR(metrics.at("lagrangian.w2sq"), kExact, 0.05 * kExact);
  EXPECT_LT(metrics.at("eulerian.w2sq_error"), 0.1);
  EXPECT_LT(metrics.at("eulerian.continuity_residual"), 1e-8);
  // Both views carry the same measure at every face: W2 far below the shift |s| = 0.41.
  EXPECT_LT(metrics.at("cross.w2_eulerian_lagrangian"), 0.05);
}
