// Mini-batch OT couplings: the exact coupling is the optimal assignment of the batch (1D: the monotone
// rearrangement), the entropic one moves each X0 to a convex combination of the batch's X1 at a
// cost no larger than the independent pairing; and the field learned from coupled pairs has straighter
// paths, so a coarse Euler sampler reaches a given W2 to α1 in fewer steps than with independent pairs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "fields/learned/minibatch_ot_coupling.hpp"
#include "learned_field_fixtures.hpp"
#include "measureflow/ot/exact.hpp"

namespace mf {
namespace {

using namespace mf::testing;

double paired_cost(const std::vector<double>& a, const std::vector<double>& b, int d) {
  double c = 0.0;
  for (size_t k = 0; k < a.size(); ++k) c += (a[k] - b[k]) * (a[k] - b[k]);
  return c / (a.size() / d);
}

void batch(int n, int d, std::vector<double>& x0, std::vector<double>& x1) {
  MixturePairSource src(Vector(d, 0.0), Matrix::identity(d), {{1.0, Vector(d, 1.0), 4.0 * Matrix::identity(d)}}, n);
  FieldPoints a("a", n, d), b("b", n, d);
  src.sample(0, n, 3, a, b);
  const auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  const auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  x0.assign(ha.data(), ha.data() + ha.size());
  x1.assign(hb.data(), hb.data() + hb.size());
}

TEST(MinibatchOtCoupling, ExactIsTheOptimalAssignment) {
  std::vector<double> x0, x1;
  batch(200, 2, x0, x1);
  const double independent = paired_cost(x0, x1, 2);
  const double optimal = ot::w2_squared_exact_assignment(x0, x1, 2);
  std::vector<double> coupled = x1;
  fields::detail::couple_minibatch({fields::CouplingType::MinibatchOt, 200, 0.0}, 2, 200, x0, coupled);
  EXPECT_NEAR(paired_cost(x0, coupled, 2), optimal, 1e-12 * optimal);
  EXPECT_LT(optimal, 0.5 * independent);
  // A permutation of the batch's X1: same multiset of points.
  std::vector<std::pair<double, double>> p, q;
  for (int i = 0; i < 200; ++i) p.push_back({x1[2 * i], x1[2 * i + 1]}), q.push_back({coupled[2 * i], coupled[2 * i + 1]});
  std::sort(p.begin(), p.end());
  std::sort(q.begin(), q.end());
  EXPECT_EQ(p, q);
}

TEST(MinibatchOtCoupling, OneDimensionalIsMonotone) {
  std::vector<double> x0, x1;
  batch(500, 1, x0, x1);
  std::vector<double> coupled = x1;
  fields::detail::couple_minibatch({fields::CouplingType::MinibatchOt, 500, 0.0}, 1, 500, x0, coupled);
  for (int i = 0; i < 500; ++i)
    for (int j = 0; j < 500; ++j)
      if (x0[i] < x0[j]) ASSERT_LE(coupled[i], coupled[j]);
  EXPECT_NEAR(paired_cost(x0, coupled, 1), ot::w2_squared_exact_assignment(x0, x1, 1), 1e-10);
}

TEST(MinibatchOtCoupling, EntropicIsBetweenIndependentAndExact) {
  std::vector<double> x0, x1;
  batch(200, 2, x0, x1);
  const double independent = paired_cost(x0, x1, 2), optimal = ot::w2_squared_exact_assignment(x0, x1, 2);
  std::vector<double> coupled = x1;
  fields::detail::couple_minibatch({fields::CouplingType::MinibatchOt, 200, 0.1}, 2, 200, x0, coupled);
  const double entropic = paired_cost(x0, coupled, 2);
  std::printf("pairing cost: independent %.4f  entropic(0.1) barycentric %.4f  exact %.4f\n", independent, entropic, optimal);
  // Barycentric images shrink towards local means: below the independent cost; near the exact cost at small ε.
  EXPECT_LT(entropic, 0.5 * independent);
  EXPECT_LT(std::abs(entropic - optimal), 0.25 * optimal);
}

// W2 of Euler samples to the held-out α1 sample, for several step counts.
std::vector<double> w2_by_steps(fields::CouplingType coupling, const std::vector<int>& steps) {
  const long long pairs = 20000;
  MixturePairSource src({0.0, 0.0}, Matrix::identity(2), eight_gaussians(), pairs);
  fields::TrainingConfig tc;
  tc.pairs = pairs;
  const auto field = fields::train_learned_field(MPI_COMM_SELF, {fields::BasisType::RandomFeatures, 256}, tc,
                                                 {coupling, 256, 0.0}, src);
  const FieldPoints target = held_out_target(src, 600);
  std::vector<double> w;
  for (int s : steps) w.push_back(w2_between(generate(src, *field, 600, s, false), target));
  return w;
}

TEST(MinibatchOtCoupling, StraighterPathsNeedFewerSteps) {
  const std::vector<int> steps = {1, 2, 4, 8, 16, 32};
  const auto ind = w2_by_steps(fields::CouplingType::Independent, steps);
  const auto ot = w2_by_steps(fields::CouplingType::MinibatchOt, steps);
  for (size_t k = 0; k < steps.size(); ++k)
    std::printf("euler steps %2d: W2 independent %.4f  minibatch_ot %.4f\n", steps[k], ind[k], ot[k]);
  // Fewest steps to come within 25% and within 10% of the W2 the independent field reaches with its
  // finest sampler.
  for (double margin : {1.25, 1.1}) {
    const double level = margin * ind.back();
    const auto steps_to = [&](const std::vector<double>& w) {
      for (size_t k = 0; k < w.size(); ++k)
        if (w[k] <= level) return steps[k];
      return 1 << 30;
    };
    std::printf("steps to W2 <= %.4f: independent %d, minibatch_ot %d\n", level, steps_to(ind), steps_to(ot));
    if (margin > 1.2)
      EXPECT_LE(2 * steps_to(ot), steps_to(ind));
    else
      EXPECT_LT(steps_to(ot), steps_to(ind));
  }
  EXPECT_LT(ot[0], 0.7 * ind[0]);  // one Euler step: straight paths land near α1
}

}  // namespace
}  // namespace mf
