// mf::CounterRng (Random123 Philox-2x64-10): the draws are a pure function of (seed, id, draw), and
// their statistics are those of the distributions, checked inside a Kokkos kernel against the exact
// moments with Monte Carlo error bars (5 standard errors: a correct generator fails one such check
// with probability below 1e-6).
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "measureflow/counter_rng.hpp"

namespace {

constexpr long kN = 1 << 20;  // draws per statistic

// Power sums S_k = Σ x^k, k = 0..4, of kN draws made inside a Kokkos kernel (draw(i) for i < kN).
struct PowerSums {
  double s[5] = {0, 0, 0, 0, 0};
};

template <class Draw>
PowerSums power_sums(Draw draw) {
  Kokkos::View<double*> x("mf::test::rng_draws", kN);
  Kokkos::parallel_for(
      "mf::test::rng_draw", Kokkos::RangePolicy<Kokkos::DefaultExecutionSpace>(0, kN),
      KOKKOS_LAMBDA(long i) { x(i) = draw(i); });
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  PowerSums total;
  for (long i = 0; i < kN; ++i) {
    double p = 1.0;
    for (int k = 0; k < 5; ++k) {
      total.s[k] += p;
      p *= h(i);
    }
  }
  return total;
}

// |sample mean of x^k − exact| ≤ 5 sqrt(Var(x^k)/n), with Var(x^k) = E x^2k − (E x^k)^2.
void expect_raw_moments(const PowerSums& sums, const std::vector<double>& exact, const char* what) {
  for (int k = 1; k <= 4; ++k) {
    const double mean = sums.s[k] / sums.s[0];
    const double var = exact[2 * k] - exact[k] * exact[k];
    EXPECT_NEAR(mean, exact[k], 5.0 * std::sqrt(var / sums.s[0])) << what << ": E x^" << k;
  }
}

}  // namespace

TEST(CounterRng, DrawsDependOnSeedIdAndCounterOnly) {
  const mf::CounterRng a(42, 7), b(42, 7);
  for (std::uint64_t c = 0; c < 100; ++c) {
    EXPECT_EQ(a.uniform(c), b.uniform(c));
    EXPECT_EQ(a.normal(c), b.normal(c));
  }
  // Changing any one of the three changes the draw.
  EXPECT_NE(a.bits(3), mf::CounterRng(43, 7).bits(3));
  EXPECT_NE(a.bits(3), mf::CounterRng(42, 8).bits(3));
  EXPECT_NE(a.bits(3), a.bits(4));
  // The draws are in (0, 1) and use 53 bits.
  for (std::uint64_t c = 0; c < 1000; ++c) {
    const double u = a.uniform(c);
    EXPECT_GT(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
  // Philox-2x64-10 known-answer vector from Random123's kat_vectors (counter 0, key 0).
  const r123::Philox2x64::ctr_type zero{{0, 0}};
  const r123::Philox2x64::key_type key{{0}};
  const auto out = r123::Philox2x64()(zero, key);
  EXPECT_EQ(out[0], 0xca00a0459843d731ULL);
  EXPECT_EQ(out[1], 0x66c24222c9a845b5ULL);
  const r123::Philox2x64::ctr_type ones{{~0ULL, ~0ULL}};
  const auto out1 = r123::Philox2x64()(ones, r123::Philox2x64::key_type{{~0ULL}});
  EXPECT_EQ(out1[0], 0x65b021d60cd8310fULL);
  EXPECT_EQ(out1[1], 0x4d02f3222f86df20ULL);
}

TEST(CounterRng, UniformMomentsAcrossParticles) {
  // E U^k = 1/(k+1).
  std::vector<double> exact(9);
  for (int k = 0; k <= 8; ++k) exact[k] = 1.0 / (k + 1);
  expect_raw_moments(power_sums(KOKKOS_LAMBDA(long i) { return mf::CounterRng(2024, i).uniform(5); }), exact,
                     "uniform, one draw per particle");
  expect_raw_moments(power_sums(KOKKOS_LAMBDA(long i) { return mf::CounterRng(2024, 17).uniform(i); }), exact,
                     "uniform, successive draws of one particle");
}

TEST(CounterRng, NormalMomentsAcrossParticles) {
  // E Z^k = 0, 1, 0, 3, 0, 15, 0, 105 for k = 1..8.
  const std::vector<double> exact = {1, 0, 1, 0, 3, 0, 15, 0, 105};
  expect_raw_moments(power_sums(KOKKOS_LAMBDA(long i) { return mf::CounterRng(7, i).normal(0); }), exact,
                     "normal, one draw per particle");
  expect_raw_moments(power_sums(KOKKOS_LAMBDA(long i) { return mf::CounterRng(7, 3).normal(i); }), exact,
                     "normal, successive draws of one particle");
}

TEST(CounterRng, NeighbouringDrawsAndParticlesAreUncorrelated) {
  // Correlation of Z(id, c) with Z(id, c+1) and with Z(id+1, c): |ρ̂| ≤ 5/sqrt(n) for independent normals.
  const auto lag_draw = power_sums(KOKKOS_LAMBDA(long i) {
    const mf::CounterRng r(11, i);
    return r.normal(0) * r.normal(1);
  });
  const auto lag_id = power_sums(KOKKOS_LAMBDA(long i) {
    return mf::CounterRng(11, i).normal(2) * mf::CounterRng(11, i + 1).normal(2);
  });
  for (const auto* s : {&lag_draw, &lag_id}) EXPECT_NEAR(s->s[1] / s->s[0], 0.0, 5.0 / std::sqrt(s->s[0]));
}

TEST(CounterRng, UniformHistogramPassesChiSquare) {
  constexpr int kBins = 64;
  Kokkos::View<long[kBins]> counts("mf::test::rng_counts");
  Kokkos::parallel_for(
      "mf::test::rng_histogram", Kokkos::RangePolicy<Kokkos::DefaultExecutionSpace>(0, kN), KOKKOS_LAMBDA(long i) {
        const int b = static_cast<int>(mf::CounterRng(99, i).uniform(1) * kBins);
        Kokkos::atomic_increment(&counts(b));
      });
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), counts);
  const double expected = static_cast<double>(kN) / kBins;
  double chi2 = 0.0;
  for (int b = 0; b < kBins; ++b) chi2 += (h(b) - expected) * (h(b) - expected) / expected;
  // χ² with 63 degrees of freedom: mean 63, sd sqrt(126) ≈ 11.2; 63 + 5 sd ≈ 119.
  EXPECT_LT(chi2, 63.0 + 5.0 * std::sqrt(126.0)) << "chi2 = " << chi2;
}
