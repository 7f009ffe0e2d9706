// eulerian.time_integrator: bdf2 against the 1D Barenblatt profile (porous m = 2) with dt ∝ h: the L1
// error falls at second order where backward Euler's falls at first (its O(dt) dominates), with mass
// exact and the energy monotone (the guard would reject a rising step; none is needed here).
#include <gtest/gtest.h>

#include <vector>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/environment.hpp"
#include "models/gradient_flow/gradient_flow_closed_form.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

double l1_to_barenblatt(PetscInt cells, bool bdf2, bool& monotone, int& rejected) {
  auto c = mf::testing::gf_config(1, 1.5, cells);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.dt = 0.004 * 50.0 / cells;
  c.bdf2 = bdf2;
  c.lagrangian_enabled = false;
  auto measure = make_measure(c.initial);
  GradientFlowEulerian e(c, MPI_COMM_WORLD, *measure);
  e.advance(0.0, 0.05);  // two output intervals, as the Driver would
  e.advance(0.05, 0.05);
  monotone = e.energy_monotone();
  rejected = e.rejected_steps();
  auto exact = GradientFlowClosedForm::make(c);
  VecHandle ref = e.grid().create_global();
  exact->cell_averages(0.1, e.grid(), ref);
  return relative_l1(e.density(), ref);
}

}  // namespace

TEST(GradientFlowBdf2, SecondOrderAgainstBarenblattWhereBackwardEulerIsFirst) {
  std::vector<double> be, bdf;
  for (PetscInt n : {50, 100, 200}) {
    bool monotone = false;
    int rejected = -1;
    be.push_back(l1_to_barenblatt(n, false, monotone, rejected));
    EXPECT_TRUE(monotone);
    bdf.push_back(l1_to_barenblatt(n, true, monotone, rejected));
    EXPECT_TRUE(monotone);
    EXPECT_EQ(rejected, 0);
    if (mf::world_rank() == 0)
      std::printf("1D Barenblatt, %ld cells, dt ∝ h: L1 backward Euler %.3e, BDF2 %.3e\n", (long)n, be.back(), bdf.back());
  }
  for (int k = 0; k < 2; ++k) {
    EXPECT_GE(mf::testing::observed_order(bdf[k], bdf[k + 1]), 1.8) << bdf[k] << " " << bdf[k + 1];
    EXPECT_LE(mf::testing::observed_order(be[k], be[k + 1]), 1.2) << be[k] << " " << be[k + 1];
  }
  EXPECT_LT(bdf[2], 0.2 * be[2]);
}
