// The energy guard of the grid view: with W∗ρ frozen over a step the discrete energy can rise; a step
// that raises it is redone as two half steps, so eulerian.energy_monotone holds on every deck. The
// same runs without the guard show the rise it prevents (the test can fail).
#include <gtest/gtest.h>

#include <cmath>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/environment.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"
#include "models/gradient_flow/gradient_flow_model.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

// 1D log gas confined by x²/2 (the semicircle deck at a coarse step where the frozen repulsion overshoots).
GradientFlowConfig log_gas(double dt, int halvings) {
  auto c = mf::testing::gf_config(1, 2.0, 200);
  mf::testing::set_log_gas(c, 0.01, {0.3}, Matrix(1, 1, 0.2));
  c.t_end = 4.0;
  c.dt = dt;
  c.max_step_halvings = halvings;
  c.lagrangian_enabled = false;
  return c;
}

struct GuardRun {
  bool monotone;
  int rejected, steps;
  double w2;
};

GuardRun run(const GradientFlowConfig& c) {
  auto model = build_gradient_flow_model(c, MPI_COMM_WORLD);
  model->eulerian->advance(0.0, c.t_end);
  Metrics m;
  model->add_metrics(c.t_end, m);
  auto* e = dynamic_cast<GradientFlowEulerian*>(model->eulerian.get());
  return {e->energy_monotone(), e->rejected_steps(), e->steps(), m.at("eulerian.w2_steady_state")};
}

}  // namespace

TEST(GradientFlowEnergyGuard, RejectsRisingStepsThatTheFrozenInteractionWouldTake) {
  const GuardRun off = run(log_gas(0.5, 0));
  const GuardRun on = run(log_gas(0.5, 12));
  if (mf::world_rank() == 0)
    std::printf("log gas dt=0.5: guard off monotone %d W2 %.4e | guard on monotone %d rejected %d accepted %d W2 %.4e\n",
                off.monotone, off.w2, on.monotone, on.rejected, on.steps, on.w2);
  EXPECT_FALSE(off.monotone);  // the failure the guard exists for
  EXPECT_EQ(off.rejected, 0);
  EXPECT_TRUE(on.monotone);
  EXPECT_GT(on.rejected, 0);
  EXPECT_EQ(on.steps, 8 + on.rejected);  // each rejection replaces one step by two
  EXPECT_LT(on.w2, 0.02);
  EXPECT_GT(off.w2, 5.0 * on.w2);
}

TEST(GradientFlowEnergyGuard, NeverFiresWhereTheSchemeIsProvablyDissipative) {
  // Porous medium, no interaction: convex U, upwind fluxes; the energy falls without help.
  auto c = mf::testing::gf_config(1, 1.5, 100);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.dt = 0.01;
  c.lagrangian_enabled = false;
  auto measure = make_measure(c.initial);
  GradientFlowEulerian e(c, MPI_COMM_WORLD, *measure);
  e.advance(0.0, 0.2);
  EXPECT_TRUE(e.energy_monotone());
  EXPECT_EQ(e.rejected_steps(), 0);
  EXPECT_EQ(e.steps(), 20);
}
