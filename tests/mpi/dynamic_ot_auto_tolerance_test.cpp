// solver.tolerance: auto on 1, 2 and 4 ranks: the Benamou–Brenier solve stops once W2² moves by less than a
// tenth of the discretisation error estimated from the multilevel start's grid twice as coarse. Checked
// against the exact W2² of the translated bump (|s|² = 0.25) and of two Gaussians (Bures): it stops much
// earlier than the fixed tolerance 1e-4 and its W2² error stays within the estimate.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

// The fast settings of the benchmark (τ = 10, ρ = 1.8), two levels (12²×6 first) on 24²×12.
DynamicOtConfig fast(DynamicOtConfig c, bool tolerance_auto) {
  c.tolerance = tolerance_auto ? kAutoCoarsestTolerance : 1e-4;
  c.tolerance_auto = tolerance_auto;
  c.max_iterations = 3000;
  c.step = 10.0;
  c.relaxation = 1.8;
  c.levels = 2;
  c.lagrangian = false;
  c.cross_w2 = false;
  return c;
}

SolveStats solve(const DynamicOtConfig& c) {
  auto model = build_dynamic_ot_model(c, MPI_COMM_WORLD);
  return static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
}

int rank() {
  int r;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

}  // namespace

TEST(DynamicOtAutoTolerance, TranslatedBumpStopsEarlierWithinTheDiscretisationError) {
  const DynamicOtConfig bump = mf::testing::translated_bump({0.3, 0.3}, {0.7, 0.6}, {24, 24, 1}, 12, Method::PrimalDual);
  const SolveStats fixed = solve(fast(bump, false)), automatic = solve(fast(bump, true));
  const double exact = 0.25;
  const double err_fixed = std::abs(fixed.w2sq - exact) / exact, err_auto = std::abs(automatic.w2sq - exact) / exact;
  if (rank() == 0)
    std::printf("fixed 1e-4: %d fine its, W2² %.8f, error %.3e; auto: %d fine its, W2² %.8f, error %.3e, estimate %.3e "
                "(coarse W2² %.8f)\n",
                fixed.iterations, fixed.w2sq, err_fixed, automatic.iterations, automatic.w2sq, err_auto,
                automatic.error_estimate, automatic.reference_w2sq);
  ASSERT_TRUE(fixed.converged);
  ASSERT_TRUE(automatic.converged);
  EXPECT_GT(automatic.reference_w2sq, 0.0);  // the estimate came from the coarse grid, not the fallback
  // Same multilevel start, so the coarse work is the same: the fine iterations are the saving.
  EXPECT_EQ(automatic.coarse_iterations, fixed.coarse_iterations);
  EXPECT_LT(2 * automatic.iterations, fixed.iterations);
  EXPECT_LE(err_auto, automatic.error_estimate);
  EXPECT_LE(err_auto, 1.5 * err_fixed);
  EXPECT_LT(err_auto, 3e-3);  // the 24²×12 discretisation error is 2.1e-3
  // The same stop and W2² on 1, 2 and 4 ranks (the 1-rank values; the transform solve is exact, so the
  // ranks differ by round-off only, far below one iteration's change of W2², ~1e-5).
  EXPECT_EQ(automatic.iterations, 68);
  EXPECT_NEAR(automatic.w2sq, 0.25056727, 1e-7);
}

TEST(DynamicOtAutoTolerance, GaussiansWithinTheDiscretisationError) {
  DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3}, {0.7, 0.6}, {24, 24, 1}, 12, Method::PrimalDual);
  c.space.lower = {-1, -1, 0};
  c.space.upper = {1, 1, 1};
  c.initial.type = c.target.type = "gaussian";
  c.initial.mean = {-0.3, -0.2};
  c.initial.cov = Matrix::from_rows({{0.012, 0.004}, {0.004, 0.008}});
  c.target.mean = {0.3, 0.25};
  c.target.cov = Matrix::from_rows({{0.008, -0.003}, {-0.003, 0.015}});
  const SolveStats automatic = solve(fast(c, true));
  const double exact = bures_w2sq(Moments{1.0, c.initial.mean, c.initial.cov}, Moments{1.0, c.target.mean, c.target.cov});
  const double err = std::abs(automatic.w2sq - exact) / exact;
  if (rank() == 0)
    std::printf("gaussians: exact %.8f, auto: %d fine its, W2² %.8f, error %.3e, estimate %.3e (coarse W2² %.8f)\n", exact,
                automatic.iterations, automatic.w2sq, err, automatic.error_estimate, automatic.reference_w2sq);
  ASSERT_TRUE(automatic.converged);
  EXPECT_LE(err, automatic.error_estimate);
  // The coarse grid's own error (12²×6: 3.2e-2) is what the estimate sees; the fine one is far below it.
  EXPECT_LT(err, 0.25 * std::abs(automatic.reference_w2sq - exact) / exact);
  EXPECT_EQ(automatic.iterations, 81);  // same on 1, 2, 4 ranks, as above
  EXPECT_NEAR(automatic.w2sq, 0.56927200, 1e-7);
}
