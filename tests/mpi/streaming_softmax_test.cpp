// The shared streaming softmax (streaming_softmax.hpp) with the squared-distance score over the ring of
// column-major point blocks, against a direct long-double evaluation over the whole source set: the
// running-maximum and the fixed-shift modes give the same log-sum-exp and the same softmax average of
// the points (the barycentric projection / the flow-matching data field), on 1, 2 and 4 ranks with
// uneven, padded blocks, zero weights and scores far below the exp range.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "measureflow/counter_rng.hpp"
#include "measureflow/particles.hpp"
#include "measureflow/streaming_softmax.hpp"

using namespace mf;

namespace {

constexpr int kDim = 3;
constexpr std::int64_t kSources = 301;  // not a multiple of the 128-point chunk or of any rank count
constexpr int kTargets = 23;

struct Source {
  double y[kDim];
  double lw;   // log weight (−inf for the zero weights)
  double pot;  // a potential, as Sinkhorn's g
};

Source source(std::int64_t j) {
  const CounterRng rng(5, static_cast<std::uint64_t>(j));
  Source s{};
  for (int k = 0; k < kDim; ++k) s.y[k] = rng.normal(k);
  s.lw = j % 17 == 3 ? -HUGE_VAL : std::log(0.1 + rng.uniform(10));
  s.pot = 0.3 * rng.normal(11);
  return s;
}

double target_coord(int i, int k) { return CounterRng(6, static_cast<std::uint64_t>(i)).normal(k); }
double target_pot(int i) { return 0.2 * CounterRng(6, static_cast<std::uint64_t>(i)).normal(7); }

// This rank's sources as a PointBlock [y | lw | pot], padded with zero-weight rows to the largest block.
PointBlock local_sources(MPI_Comm comm, int* rows) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  // Uneven blocks: rank r gets a share growing with r.
  std::vector<std::int64_t> first(size + 1, 0);
  for (int r = 0; r < size; ++r) first[r + 1] = first[r] + (r + 1);
  const std::int64_t scale_total = first[size];
  std::vector<std::int64_t> start(size + 1, 0);
  for (int r = 1; r <= size; ++r) start[r] = kSources * first[r] / scale_total;
  *rows = static_cast<int>(start[rank + 1] - start[rank]);
  int capacity = 0;
  MPI_Allreduce(rows, &capacity, 1, MPI_INT, MPI_MAX, comm);
  PointBlock b("sources", capacity, kDim + 2);
  for (int i = 0; i < capacity; ++i) {
    if (i < *rows) {
      const Source s = source(start[rank] + i);
      for (int k = 0; k < kDim; ++k) b(i, k) = s.y[k];
      b(i, kDim) = s.lw;
      b(i, kDim + 1) = s.pot;
    } else {
      b(i, kDim) = -HUGE_VAL;
    }
  }
  return b;
}

PointBlock targets() {
  PointBlock x("targets", kTargets, kDim + 2);
  for (int i = 0; i < kTargets; ++i) {
    for (int k = 0; k < kDim; ++k) x(i, k) = target_coord(i, k);
    x(i, kDim) = 0.0;
    x(i, kDim + 1) = target_pot(i);
  }
  return x;
}

// log Σ_j exp(lw_j + (pot_j [+ own_i] − |x_i − y_j|²)/ε) and the softmax average of y, in long double.
void direct(int i, double eps, bool with_own, long double* lse, long double* mean) {
  std::vector<long double> s(kSources);
  long double mx = -HUGE_VALL;
  for (std::int64_t j = 0; j < kSources; ++j) {
    const Source src = source(j);
    long double c = 0.0L;
    for (int k = 0; k < kDim; ++k) c += (long double)(target_coord(i, k) - src.y[k]) * (target_coord(i, k) - src.y[k]);
    s[j] = src.lw + (src.pot + (with_own ? target_pot(i) : 0.0) - c) / eps;
    if (s[j] > mx) mx = s[j];
  }
  long double z = 0.0L, m[kDim] = {0.0L, 0.0L, 0.0L};
  for (std::int64_t j = 0; j < kSources; ++j) {
    const long double e = std::exp(s[j] - mx);
    z += e;
    const Source src = source(j);
    for (int k = 0; k < kDim; ++k) m[k] += e * src.y[k];
  }
  *lse = mx + std::log(z);
  for (int k = 0; k < kDim; ++k) mean[k] = m[k] / z;
}

