// The bracketed static solver (bracketed_transport.hpp): the bracket contains the exact discrete W2²
// (the affine convex-gradient map, whose identity matching is optimal; the Hungarian oracle on two
// independent clouds; POT's emd2 with random weights and unequal sizes), is narrow enough when it says so,
// is not trivially wide or trivially placed, and is the same on 1, 2 and 4 ranks as on one rank alone.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "measureflow/ot/bracketed_transport.hpp"
#include "measureflow/ot/certified_exact.hpp"
#include "measureflow/ot/exact.hpp"
#include "mpi_comm_info.hpp"
#include "ot_test_clouds.hpp"

namespace {

using mf::ot::BinLattice;
using mf::ot::BracketedOptions;
using mf::ot::BracketedTransport;
using mf::ot::HostCloud;
using mf::testing::convex_gradient_image;
using mf::testing::identity_matching_cost;
using mf::testing::lattice_for;
using mf::testing::rank_of;
using mf::testing::uniform_cloud;

BracketedOptions options(double eps) {
  BracketedOptions o;
  o.sinkhorn.eps = eps;
  o.sinkhorn.tol = 1e-4;
  o.sinkhorn.gradient_prolongation = true;  // as `measureflow ot --solver bracket`
  o.sinkhorn.truncation = 10.0;
  return o;
}

// The bracket holds `exact` (rounding slack 1e-12 relative).
void expect_contains(const BracketedTransport& r, double exact, const char* what) {
  EXPECT_LE(r.lower, exact * (1.0 + 1e-12)) << what;
  EXPECT_GE(r.upper, exact * (1.0 - 1e-12)) << what;
  EXPECT_LE(r.lower, r.estimate) << what;
  EXPECT_LE(r.estimate, r.upper) << what;
}

TEST(OtBracket, ContainsTheExactAffineMapCost2DAnd3D) {
  for (int d : {2, 3}) {
    const int n = 2000;
    const HostCloud x = uniform_cloud(n, d, 7 + d, false), y = convex_gradient_image(x);
    const double exact = identity_matching_cost(x, y);
    const double spacing2 = std::pow(1.0 / n, 2.0 / d);
    const BracketedTransport r = mf::ot::bracketed_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, d == 2 ? 32 : 10),
                                                             options((d == 2 ? 4.0 : 0.5) * spacing2));
    if (rank_of(MPI_COMM_WORLD) == 0)
      std::printf("[ measured ] affine map n %d %dD: exact %.12g in [%.12g, %.12g], rel gap %.2e, estimate rel err %.2e, "
                  "entropic plan rel err %.2e, eps %.2e, %d brackets, %d sweeps, %.2f s\n",
                  n, d, exact, r.lower, r.upper, r.relative_gap, std::abs(r.estimate - exact) / exact,
                  (r.sinkhorn_cost - exact) / exact, r.eps, r.brackets, r.iterations, r.seconds);
    expect_contains(r, exact, d == 2 ? "2D" : "3D");
    EXPECT_TRUE(r.met) << d << "D";
    EXPECT_LE(r.relative_gap, 2e-3) << d << "D";
    EXPECT_LE(std::abs(r.estimate - exact), 1e-3 * exact) << d << "D";
    // Not trivially wide: the first bracket was not taken at a huge ε, and the width is what was reported.
    EXPECT_NEAR(r.upper - r.lower, r.relative_gap * r.lower, 1e-12 * exact) << d << "D";
  }
}

// Two independent clouds of 400 points in dimension d (no structure to exploit): the Hungarian oracle lies
// inside the bracket, which is not trivially wide (< 5 % of it).
void check_contains_hungarian(int d, unsigned seed, int cells) {
  const HostCloud x = uniform_cloud(400, d, seed, false), y = uniform_cloud(400, d, seed + 1, false);
  const double hungarian = mf::ot::w2_squared_exact_assignment(x.positions, y.positions, d);
  const BracketedTransport r = mf::ot::bracketed_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, cells), options(1e-2));
  const std::string what = "400 + 400 " + std::to_string(d) + "D";
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] %s: Hungarian %.12g in [%.12g, %.12g], rel gap %.2e, %d brackets\n", what.c_str(),
                hungarian, r.lower, r.upper, r.relative_gap, r.brackets);
  expect_contains(r, hungarian, what.c_str());
  EXPECT_LT(r.upper - r.lower, 0.05 * hungarian) << what;
}

