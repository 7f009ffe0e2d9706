// Cross-view W2 per time face in 2D (debiased Sinkhorn between the grid slice and the particles) on a
// translated bump, where shifting the particles' time by Δt must add exactly the distance |s|Δt.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/slice_comparison.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {
DynamicOtConfig bump2d() {
  // s = (0.4, 0.3), |s| = 0.5, W2² = 0.25; a wider bump (radius 0.3) on [−1, 1]².
  DynamicOtConfig c = mf::testing::translated_bump({-0.2, -0.15}, {0.2, 0.15}, {24, 24, 1}, 8, Method::PrimalDual);
  c.space.lower = {-1.0, -1.0, 0.0};
  c.space.upper = {1.0, 1.0, 1.0};
  c.initial.shape = c.target.shape = Matrix::diagonal({0.09, 0.09});
  c.tolerance = 1e-4;
  c.max_iterations = 1500;
  c.particles = 800;
  return c;
}
}  // namespace

TEST(DynamicOtSliceW2, EveryFaceComparedAndTheLargestReported) {
  auto model = build_dynamic_ot_model(bump2d(), MPI_COMM_SELF);
  auto* m = static_cast<DynamicOtModel*>(model.get());
  ASSERT_NE(m->particle_view, nullptr);
  auto& grid = *m->grid_view;
  auto& parts = *m->particle_view;
  const SliceComparison c = compare_slices(grid, parts, 8, {});
  ASSERT_EQ(c.w2.size(), 9u);
  for (std::size_t k = 0; k < c.w2.size(); ++k)
    std::printf("face %zu: W2 %.5f  eps %.5f  bias %.5f  E_grid %.6f  E_particles %.6f\n", k, c.w2[k], c.eps[k],
                c.bias[k], c.grid_kinetic[k], c.particle_kinetic[k]);
  for (std::size_t k = 0; k < c.w2.size(); ++k) {
    // Same measure seen two ways: grid error plus the sampling error of 800 particles, far below |s|.
    EXPECT_LT(c.w2[k], 0.03) << "face " << k;
    // The Driver's yardstick rule: ε = 2 h² (h = 2/24), the bias estimate beside it below the W2 itself.
    EXPECT_NEAR(c.eps[k], 2.0 * (2.0 / 24) * (2.0 / 24), 1e-15);
    EXPECT_LT(c.bias[k], c.w2[k]) << "face " << k;
    // Constant speed along a geodesic: ½∫ρ|v|² = W2²/2 = 0.125 on every face, in both views.
    EXPECT_NEAR(c.grid_kinetic[k], 0.125, 0.02 * 0.125) << "face " << k;
    // The particles' energy is an 800-sample estimate: over seeds 1-42 (Philox draws) mean 0.1261, sd
    // 0.0023, range 0.1217-0.1308 (the same deck as `measureflow run`); the bound is 4 sd plus the mean's
    // offset (3 % was 1.5 sd and held for the previous generator's seed 1 only by luck).
    EXPECT_NEAR(c.particle_kinetic[k], 0.125, 0.085 * 0.125);
  }
  EXPECT_DOUBLE_EQ(c.largest(), *std::max_element(c.w2.begin(), c.w2.end()));

  // A known answer: particles taken at t_k + Δt are the slice's measure translated by sΔt (up to their
  // own sampling error), so W2 ≈ sqrt(|s|²Δt² + w2_k²). A wrong face or time would miss by |s|/8.
  // Shifts up to 0.25 only: the yardstick is exact for pairs with |x − y|² ≤ 10ε (|x − y| ≤ 0.37 here)
  // and truncates beyond; at Δt = 1 (a shift of 0.5) it measured 0.4907 for 0.5001 (docs/yardstick.md).
  const double s = 0.5;
  for (double dt : {0.25, 0.5}) {
    const CrossW2 r = slice_w2(grid, parts, 0, dt, {});
    const double w2 = r.w2;
    std::printf("face 0 vs particles at t = %.2f: W2 %.5f (expected about %.5f), bias %.2e, marginal error %.2e\n", dt,
                w2, std::sqrt(s * s * dt * dt + c.w2[0] * c.w2[0]), r.bias_estimate, r.marginal_error);
    EXPECT_NEAR(w2, std::sqrt(s * s * dt * dt + c.w2[0] * c.w2[0]), 0.008) << "Δt " << dt;
  }

  // The model's metrics: the pinned cross metric is the largest over faces, and the face at the
  // output time is reported beside it; the views are back at the output time afterwards.
  parts.move_to(0.5);
  grid.select_time(0.5);
  Metrics metrics;
  m->add_metrics(0.5, metrics);
  EXPECT_NEAR(metrics.at("cross.w2_eulerian_lagrangian"), c.largest(), 1e-12);
  EXPECT_NEAR(metrics.at("cross.w2_slice"), c.w2[4], 1e-12);
  EXPECT_NEAR(metrics.at("eulerian.face_kinetic_energy"), c.grid_kinetic[4], 1e-14);
  EXPECT_NEAR(slice_w2(grid, parts, 4, 0.5, {}).w2, c.w2[4], 1e-12);
  EXPECT_NEAR(metrics.at("cross.w2_bias_estimate"), c.bias[4], 1e-12);
  Metrics last;
  m->add_metrics(1.0, last);
  for (int k = 0; k <= 8; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "cross.w2_slice_k%03d", k);
    EXPECT_NEAR(last.at(name), c.w2[k], 1e-12);
  }
}

TEST(DynamicOtSliceW2, FaceEnergiesAverageTheAdjacentTimeCells) {
  const std::vector<double> face = face_kinetic_energies({1.0, 2.0, 4.0});
  ASSERT_EQ(face.size(), 4u);
  EXPECT_DOUBLE_EQ(face[0], 1.0);  // t = 0: only the first cell
  EXPECT_DOUBLE_EQ(face[1], 1.5);
  EXPECT_DOUBLE_EQ(face[2], 3.0);
  EXPECT_DOUBLE_EQ(face[3], 4.0);  // t = 1: only the last cell
}
