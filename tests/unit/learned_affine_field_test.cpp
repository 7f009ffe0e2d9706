// The affine least-squares field against its exact answer: for any α1 the best field of the form
// b(t) + A(t)x is the Prop. 3.2 field of N(mean α1, Cov α1) (the regression of X1 − X0 on x_t sees only
// first and second moments), so the learned field must converge to it at the Monte Carlo rate
// pairs^{-1/2}, with a Gaussian target and with a two-component mixture of the same kind.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "learned_field_fixtures.hpp"

namespace mf {
namespace {

using namespace mf::testing;

Matrix rotation(double a) { return Matrix::from_rows({{std::cos(a), -std::sin(a)}, {std::sin(a), std::cos(a)}}); }

// Issue #14's non-commuting pair: Σ0 = diag(1, 0.25), Σ1 = R(0.6) diag(4, 0.5) R(0.6)ᵀ.
Matrix sigma1() { return rotation(0.6) * Matrix::diagonal({4.0, 0.5}) * transpose(rotation(0.6)); }

// RMS over seeds of the relative field error at each number of pairs, and the observed order.
std::vector<double> errors_over_pairs(const std::vector<GaussianComponent>& target, const std::vector<long long>& sizes,
                                      int seeds) {
  const Vector m0 = {0.5, -0.25};
  const Matrix s0 = Matrix::diagonal({1.0, 0.25});
  std::vector<double> errors;
  for (long long n : sizes) {
    double sq = 0.0;
    for (int s = 0; s < seeds; ++s) {
      MixturePairSource src(m0, s0, target, n, 100 + s);
      const GaussianFlowField exact{m0, src.target_mean(), s0, src.target_cov()};
      fields::TrainingConfig tc;
      tc.pairs = n;
      tc.seed = 7 + s;
      const auto field = fields::train_learned_field(MPI_COMM_SELF, {fields::BasisType::Affine, 12}, tc, {}, src);
      const double e = relative_field_error(*field, exact);
      sq += e * e;
    }
    errors.push_back(std::sqrt(sq / seeds));
  }
  return errors;
}

void expect_monte_carlo_rate(const std::vector<long long>& sizes, const std::vector<double>& e, const char* what) {
  for (size_t k = 0; k < sizes.size(); ++k) std::printf("%s: pairs %lld  relative L2 error %.3e\n", what, sizes[k], e[k]);
  const double order = -std::log(e.back() / e.front()) / std::log(double(sizes.back()) / double(sizes.front()));
  std::printf("%s: observed order in pairs %.3f (Monte Carlo: 0.5)\n", what, order);
  EXPECT_GT(order, 0.4) << what;
  EXPECT_LT(order, 0.6) << what;
  for (size_t k = 1; k < e.size(); ++k) EXPECT_LT(e[k], e[k - 1]) << what << " at " << sizes[k] << " pairs";
}

TEST(LearnedAffineField, ConvergesToProp32FieldOfGaussianTarget) {
  const std::vector<long long> sizes = {2000, 8000, 32000, 128000};
  const auto e = errors_over_pairs({{1.0, {2.0, -1.0}, sigma1()}}, sizes, 4);
  expect_monte_carlo_rate(sizes, e, "gaussian target");
  EXPECT_LT(e.back(), 0.02);
}

TEST(LearnedAffineField, ConvergesToProp32FieldOfMixtureMoments) {
  // Not Gaussian: two well separated components. The affine fit still converges to the Gaussian field
  // of the mixture's mean and covariance (the W2 floor richer bases must beat).
  const std::vector<GaussianComponent> mix = {{0.3, {-2.0, 1.0}, Matrix::diagonal({0.2, 0.1})},
                                              {0.7, {2.0, 0.0}, sigma1()}};
  const std::vector<long long> sizes = {2000, 8000, 32000, 128000};
  const auto e = errors_over_pairs(mix, sizes, 4);
  expect_monte_carlo_rate(sizes, e, "mixture target");
  EXPECT_LT(e.back(), 0.02);
}

}  // namespace
}  // namespace mf