TEST(OtBracket, ContainsTheHungarianCost) { check_contains_hungarian(2, 1, 14); }

// The same in 3D, where the relative window, its clamped minima and the windowed c-transforms run too (they
// were 2D only before).
TEST(OtBracket, ContainsTheHungarianCost3D) { check_contains_hungarian(3, 21, 6); }

// A bracket asked of a too-large ε with no halvings is wide, says it is not met, and still holds W2².
TEST(OtBracket, ReportsAnUnmetGapAndStillHolds) {
  const HostCloud x = uniform_cloud(1000, 2, 5, false), y = convex_gradient_image(x);
  const double exact = identity_matching_cost(x, y);
  BracketedOptions o = options(0.05);
  o.max_halvings = 0;
  const BracketedTransport r = mf::ot::bracketed_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, 22), o);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.brackets, 1);
  EXPECT_GT(r.relative_gap, 2e-3);
  expect_contains(r, exact, "eps 0.05");
}

// Random weights, unequal sizes: the rounding moves real deficits; the exact cost from the certified
// exact step (an LP, certified on all pairs: an independent method) lies inside.
TEST(OtBracket, NonUniformWeightsUnequalSizes) {
  const HostCloud x = uniform_cloud(300, 2, 3, true), y = uniform_cloud(220, 2, 4, true);
  const BinLattice l = lattice_for(x, y, 10);
  mf::ot::CertifiedExactOptions eo;
  eo.sinkhorn = options(1e-2).sinkhorn;
  eo.sinkhorn.tol = 1e-3;
  const mf::ot::CertifiedExact e = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, l, eo);
  ASSERT_TRUE(e.certified);
  const BracketedTransport r = mf::ot::bracketed_transport(MPI_COMM_WORLD, x, y, l, options(4e-3));
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] 300 x 220 2D, random weights: exact %.12g in [%.12g, %.12g], rounding mass %.2e\n", e.cost,
                r.lower, r.upper, r.deficit_mass);
  expect_contains(r, e.cost, "non-uniform");
  EXPECT_GT(r.deficit_mass, 0.0);
}

class OtBracketRanks : public ::testing::TestWithParam<int> {};

TEST_P(OtBracketRanks, SameBracketOnAnyRankCount) {
  const int d = GetParam();
  const HostCloud x = uniform_cloud(2000, d, 11, false), y = convex_gradient_image(x);
  const BinLattice l = lattice_for(x, y, d == 2 ? 32 : 10);
  const BracketedOptions o = options(d == 2 ? 4.0 / 2000 : 0.5 * std::pow(2000.0, -2.0 / 3.0));
  const BracketedTransport all = mf::ot::bracketed_transport(MPI_COMM_WORLD, x, y, l, o);
  MPI_Comm solo;
  const int r = rank_of(MPI_COMM_WORLD);
  MPI_Comm_split(MPI_COMM_WORLD, r == 0 ? 0 : MPI_UNDEFINED, 0, &solo);
  double one[2] = {0.0, 0.0};
  if (r == 0) {
    const BracketedTransport s = mf::ot::bracketed_transport(solo, x, y, l, o);
    one[0] = s.lower;
    one[1] = s.upper;
    MPI_Comm_free(&solo);
  }
  MPI_Bcast(one, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  EXPECT_LE(std::abs(all.lower - one[0]), 1e-10 * one[0]) << all.lower << " vs " << one[0];
  EXPECT_LE(std::abs(all.upper - one[1]), 1e-10 * one[1]) << all.upper << " vs " << one[1];
  double lo = all.upper, hi = all.upper;
  MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(lo, hi);
}

INSTANTIATE_TEST_SUITE_P(TwoAndThreeDimensions, OtBracketRanks, ::testing::Values(2, 3));

}  // namespace
