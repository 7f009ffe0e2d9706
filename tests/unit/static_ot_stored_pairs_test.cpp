// solver.max_stored_pairs only trades memory for time: with every kernel streamed (0: recomputed every sweep)
// the multiscale views give the answer of the stored kernels (the default), up to the order of the row sums.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>

#include "models/static_ot/static_ot_views.hpp"
#include "static_ot_cases.hpp"

using namespace mf;
using namespace mf::static_ot;

TEST(StaticOtStoredPairs, StreamedKernelsGiveTheStoredAnswer) {
  StaticOtConfig c = mf::testing::two_gaussians(40);
  c.particles = 700;
  c.method = StaticMethod::Multiscale;
  auto stored = build_static_ot_model(c, MPI_COMM_SELF);
  c.max_stored_pairs = 0;
  auto streamed = build_static_ot_model(c, MPI_COMM_SELF);
  Metrics ms, mt;
  stored->add_metrics(0.0, ms);
  streamed->add_metrics(0.0, mt);
  for (const char* name : {"static.w2sq", "static.entropic_cost", "static.divergence", "lagrangian.w2sq",
                           "lagrangian.entropic_cost", "lagrangian.divergence"}) {
    EXPECT_NEAR(mt.at(name), ms.at(name), 1e-9 * std::abs(ms.at(name))) << name;
    std::printf("%s stored %.15e streamed %.15e\n", name, ms.at(name), mt.at(name));
  }
  EXPECT_LE(ms.at("static.marginal_error"), c.tolerance);
  EXPECT_LE(mt.at("static.marginal_error"), c.tolerance);
}
