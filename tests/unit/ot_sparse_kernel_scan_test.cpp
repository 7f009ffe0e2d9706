// The stored kernel's scan (src/ot/sparse_kernel.cpp: the reduced costs of a whole candidate run computed
// at once, then compacted) against the one-pair-at-a-time enumeration of the same rule
// (for_each_kept_pair in sparse_kernel.hpp): the same pairs in the same order, the same reduced costs bit for
// bit (so the same kept set), and the values b_j exp(−r_ij/ε) in either precision, in 1, 2 and 3 dimensions,
// for a slice of the rows and with the storage bound exceeded.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "measureflow/fast_exp.hpp"
#include "ot/bin_hierarchy.hpp"
#include "ot/sparse_kernel.hpp"
#include "ot_test_clouds.hpp"

using namespace mf::ot;
using namespace mf::ot::detail;

namespace {

struct Pair {
  int i, j;
  double r;
};

Level level0(const HostCloud& c, int cells) {
  BinLattice l;
  l.dim = c.dim;
  for (int a = 0; a < c.dim; ++a) {
    l.lower[a] = 0.0;
    l.h[a] = 1.0 / cells;
    l.cells[a] = cells;
  }
  return hierarchy(c, l, "scan test")[0];
}

Real1 potential(const Level& L, unsigned seed, double scale) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  Real1 p("scan test potential", L.n);
  for (int i = 0; i < L.n; ++i) p(i) = u(gen);
  return p;
}

// Builds the stored kernel of rows [lo, hi) and compares it with for_each_kept_pair over the same candidates.
void check(int dim, bool single, int lo_num, int hi_num, long long max_stored) {
  const HostCloud x = mf::testing::uniform_cloud(dim == 1 ? 300 : 900, dim, 11 + dim, true);
  const HostCloud y = mf::testing::uniform_cloud(dim == 1 ? 500 : 1300, dim, 29 + dim, true);
  const int cells = dim == 1 ? 40 : dim == 2 ? 16 : 6;
  const Level T = level0(x, cells), S = level0(y, cells);
  const double eps = dim == 3 ? 0.02 : 0.005;
  const Real1 f = potential(T, 3, 0.5 * eps), g = potential(S, 5, 0.5 * eps);
  const int lo = T.n * lo_num / 3, hi = T.n * hi_num / 3;
  const SparseKernel k = build_stored_kernel(T, f, S, g, eps, 10.0 * eps, lo, hi, max_stored, nullptr, single);

  std::vector<Pair> ref;
  for_each_kept_pair(k, [&](int i, int j, double, double r) { ref.push_back({i, j, r}); });
  ASSERT_GT(ref.size(), 1000u) << "too few pairs to test anything";
  ASSERT_EQ(k.pairs(), static_cast<long long>(ref.size()));
  ASSERT_EQ(k.row_start.size(), static_cast<std::size_t>(hi - lo + 1));
  std::vector<long long> per_row(hi - lo, 0);
  for (const Pair& p : ref) ++per_row[p.i - lo];
  for (int i = lo; i < hi; ++i) ASSERT_EQ(k.row_start[i - lo + 1] - k.row_start[i - lo], per_row[i - lo]) << "row " << i;

  const bool fits = static_cast<long long>(ref.size()) <= max_stored;
  ASSERT_EQ(k.stored, fits);
  if (!fits) {
    EXPECT_TRUE(k.col.empty() && k.val.empty() && k.val32.empty());
    return;
  }
  ASSERT_EQ(k.col.size(), ref.size());
  ASSERT_EQ(single ? k.val32.size() : k.val.size(), ref.size());
  double worst = 0.0;
  for (std::size_t q = 0; q < ref.size(); ++q) {
    ASSERT_EQ(k.col[q], ref[q].j) << "pair " << q;
    const double want = S.w(ref[q].j) * mf::fast_exp(-ref[q].r / eps);
    const double got = single ? static_cast<double>(k.val32[q]) : k.val[q];
    const double expect = single ? static_cast<double>(static_cast<float>(want)) : want;
    worst = std::max(worst, std::abs(got - expect) / expect);
  }
  // The value's exponential is the same function, vectorised or not; its argument r·(1/ε) in the scan and
  // r/ε here differ by at most an ulp, so allow a few ulp (single: one float rounding, 6e-8, either way).
  EXPECT_LE(worst, single ? 1.2e-7 : 4e-15) << "dim " << dim;
}

}  // namespace

TEST(SparseKernelScan, SamePairsAndValuesAsOnePairAtATime) {
  for (int dim = 1; dim <= 3; ++dim)
    for (bool single : {false, true}) check(dim, single, 0, 3, 1LL << 40);
}

TEST(SparseKernelScan, ASliceOfTheRows) {
  for (int dim = 1; dim <= 3; ++dim) check(dim, true, 1, 2, 1LL << 40);
}

TEST(SparseKernelScan, StorageBoundExceededLeavesNoPairsButTheCounts) {
  for (int dim = 1; dim <= 3; ++dim) check(dim, true, 0, 3, 1000);
}