template <SoftmaxShift kShift>
SoftmaxState run(MPI_Comm comm, double eps, bool with_own) {
  int rows = 0;
  const PointBlock y = local_sources(comm, &rows);
  const PointBlock x = targets();
  SoftmaxState st(kTargets, kDim);
  ring_visit(comm, y, rows, [&](const PointBlock& block, int n, int) {
    softmax_accumulate<kShift>(SquaredDistanceScore{x, block, kDim, 1.0 / eps, with_own}, kTargets, n, st);
  });
  return st;
}

}  // namespace

TEST(StreamingSoftmax, RunningMaximumMatchesTheDirectSumOverTheRing) {
  // ε = 0.01: scores down to about −10⁴ (exp underflows without the running maximum).
  for (double eps : {1.0, 0.01}) {
    const SoftmaxState st = run<SoftmaxShift::Running>(MPI_COMM_WORLD, eps, false);
    for (int i = 0; i < kTargets; ++i) {
      long double lse, mean[kDim];
      direct(i, eps, false, &lse, mean);
      const double got = st.max(i) + std::log(st.sum(i));
      EXPECT_NEAR(got, static_cast<double>(lse), 1e-11 * std::max(1.0, std::fabs(static_cast<double>(lse))))
          << "eps " << eps << " target " << i;
      for (int k = 0; k < kDim; ++k)
        EXPECT_NEAR(st.acc(i, k) / st.sum(i), static_cast<double>(mean[k]), 1e-10) << "eps " << eps;
    }
  }
}

TEST(StreamingSoftmax, FixedShiftAgreesWithRunningMaximumWhereSumsAreInRange) {
  // With the target's own potential as the shift and ε = 1 every sum is O(1): the fast path's answer.
  const double eps = 1.0;
  const SoftmaxState fixed = run<SoftmaxShift::Fixed>(MPI_COMM_WORLD, eps, true);
  const SoftmaxState running = run<SoftmaxShift::Running>(MPI_COMM_WORLD, eps, true);
  for (int i = 0; i < kTargets; ++i) {
    long double lse, mean[kDim];
    direct(i, eps, true, &lse, mean);
    ASSERT_GT(fixed.sum(i), 1e-200);
    EXPECT_NEAR(std::log(fixed.sum(i)), static_cast<double>(lse), 1e-12);
    EXPECT_NEAR(running.max(i) + std::log(running.sum(i)), std::log(fixed.sum(i)), 1e-12);
    for (int k = 0; k < kDim; ++k) {
      EXPECT_NEAR(fixed.acc(i, k) / fixed.sum(i), static_cast<double>(mean[k]), 1e-12);
      EXPECT_NEAR(fixed.acc(i, k) / fixed.sum(i), running.acc(i, k) / running.sum(i), 1e-13);
    }
  }
}

TEST(StreamingSoftmax, RingVisitsColumnMajorBlocksWithTheirRowCounts) {
  int rows = 0;
  const PointBlock y = local_sources(MPI_COMM_WORLD, &rows);
  long long seen = 0;
  double lw_sum = 0.0;
  ring_visit(MPI_COMM_WORLD, y, rows, [&](const PointBlock& block, int n, int) {
    ASSERT_GE(static_cast<int>(block.extent(0)), n);
    seen += n;
    for (int j = 0; j < n; ++j) lw_sum += std::isfinite(block(j, kDim)) ? block(j, kDim + 1) : 0.0;
  });
  double expected = 0.0;
  for (std::int64_t j = 0; j < kSources; ++j) {
    const Source s = source(j);
    expected += std::isfinite(s.lw) ? s.pot : 0.0;
  }
  EXPECT_EQ(seen, kSources);
  EXPECT_NEAR(lw_sum, expected, 1e-12);
}
