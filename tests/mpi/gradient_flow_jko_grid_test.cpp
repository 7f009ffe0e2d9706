// eulerian.scheme: jko with jko_solver dynamic_ot (the grid JKO of jko_grid.cpp) from the shipped decks:
// Ornstein–Uhlenbeck against the exact Gaussian JKO recursion and the exact W2² of each step, the porous
// medium against the Barenblatt profile; the density is the same on every rank count (the step is solved
// replicated), checked against a run on MPI_COMM_SELF in the same process.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "gradient_flow_deck_run.hpp"

using namespace mf;
using namespace mf::testing;

TEST(GradientFlowJkoGrid, OrnsteinUhlenbeckFollowsTheExactJkoStepsOnAnyRankCount) {
  register_all_models();
  const std::vector<std::string> sets = {"domain.cells=[32,32]", "lagrangian.enabled=false", "time.dt=0.05",
                                         "eulerian.jko_step_size=0.1"};
  const GridRunResult world = run_gradient_flow_grid("jko_ornstein_uhlenbeck_2d.yaml", sets, 0.1, MPI_COMM_WORLD);
  const GridRunResult self = run_gradient_flow_grid("jko_ornstein_uhlenbeck_2d.yaml", sets, 0.1, MPI_COMM_SELF);
  const Metrics& m = world.metrics;
  if (world_rank() == 0)
    std::printf("JKO grid OU 32², 2 steps: recursion error %.3e, step W2² error %.3e, DR iterations/step %.0f\n",
                m.at("eulerian.jko_recursion_error"), m.at("eulerian.jko_step_w2sq_error"),
                m.at("eulerian.newton_iterations_mean"));
  // Measured: recursion error 1.5e-3, W2² error 3.3e-2 (the 32² grid of [−4, 4]² has h = 0.25).
  EXPECT_LT(m.at("eulerian.jko_recursion_error"), 5e-3);
  EXPECT_LT(m.at("eulerian.jko_step_w2sq_error"), 0.05);
  EXPECT_EQ(m.at("eulerian.energy_monotone"), 1.0);
  EXPECT_NEAR(world.mass, world.mass0, 1e-12);
  for (const char* key : {"eulerian.jko_recursion_error", "eulerian.jko_step_w2sq_error", "eulerian.energy"})
    EXPECT_NEAR(m.at(key), self.metrics.at(key), 1e-12 * std::abs(self.metrics.at(key))) << key;
}

TEST(GradientFlowJkoGrid, PorousMediumTracksBarenblatt) {
  register_all_models();
  const GridRunResult r = run_gradient_flow_grid("jko_porous_barenblatt_2d.yaml", {"domain.cells=[48,48]", "lagrangian.enabled=false",
                                                       "time.dt=0.01", "eulerian.jko_time_cells=1"},
                    0.03, MPI_COMM_WORLD);
  const Metrics& m = r.metrics;
  if (world_rank() == 0)
    std::printf("JKO grid Barenblatt 48², 3 steps: L1 %.3e, step W2² error %.3e, support radius error %.3e, DR "
                "iterations/step %.0f\n",
                m.at("eulerian.l1_error"), m.at("eulerian.jko_step_w2sq_error"), m.at("eulerian.support_radius_error"),
                m.at("eulerian.newton_iterations_mean"));
  // Measured: L1 1.2e-2, step W2² error 0.13, support radius error 5.7e-3.
  EXPECT_LT(m.at("eulerian.l1_error"), 2e-2);
  EXPECT_LT(m.at("eulerian.support_radius_error"), 0.03);
  EXPECT_LT(m.at("eulerian.jko_step_w2sq_error"), 0.2);  // τ/t up to 0.2: the JKO step is O(τ) off the PDE
  EXPECT_EQ(m.at("eulerian.energy_monotone"), 1.0);
  EXPECT_NEAR(r.mass, r.mass0, 1e-12);  // continuity holds exactly at every step
}
