// The host BLAS path of the dot-product streaming softmax (softmax_accumulate_blas) against the portable
// Kokkos kernel (softmax_accumulate_portable): same log-sum-exp, same softmax average of the values and
// same attention entropy to 1e-12 relative, for several dimensions, block shapes that do not divide the
// sizes, scores of several hundred (the running maximum must rescale), zero-weight sources (whole blocks
// of them), value_dim 0 (Sinkhorn's column pass) and a state carried over two source blocks (the ring).
// Also: softmax_accumulate dispatches to the BLAS path from d = kBlasSoftmaxMinDim on unless it is switched off.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "measureflow/counter_rng.hpp"
#include "measureflow/streaming_softmax.hpp"

using namespace mf;

namespace {

struct Problem {
  TokenView a;
  RingBlock b;
  int d = 0, dv = 0;
};

// nt targets, ns sources in dimension d; scores ⟨a_i, b_j⟩ of size ~scale·√d; every 11th source has
// weight 0 (c = −inf) and so do sources [zero_from, zero_to) (a whole block of them).
Problem make_problem(int nt, int ns, int d, int dv, double scale, int zero_from = 0, int zero_to = 0) {
  Problem p{TokenView("a", nt, d), RingBlock("b", ns, d + dv + 1), d, dv};
  for (int i = 0; i < nt; ++i) {
    const CounterRng rng(31, static_cast<std::uint64_t>(i));
    for (int k = 0; k < d; ++k) p.a(i, k) = scale * rng.normal(k);
  }
  for (int j = 0; j < ns; ++j) {
    const CounterRng rng(32, static_cast<std::uint64_t>(j));
    for (int k = 0; k < d + dv; ++k) p.b(j, k) = rng.normal(k);
    const bool zero = j % 11 == 4 || (j >= zero_from && j < zero_to);
    p.b(j, d + dv) = zero ? -HUGE_VAL : std::log(0.05 + rng.uniform(d + dv));
  }
  return p;
}

// Sub-block of sources [j0, j1) as its own view (a ring block).
RingBlock source_rows(const RingBlock& b, int j0, int j1) {
  return Kokkos::subview(b, std::make_pair(j0, j1), Kokkos::ALL());
}

struct Result {
  std::vector<double> lse, entropy, mean;  // mean: nt × dv softmax average of the values
};

Result finish(const SoftmaxState& st, int dv) {
  Result r;
  const int nt = static_cast<int>(st.sum.extent(0));
  for (int i = 0; i < nt; ++i) {
    r.lse.push_back(st.max(i) + std::log(st.sum(i)));
    r.entropy.push_back(r.lse.back() - st.score(i) / st.sum(i));
    for (int k = 0; k < dv; ++k) r.mean.push_back(st.acc(i, k) / st.sum(i));
  }
  return r;
}

// Runs one accumulation over the sources split at `split` (two ring blocks) with the given kernel.
template <class Kernel>
Result run(const Problem& p, int split, Kernel kernel) {
  const int nt = static_cast<int>(p.a.extent(0)), ns = static_cast<int>(p.b.extent(0));
  SoftmaxState st(nt, p.dv);
  const RingBlock first = source_rows(p.b, 0, split), second = source_rows(p.b, split, ns);
  kernel(DotProductScore{p.a, first, p.d, p.dv}, nt, split, st);
  kernel(DotProductScore{p.a, second, p.d, p.dv}, nt, ns - split, st);
  return finish(st, p.dv);
}

// Largest relative difference: per target, |Δlse|/max(1, |lse|), |Δentropy|/max(1, entropy) and the
// normwise ‖Δmean_i‖/‖mean_i‖ (the average of unit-variance values).
double max_relative_difference(const Result& x, const Result& y, int dv) {
  double worst = 0.0;
  for (std::size_t i = 0; i < x.lse.size(); ++i) {
    worst = std::fmax(worst, std::fabs(x.lse[i] - y.lse[i]) / std::fmax(1.0, std::fabs(y.lse[i])));
    worst = std::fmax(worst, std::fabs(x.entropy[i] - y.entropy[i]) / std::fmax(1.0, std::fabs(y.entropy[i])));
    double diff = 0.0, norm = 0.0;
    for (int k = 0; k < dv; ++k) {
      diff += std::pow(x.mean[i * dv + k] - y.mean[i * dv + k], 2);
      norm += std::pow(y.mean[i * dv + k], 2);
    }
    if (dv > 0) worst = std::fmax(worst, std::sqrt(diff / std::fmax(norm, 1e-300)));
  }
  return worst;
}

void expect_agreement(int nt, int ns, int d, int dv, double scale, BlasSoftmaxBlocks blocks, int split,
                      int zero_from = 0, int zero_to = 0) {
  const Problem p = make_problem(nt, ns, d, dv, scale, zero_from, zero_to);
  const Result portable = run(p, split, [](const DotProductScore& s, int nt_, int ns_, const SoftmaxState& st) {
    softmax_accumulate_portable<SoftmaxShift::Running>(s, nt_, ns_, st);
  });
  const Result blas = run(p, split, [&](const DotProductScore& s, int nt_, int ns_, const SoftmaxState& st) {
    softmax_accumulate_blas(s, nt_, ns_, st, blocks);
  });
  for (double v : blas.lse) ASSERT_TRUE(std::isfinite(v));
  std::printf("  d = %2d, dv = %2d, scale %.2f, blocks %3d × %4d: max relative difference %.2e\n", d, dv, scale,
              blocks.targets, blocks.sources, max_relative_difference(blas, portable, dv));
  const double diff = max_relative_difference(blas, portable, dv);
  EXPECT_LT(diff, 1e-12) << "d = " << d << ", dv = " << dv << ", scale " << scale << ", blocks " << blocks.targets
                         << " × " << blocks.sources;
  // The check is not vacuous: some targets' attention is far from uniform (entropy well below log n).
  // (Target 0 alone is not enough: with a small |a_0| at d = 1 its row is nearly uniform.)
  EXPECT_LT(*std::min_element(portable.entropy.begin(), portable.entropy.end()), std::log(double(ns)) - 0.5);
}

}  // namespace

