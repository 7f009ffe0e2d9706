// Gaussian closure of the transformer PDE: the step-doubling RK4 against the exact V = I covariance,
// blow-up detection against t* = 1/λ_max(Lᵀ(M+Mᵀ)L), layered parameters, and the trajectory fit that
// the particle and grid views use to predict t*.
#include <gtest/gtest.h>

#include <cmath>

#include "models/transformer/gaussian_closure.hpp"

using namespace mf;
using namespace mf::transformer;

namespace {

AttentionLayer layer(const Matrix& Q, const Matrix& K, const Matrix& V, double t_end = 1e300) {
  AttentionLayer l;
  l.Q = Q;
  l.K = K;
  l.V = V;
  l.t_end = t_end;
  return l;
}

const Matrix kS0 = Matrix::from_rows({{0.10, 0.02, 0.0}, {0.02, 0.06, 0.01}, {0.0, 0.01, 0.08}});
const Vector kM0 = {0.1, -0.05, 0.2};
const Matrix kQ = Matrix::from_rows({{1.0, 0.3, 0.0}, {-0.2, 0.8, 0.1}, {0.1, 0.0, 1.2}});
const Matrix kK = Matrix::from_rows({{0.9, 0.1, 0.2}, {0.2, 1.1, 0.0}, {-0.1, 0.3, 0.7}});

double rel(const Matrix& a, const Matrix& b) { return frobenius_norm(a - b) / frobenius_norm(b); }

}  // namespace

TEST(TransformerClosure, IdentityValueCovarianceIsExact) {
  const std::vector<AttentionLayer> ls = {layer(kQ, kK, Matrix::identity(3))};
  const double ts = identity_value_blowup_time(ls, kS0);
  // t* from its definition with the Cholesky factor.
  const Matrix M = transpose(kK) * kQ, L = cholesky(kS0);
  const double lmax = symmetric_eigen(transpose(L) * (M + transpose(M)) * L).values.back();
  EXPECT_NEAR(ts, 1.0 / lmax, 1e-12 * ts);
  for (double frac : {0.2, 0.5, 0.9}) {
    const double t = frac * ts;
    const ClosureResult r = closure_rk4_integrate(ls, {kM0, kS0}, 0.0, t);
    ASSERT_FALSE(r.blew_up);
    const auto exact = identity_value_covariance(ls, kS0, t);
    ASSERT_TRUE(exact.has_value());
    EXPECT_LT(rel(r.state.S, *exact), 1e-9) << "t = " << t;
  }
  EXPECT_FALSE(identity_value_covariance(ls, kS0, 1.01 * ts).has_value());
}

TEST(TransformerClosure, DetectsBlowUpAtTheExactTime) {
  for (double scale : {1.0, 3.0}) {
    const std::vector<AttentionLayer> ls = {layer(scale * kQ, kK, Matrix::identity(3))};
    const double ts = identity_value_blowup_time(ls, kS0);
    const ClosureResult r = closure_rk4_integrate(ls, {kM0, kS0}, 0.0, 3.0 * ts);
    EXPECT_TRUE(r.blew_up);
    EXPECT_NEAR(r.t_reached, ts, 1e-6 * ts) << "scale " << scale;
  }
  // M + Mᵀ negative definite: collapse like 1/t, no blow-up.
  const std::vector<AttentionLayer> neg = {layer(-1.0 * Matrix::identity(3), Matrix::identity(3), Matrix::identity(3))};
  EXPECT_TRUE(std::isinf(identity_value_blowup_time(neg, kS0)));
  const ClosureResult r = closure_rk4_integrate(neg, {kM0, kS0}, 0.0, 50.0);
  EXPECT_FALSE(r.blew_up);
  const auto exact = identity_value_covariance(neg, kS0, 50.0);
  EXPECT_LT(rel(r.state.S, *exact), 1e-8);
  EXPECT_LT(trace(r.state.S), 3.0 / (2.0 * 50.0) * 1.01);  // Σ ≈ (2t)⁻¹ I
}

TEST(TransformerClosure, LayersArePiecewiseConstantInDepth) {
  const std::vector<AttentionLayer> ls = {layer(kQ, kK, Matrix::identity(3), 0.3),
                                          layer(-0.5 * kQ, kK, Matrix::identity(3), 0.7),
                                          layer(2.0 * kK, kQ, Matrix::identity(3))};
  const ClosureResult r = closure_rk4_integrate(ls, {kM0, kS0}, 0.0, 1.0);
  ASSERT_FALSE(r.blew_up);
  EXPECT_LT(rel(r.state.S, *identity_value_covariance(ls, kS0, 1.0)), 1e-9);
  // The exact blow-up time crosses layers consistently with the integrator.
  const double ts = identity_value_blowup_time(ls, kS0);
  ASSERT_TRUE(std::isfinite(ts));
  ASSERT_GT(ts, 0.7);
  const ClosureResult b = closure_rk4_integrate(ls, {kM0, kS0}, 0.0, ts + 1.0);
  EXPECT_TRUE(b.blew_up);
  EXPECT_NEAR(b.t_reached, ts, 1e-6 * ts);
}

