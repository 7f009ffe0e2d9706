// The certified exact step of the static solver (certified_exact.hpp): against POT's network simplex
// (ot.emd2, non-uniform weights and unequal sizes), against the Hungarian oracle (uniform, equal sizes),
// against the exact discrete W2² of a convex-gradient map (cyclical monotonicity: y_i = A x_i + b with A
// symmetric positive definite is optimal, W2² = (1/n) Σ |x_i − y_i|²), and the same cost on 1, 2 and 4
// ranks as on one rank alone.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "measureflow/ot/certified_exact.hpp"
#include "measureflow/ot/exact.hpp"
#include "mpi_comm_info.hpp"
#include "ot_test_clouds.hpp"

namespace {

using mf::ot::BinLattice;
using mf::ot::CertifiedExact;
using mf::ot::CertifiedExactOptions;
using mf::ot::HostCloud;
using mf::testing::convex_gradient_image;
using mf::testing::lattice_for;
using mf::testing::rank_of;
using mf::testing::uniform_cloud;

CertifiedExactOptions options(double eps) {
  CertifiedExactOptions o;
  o.sinkhorn.eps = eps;
  o.sinkhorn.tol = 1e-3;
  o.sinkhorn.record_2eps = false;
  o.sinkhorn.gradient_prolongation = true;  // as `measureflow ot --solver exact`
  return o;
}

double rel(double a, double b) { return std::abs(a - b) / std::abs(b); }

const char* kPotScript = R"PY(
import sys
import numpy as np
import ot
data = np.loadtxt(sys.argv[1])
n, m, d = int(data[0, 0]), int(data[0, 1]), int(data[0, 2])
X, a = data[1:n + 1, :d], data[1:n + 1, d]
Y, b = data[n + 1:n + m + 1, :d], data[n + 1:n + m + 1, d]
a, b = a / a.sum(), b / b.sum()
np.savetxt(sys.argv[2], [ot.emd2(a, b, ot.dist(X, Y), numItermax=10**8)], fmt='%.17e')
)PY";

// POT's ot.emd2 on rank 0, broadcast; false on every rank when python3-pot is unavailable.
bool pot_emd(const HostCloud& x, const HostCloud& y, double& out) {
  int ok = 0;
  if (rank_of(MPI_COMM_WORLD) == 0) {
    const std::string base = "/tmp/mf_exact_pot_" + std::to_string(getpid());
    {
      std::ofstream py(base + ".py");
      py << kPotScript;
      std::ofstream in(base + ".in");
      in.precision(17);
      const int d = x.dim;
      in << x.size() << ' ' << y.size() << ' ' << d;
      for (int k = 3; k <= d; ++k) in << " 0";
      in << '\n';
      for (const HostCloud* c : {&x, &y})
        for (std::size_t i = 0; i < c->size(); ++i) {
          for (int k = 0; k < d; ++k) in << c->positions[d * i + k] << ' ';
          in << c->weights[i] << '\n';
        }
    }
    const std::string cmd = "/usr/bin/python3 " + base + ".py " + base + ".in " + base + ".out";
    if (std::system(cmd.c_str()) == 0) {
      std::ifstream res(base + ".out");
      ok = (res >> out) ? 1 : 0;
    }
    for (const char* ext : {".py", ".in", ".out"}) std::remove((base + ext).c_str());
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(&out, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return ok == 1;
}

// The same problem on rank 0 alone (a one-rank communicator), broadcast: the reference of rank independence.
CertifiedExact on_one_rank(const HostCloud& x, const HostCloud& y, const BinLattice& l, const CertifiedExactOptions& o) {
  MPI_Comm solo;
  const int r = rank_of(MPI_COMM_WORLD);
  MPI_Comm_split(MPI_COMM_WORLD, r == 0 ? 0 : MPI_UNDEFINED, 0, &solo);
  CertifiedExact e;
  if (r == 0) {
    e = mf::ot::certified_exact_transport(solo, x, y, l, o);
    MPI_Comm_free(&solo);
  }
  double c[2] = {e.cost, static_cast<double>(e.certified)};
  MPI_Bcast(c, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  e.cost = c[0];
  e.certified = c[1] != 0.0;
  return e;
}

TEST(OtCertifiedExact, MatchesHungarianUniform2D) {
  const HostCloud x = uniform_cloud(400, 2, 1, false), y = uniform_cloud(400, 2, 2, false);
  const double hungarian = mf::ot::w2_squared_exact_assignment(x.positions, y.positions, 2);
  const CertifiedExact e = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, 14), options(1e-2));
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] n 400 2D: exact %.15g Hungarian %.15g rel %.2e; sinkhorn %.6g, %d LP solves, %lld arcs, %lld violations first\n",
                e.cost, hungarian, rel(e.cost, hungarian), e.sinkhorn_cost, e.rounds, e.arcs, e.violations);
  EXPECT_TRUE(e.certified);
  EXPECT_EQ(e.violations, 0);
  EXPECT_LT(rel(e.cost, hungarian), 1e-10);
  // The ε-scaling plan alone is not exact (the test would pass trivially otherwise).
  EXPECT_GT(rel(e.sinkhorn_cost, hungarian), 1e-4);
}