TEST(StreamingSoftmaxBlas, AgreesWithThePortableKernelAcrossDimensionsAndBlockShapes) {
  if (!blas_softmax_available()) GTEST_SKIP() << "built without CBLAS (scripts/setup.sh installs OpenBLAS)";
  for (int d : {8, 13, 16, 64}) {
    const double scale = 3.0 / std::sqrt(std::sqrt(double(d)));  // scores up to ~±30
    expect_agreement(300, 1000, d, d, scale, {}, 457);
    expect_agreement(300, 1000, d, d, scale, {7, 33}, 457);
    expect_agreement(37, 1000, d, d, scale, {128, 1024}, 1000);  // one source block, targets < a block
  }
}

TEST(StreamingSoftmaxBlas, LargeScoresZeroWeightBlocksAndNoValues) {
  if (!blas_softmax_available()) GTEST_SKIP() << "built without CBLAS (scripts/setup.sh installs OpenBLAS)";
  // Scores of several hundred: exp would overflow without the running maximum.
  expect_agreement(100, 700, 16, 16, 20.0, {32, 64}, 350);
  // Sources [0, 200) all weight 0: the first source blocks contribute nothing, the maximum starts later.
  expect_agreement(100, 700, 16, 16, 1.0, {32, 64}, 350, 0, 200);
  // value_dim 0: Sinkhorn's column pass (log-sum-exp and entropy only).
  expect_agreement(100, 700, 16, 0, 1.0, {32, 64}, 350);
}

TEST(StreamingSoftmaxBlas, SmallDimensionsAgreeToo) {
  if (!blas_softmax_available()) GTEST_SKIP() << "built without CBLAS (scripts/setup.sh installs OpenBLAS)";
  for (int d : {1, 2, 3}) expect_agreement(200, 900, d, d, 2.0, {64, 128}, 333);
}

TEST(StreamingSoftmaxBlas, DispatchFollowsDimensionAndSwitch) {
  if (!blas_softmax_available()) GTEST_SKIP() << "built without CBLAS (scripts/setup.sh installs OpenBLAS)";
  // Bitwise: softmax_accumulate equals the BLAS path from kBlasSoftmaxMinDim on, and the portable kernel
  // when the BLAS path is switched off (what the benchmarks use to time both in one run).
  const auto dispatched = [](const DotProductScore& s, int nt, int ns, const SoftmaxState& st) {
    softmax_accumulate(s, nt, ns, st);
  };
  for (int d : {kBlasSoftmaxMinDim, 2, 64}) {
    const Problem p = make_problem(50, 600, d, d, 1.0);
    const auto portable = run(p, 600, [](const DotProductScore& s, int nt, int ns, const SoftmaxState& st) {
      softmax_accumulate_portable<SoftmaxShift::Running>(s, nt, ns, st);
    });
    const auto blas = run(p, 600, [](const DotProductScore& s, int nt, int ns, const SoftmaxState& st) {
      softmax_accumulate_blas(s, nt, ns, st);
    });
    EXPECT_EQ(run(p, 600, dispatched).mean, blas.mean) << "d = " << d;
    set_blas_softmax_enabled(false);
    EXPECT_EQ(run(p, 600, dispatched).mean, portable.mean) << "d = " << d;
    set_blas_softmax_enabled(true);
    EXPECT_NE(portable.mean, blas.mean) << "d = " << d << ": the two paths should differ in the last bits";
  }
}