TEST(TransformerClosure, GeneralValueMatrixFixedStepRk4ConvergesAtOrderFour) {
  // For V ≠ I there is no closed form; check the integrator's order instead: halving the tolerance
  // changes the answer by less than the tolerance, and a fixed-step RK4 converges to it at order 4.
  const Matrix V = Matrix::from_rows({{0.5, 0.2, 0.0}, {-0.1, 0.4, 0.3}, {0.0, 0.1, -0.2}});
  const std::vector<AttentionLayer> ls = {layer(kQ, kK, V)};
  const ClosureResult ref = closure_rk4_integrate(ls, {kM0, kS0}, 0.0, 1.0, 1e-14);
  std::vector<double> errs;
  for (int n : {10, 20, 40}) {
    GaussianState y{kM0, kS0};
    const double h = 1.0 / n;
    for (int k = 0; k < n; ++k) {
      const auto f = [&](const GaussianState& s) { return closure_rhs(ls[0], s); };
      const GaussianState k1 = f(y);
      const GaussianState k2 = f({y.m + 0.5 * h * k1.m, y.S + 0.5 * h * k1.S});
      const GaussianState k3 = f({y.m + 0.5 * h * k2.m, y.S + 0.5 * h * k2.S});
      const GaussianState k4 = f({y.m + h * k3.m, y.S + h * k3.S});
      y.m = y.m + (h / 6.0) * (k1.m + 2.0 * k2.m + 2.0 * k3.m + k4.m);
      y.S = y.S + (h / 6.0) * (k1.S + 2.0 * k2.S + 2.0 * k3.S + k4.S);
    }
    errs.push_back(rel(y.S, ref.state.S) + norm2(y.m - ref.state.m));
  }
  EXPECT_GT(std::log2(errs[0] / errs[1]), 3.7);
  EXPECT_GT(std::log2(errs[1] / errs[2]), 3.7);
}

TEST(TransformerClosure, LayerMapClosureConvergesToTheOdeAtFirstOrder) {
  // The Gaussian image of T layers x ← x + Γ(x)/T tends to the depth ODE's closure as T grows, at
  // first order (as the tokens' T-layer map does); a wrong product order would converge elsewhere.
  const Matrix V = Matrix::from_rows({{0.5, 0.2, 0.0}, {-0.1, 0.4, 0.3}, {0.0, 0.1, -0.2}});
  const AttentionLayer l = layer(kQ, kK, V);
  const ClosureResult ref = closure_rk4_integrate({l}, {kM0, kS0}, 0.0, 1.0, 1e-14);
  std::vector<double> errs;
  for (int T : {16, 32, 64}) {
    GaussianState y{kM0, kS0};
    for (int k = 0; k < T; ++k) y = layer_map_step(l, y, 1.0 / T);
    EXPECT_TRUE(is_spd(y.S));
    errs.push_back(rel(y.S, ref.state.S) + norm2(y.m - ref.state.m));
  }
  for (int k = 0; k + 1 < 3; ++k) {
    EXPECT_GT(std::log2(errs[k] / errs[k + 1]), 0.9);
    EXPECT_LT(std::log2(errs[k] / errs[k + 1]), 1.1);
  }
}

TEST(TransformerClosure, TrajectoryFitRecoversTheBlowUpTime) {
  const std::vector<AttentionLayer> ls = {layer(3.0 * kQ, kK, Matrix::identity(3))};
  const double ts = identity_value_blowup_time(ls, kS0);
  std::vector<double> times;
  std::vector<Matrix> covs;
  for (int k = 0; k <= 5; ++k) {
    times.push_back(0.1 * k * ts);
    covs.push_back(*identity_value_covariance(ls, kS0, times.back()));
  }
  EXPECT_NEAR(blowup_time_from_trajectory(times, covs), ts, 1e-10 * ts);
}

TEST(TransformerClosure, PresetsHaveTheirStructure) {
  const AttentionLayer id = make_preset({"identity", 2.0, 1}, 4);
  EXPECT_LT(frobenius_norm(transpose(id.K) * id.Q - 2.0 * Matrix::identity(4)), 1e-14);
  const AttentionLayer pot = make_preset({"potential", 0.7, 5}, 4);
  EXPECT_LT(frobenius_norm(pot.V - transpose(pot.Q) * pot.K), 1e-15);
  EXPECT_TRUE(is_symmetric(pot.V));
  const AttentionLayer r1 = make_preset({"random", 1.0, 5}, 4), r2 = make_preset({"random", 1.0, 6}, 4);
  EXPECT_GT(frobenius_norm(r1.Q - r2.Q), 0.1);
  EXPECT_EQ(frobenius_norm(r1.Q - make_preset({"random", 1.0, 5}, 4).Q), 0.0);
  EXPECT_THROW(make_preset({"bogus", 1.0, 1}, 2), std::invalid_argument);
}