TEST(OtCertifiedExact, MatchesPotEmdNonUniform3D) {
  const HostCloud x = uniform_cloud(300, 3, 3, true), y = uniform_cloud(220, 3, 4, true);
  double pot = 0.0;
  if (!pot_emd(x, y, pot)) GTEST_SKIP() << "python3-pot not available";
  const CertifiedExact e = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, 6), options(2e-2));
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] 300 x 220 3D, random weights: exact %.15g POT emd2 %.15g rel %.2e (%d LP solves)\n", e.cost, pot,
                rel(e.cost, pot), e.rounds);
  EXPECT_TRUE(e.certified);
  EXPECT_FALSE(e.exact_masses);
  // Masses rounded to 2^-40 and costs to cost_resolution: far below 1e-9 relative at this size.
  EXPECT_LT(rel(e.cost, pot), 1e-9);
}

TEST(OtCertifiedExact, UnequalUniformSizesMatchPot) {
  const HostCloud x = uniform_cloud(250, 2, 5, false), y = uniform_cloud(175, 2, 6, false);
  double pot = 0.0;
  if (!pot_emd(x, y, pot)) GTEST_SKIP() << "python3-pot not available";
  const CertifiedExact e = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, 10), options(1e-2));
  EXPECT_TRUE(e.certified);
  EXPECT_TRUE(e.exact_masses);  // 7 and 10 units per point (gcd): exact integers
  EXPECT_LT(rel(e.cost, pot), 1e-11);
}

TEST(OtCertifiedExact, ConvexGradientMapIsExact2DAnd3D) {
  for (int d : {2, 3}) {
    const int n = d == 2 ? 3000 : 2000;
    const HostCloud x = uniform_cloud(n, d, 7 + d, false), y = convex_gradient_image(x);
    double exact = 0.0;
    for (std::size_t i = 0; i < x.positions.size(); ++i)
      exact += (x.positions[i] - y.positions[i]) * (x.positions[i] - y.positions[i]);
    exact /= n;
    const double spacing2 = std::pow(1.0 / n, 2.0 / d);
    const CertifiedExact e =
        mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, d == 2 ? 40 : 12), options(4.0 * spacing2));
    if (rank_of(MPI_COMM_WORLD) == 0)
      std::printf("[ measured ] convex-gradient map n %d %dD: exact %.15g certified step %.15g rel %.2e; "
                  "sinkhorn plan rel %.2e; %d LP solves, %lld arcs, %.2f s\n",
                  n, d, exact, e.cost, rel(e.cost, exact), rel(e.sinkhorn_cost, exact), e.rounds, e.arcs, e.seconds);
    EXPECT_TRUE(e.certified) << d << "D";
    EXPECT_LT(rel(e.cost, exact), 1e-10) << d << "D";
  }
}

// The certificate does the work: with no kept pairs (a negative threshold: only the north-west-corner
// plan's n + m − 1 pairs), the first LP is far from optimal; the violators found on all pairs are added
// until none is left.
TEST(OtCertifiedExact, CertificateRepairsATooSmallPairSet) {
  const HostCloud x = uniform_cloud(400, 2, 21, false), y = uniform_cloud(400, 2, 22, false);
  const double hungarian = mf::ot::w2_squared_exact_assignment(x.positions, y.positions, 2);
  CertifiedExactOptions o = options(1e-2);
  o.candidate_truncation = -1e9;
  const CertifiedExact e = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, 14), o);
  if (rank_of(MPI_COMM_WORLD) == 0)
    std::printf("[ measured ] small pair set: %lld first pairs, %d LP solves, %lld last pairs, rel %.2e\n", e.initial_arcs,
                e.rounds, e.arcs, rel(e.cost, hungarian));
  EXPECT_EQ(e.initial_arcs, 400);  // equal uniform masses: the north-west corner is the diagonal
  EXPECT_GT(e.rounds, 2);
  EXPECT_GT(e.arcs, e.initial_arcs);
  EXPECT_TRUE(e.certified);
  EXPECT_LT(rel(e.cost, hungarian), 1e-10);
}

// Not certified when the rounds run out: the flag says so, the cost is still a feasible plan's (≥ W2²).
TEST(OtCertifiedExact, ReportsMissingCertificate) {
  const HostCloud x = uniform_cloud(400, 2, 21, false), y = uniform_cloud(400, 2, 22, false);
  const double hungarian = mf::ot::w2_squared_exact_assignment(x.positions, y.positions, 2);
  CertifiedExactOptions o = options(1e-2);
  o.candidate_truncation = -1e9;
  o.max_rounds = 1;
  const CertifiedExact e = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, lattice_for(x, y, 14), o);
  EXPECT_FALSE(e.certified);
  EXPECT_GT(e.violations, 0);
  EXPECT_GE(e.cost, hungarian * (1.0 - 1e-12));
}

TEST(OtCertifiedExact, SameCostOnAnyRankCount) {
  const HostCloud x = uniform_cloud(1500, 2, 11, true), y = uniform_cloud(1200, 2, 12, false);
  const BinLattice l = lattice_for(x, y, 24);
  const CertifiedExactOptions o = options(3e-3);
  const CertifiedExact all = mf::ot::certified_exact_transport(MPI_COMM_WORLD, x, y, l, o);
  const CertifiedExact one = on_one_rank(x, y, l, o);
  EXPECT_TRUE(all.certified);
  EXPECT_TRUE(one.certified);
  EXPECT_LE(std::abs(all.cost - one.cost), 1e-10 * one.cost) << all.cost << " vs " << one.cost;
  // Every rank holds the same cost.
  double lo = all.cost, hi = all.cost;
  MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(lo, hi);
}

}  // namespace
