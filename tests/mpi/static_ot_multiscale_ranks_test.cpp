// static_ot with solver.method: multiscale on any rank count: the multiscale solver replicates both clouds
// in their global order (cells' natural indices, particles' ids), so every metric and every written field
// (potentials on every cell, zero-mass ones included, and the map) of the decomposed run equal the serial
// run's in the same process.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>

#include "static_ot_cases.hpp"
#include "static_ot_fields.hpp"

using namespace mf;
using namespace mf::static_ot;

TEST(StaticOtMultiscaleRanks, SameAnswerOnAnyRankCount) {
  StaticOtConfig c = mf::testing::two_gaussians(40);
  c.target = mf::testing::ball_2d(0.3, -0.15, 0.4);  // zero-mass cells in β
  c.particles = 700;
  c.method = StaticMethod::Multiscale;
  auto par = build_static_ot_model(c, MPI_COMM_WORLD);
  auto ser = build_static_ot_model(c, MPI_COMM_SELF);
  Metrics mp, ms;
  par->add_metrics(0.0, mp);
  ser->add_metrics(0.0, ms);
  EXPECT_EQ(mp.at("static.multiscale"), 1.0);
  EXPECT_EQ(mp.at("lagrangian.multiscale"), 1.0);
  for (const auto& [name, value] : ms) {
    if (name.find("seconds") != std::string::npos) continue;
    ASSERT_TRUE(mp.count(name)) << name;
    if (name.find("iterations") != std::string::npos)
      EXPECT_EQ(mp.at(name), value) << name;
    else
      EXPECT_NEAR(mp.at(name), value, 1e-12 * std::max(std::abs(value), 1e-300) + 1e-15) << name;
  }
  const auto fp = mf::testing::static_ot_fields(static_cast<StaticOtModel&>(*par));
  const auto fs = mf::testing::static_ot_fields(static_cast<StaticOtModel&>(*ser));
  for (const auto& [name, values] : fs) {
    // The gauge constant is a sum over ranks (its last bit may depend on their number).
    const double diff = mf::testing::max_difference(fp.at(name), values, [](std::size_t) { return true; });
    EXPECT_LT(diff, 1e-12) << name;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("multiscale static.w2sq world %.15e self %.15e, lagrangian.divergence world %.15e self %.15e\n",
                mp.at("static.w2sq"), ms.at("static.w2sq"), mp.at("lagrangian.divergence"), ms.at("lagrangian.divergence"));
}
