// The cross stages' rows balanced by kept pairs (src/ot/multiscale_sinkhorn.cpp, BalancedSlices): a grid view
// whose outer cells keep few pairs against particles in one corner, so rows split by count leave the ranks of
// the middle rows most of the pairs. On 2 and 4 ranks the kernels are built again on balanced slices (asserted:
// a run that never rebalanced fails), and every result has the same bits as on one rank (MPI_COMM_SELF).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "ot_test_clouds.hpp"

namespace {

TEST(BalancedSlices, RebalancedStagesGiveTheSameBitsAsOneRank) {
  const mf::ot::BinLattice lat = mf::testing::square_lattice(32);
  const mf::ot::HostCloud x = mf::testing::gaussian_cells(lat, 0.2, 0.3, 0.05, 0.05);
  const mf::ot::HostCloud y = mf::testing::uniform_cloud(2000, 2, 5, true);  // in [0, 1]²
  // The yardstick's options (src/driver/cross_view_w2.cpp), on the sparse kernels.
  mf::ot::MultiscaleOptions opt;
  opt.eps = 2.0 * lat.h[0] * lat.h[0];
  opt.tol = 1e-3;
  opt.truncation = 10.0;
  opt.relaxation = 1.7;
  opt.adaptive_relaxation = true;
  opt.relaxation_toward_optimum = 1.0;
  opt.single_precision_kernel = true;
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const auto all = mf::ot::multiscale_divergence(MPI_COMM_WORLD, x, y, lat, opt);
  const auto one = mf::ot::multiscale_divergence(MPI_COMM_SELF, x, y, lat, opt);
  std::printf("ranks %d: rebalanced builds %d, sweeps %d, pairs %lld\n", ranks, all.rebalanced_builds, all.iterations,
              all.kernel_pairs);
  EXPECT_EQ(one.rebalanced_builds, 0);  // one rank has nothing to balance
  if (ranks > 1) EXPECT_GT(all.rebalanced_builds, 0);
  EXPECT_TRUE(all.converged);
  EXPECT_EQ(all.divergence, one.divergence);
  EXPECT_EQ(all.divergence_2eps, one.divergence_2eps);
  EXPECT_EQ(all.iterations, one.iterations);
  EXPECT_EQ(all.entropic_cost, one.entropic_cost);
  EXPECT_EQ(all.transport_cost, one.transport_cost);
}

}  // namespace
