// Identities of the Gaussian OT closed forms and of the matrix ODE integrator.
#include <gtest/gtest.h>

#include <cmath>

#include "measureflow/ot/gaussian.hpp"
#include "measureflow/ot/matrix_ode.hpp"

namespace {

using mf::Matrix;
using mf::Vector;

// A fixed, clearly non-diagonal SPD matrix built as L Lᵀ + c I.
Matrix spd(double a, double b, double c) {
  const Matrix L = Matrix::from_rows({{1.0, 0.0, 0.0}, {a, 1.5, 0.0}, {b, -0.7, 0.8}});
  return mf::symmetrize(L * mf::transpose(L) + c * Matrix::identity(3));
}

double rel_diff(const Matrix& a, const Matrix& b) { return mf::frobenius_norm(a - b) / mf::frobenius_norm(b); }

// Φ(1) for Φ' = A_t Φ, Φ(0) = I: the endpoint map of the flow-matching ODE.
Matrix flow_matching_endpoint(const Matrix& S0, const Matrix& S1) {
  auto F = [&](double t, const Matrix& P) { return mf::ot::flow_matching_field_matrix(S0, S1, t) * P; };
  return mf::ot::integrate_matrix_ode(F, Matrix::identity(S0.rows()), 0.0, 1.0, 1e-12);
}

TEST(OtGaussian, BrenierMapPushesForward) {
  const Matrix A = spd(0.3, -0.4, 0.2), B = spd(-1.1, 0.9, 0.5);
  const Matrix M = mf::ot::brenier_map_matrix(A, B);
  EXPECT_LT(rel_diff(M * A * mf::transpose(M), B), 1e-12);
  EXPECT_TRUE(mf::is_spd(M));  // a gradient of a convex function
}

TEST(OtGaussian, W2SymmetricAndZeroOnlyWhenEqual) {
  const Matrix A = spd(0.3, -0.4, 0.2), B = spd(-1.1, 0.9, 0.5);
  const Vector a{0.1, 0.2, -0.3}, b{1.0, -1.0, 0.5};
  const double ab = mf::ot::w2_squared_gaussian(a, A, b, B), ba = mf::ot::w2_squared_gaussian(b, B, a, A);
  EXPECT_NEAR(ab, ba, 1e-12 * ab);
  EXPECT_LT(mf::ot::bures_squared(A, A), 1e-12);
  EXPECT_GT(mf::ot::bures_squared(A, B), 0.1);
  EXPECT_GT(mf::ot::bures_squared(A, A + 1e-3 * Matrix::identity(3)), 0.0);
  // W2² = |Δm|² + tr((A^{1/2} − B^{1/2})²) when A and B commute.
  const Matrix D0 = Matrix::diagonal({1.0, 4.0, 0.25}), D1 = Matrix::diagonal({9.0, 1.0, 1.0});
  EXPECT_NEAR(mf::ot::bures_squared(D0, D1), 4.0 + 1.0 + 0.25, 1e-12);
}

TEST(OtGaussian, McCannIsAConstantSpeedGeodesic) {
  const mf::ot::GaussianState g0{{0.0, 1.0, 0.0}, spd(0.3, -0.4, 0.2)}, g1{{2.0, 0.0, -1.0}, spd(-1.1, 0.9, 0.5)};
  const double w = std::sqrt(mf::ot::w2_squared_gaussian(g0.mean, g0.cov, g1.mean, g1.cov));
  for (double t : {0.25, 0.5, 0.8}) {
    const auto gt = mf::ot::mccann_interpolant(g0, g1, t);
    EXPECT_NEAR(std::sqrt(mf::ot::w2_squared_gaussian(g0.mean, g0.cov, gt.mean, gt.cov)), t * w, 1e-9 * w);
    EXPECT_NEAR(std::sqrt(mf::ot::w2_squared_gaussian(gt.mean, gt.cov, g1.mean, g1.cov)), (1 - t) * w, 1e-9 * w);
  }
  EXPECT_LT(rel_diff(mf::ot::mccann_interpolant(g0, g1, 1.0).cov, g1.cov), 1e-12);
}

TEST(OtGaussian, FlowMatchingFieldGeneratesItsPath) {
  const Matrix S0 = spd(0.3, -0.4, 0.2), S1 = spd(-1.1, 0.9, 0.5);
  const mf::ot::GaussianState g0{{0, 0, 0}, S0}, g1{{0, 0, 0}, S1};
  for (double t : {0.1, 0.5, 0.9}) {
    const Matrix St = mf::ot::flow_matching_path(g0, g1, t).cov;
    const Matrix A = mf::ot::flow_matching_field_matrix(S0, S1, t);
    const Matrix dS = -2.0 * (1 - t) * S0 + 2.0 * t * S1;
    EXPECT_LT(rel_diff(A * St + St * mf::transpose(A), dS), 1e-12);
  }
  // Integrating Σ' = A_t Σ + Σ A_tᵀ from Σ0 lands on Σ1.
  auto F = [&](double t, const Matrix& S) {
    const Matrix A = mf::ot::flow_matching_field_matrix(S0, S1, t);
    return A * S + S * mf::transpose(A);
  };
  EXPECT_LT(rel_diff(mf::ot::integrate_matrix_ode(F, S0, 0.0, 1.0, 1e-12), S1), 1e-9);
}

TEST(OtGaussian, FlowMatchingMapIsBrenierOnlyWhenCovariancesCommute) {
  const Matrix D0 = Matrix::diagonal({1.0, 4.0, 0.25}), D1 = Matrix::diagonal({9.0, 1.0, 2.0});
  EXPECT_LT(rel_diff(flow_matching_endpoint(D0, D1), mf::ot::brenier_map_matrix(D0, D1)), 1e-9);
  const Matrix S0 = spd(0.3, -0.4, 0.2), S1 = spd(-1.1, 0.9, 0.5);
  const Matrix Phi = flow_matching_endpoint(S0, S1);
  EXPECT_LT(rel_diff(Phi * S0 * mf::transpose(Phi), S1), 1e-9);  // still a transport map ...
  EXPECT_GT(rel_diff(Phi, mf::ot::brenier_map_matrix(S0, S1)), 1e-2);  // ... but not the optimal one
}

TEST(OtGaussian, EntropicValueTendsToW2AndMatches1DFormula) {
  const Matrix A = spd(0.3, -0.4, 0.2), B = spd(-1.1, 0.9, 0.5);
  const Vector a{0.1, 0.2, -0.3}, b{1.0, -1.0, 0.5};
  const double w2 = mf::ot::w2_squared_gaussian(a, A, b, B);
  double prev = 1e300;
  for (double eps : {1e-1, 1e-2, 1e-3, 1e-4}) {
    const double gap = std::abs(mf::ot::entropic_ot_gaussian(a, A, b, B, eps) - w2);
    EXPECT_LT(gap, prev);
    prev = gap;
  }
  EXPECT_LT(prev, 1e-2);
  // Divergence: zero for equal Gaussians, ≥ 0, and → W2² as ε → 0.
  EXPECT_NEAR(mf::ot::sinkhorn_divergence_gaussian(a, A, a, A, 0.3), 0.0, 1e-12);
  EXPECT_NEAR(mf::ot::sinkhorn_divergence_gaussian(a, A, b, B, 1e-6), w2, 1e-4 * w2);
}

TEST(OtMatrixOde, LinearLyapunovMatchesExpm) {
  const Matrix A = Matrix::from_rows({{-0.5, 1.0, 0.0}, {-1.0, -0.2, 0.3}, {0.0, 0.4, -1.0}});
  const Matrix S0 = spd(0.3, -0.4, 0.2);
  auto F = [&](double, const Matrix& S) { return A * S + S * mf::transpose(A); };
  std::vector<Matrix> traj;
  const std::vector<double> times{0.5, 1.0, 1.7};
  const Matrix end = mf::ot::integrate_matrix_ode(F, S0, 0.0, 2.0, 1e-11, times, traj);
  ASSERT_EQ(traj.size(), times.size());
  auto exact = [&](double t) {
    const Matrix E = mf::expm(t * A);
    return E * S0 * mf::transpose(E);
  };
  for (size_t k = 0; k < times.size(); ++k) EXPECT_LT(rel_diff(traj[k], exact(times[k])), 1e-9);
  EXPECT_LT(rel_diff(end, exact(2.0)), 1e-9);
  // The tolerance controls the error: a loose run is measurably worse but still near its target.
  const double loose = rel_diff(mf::ot::integrate_matrix_ode(F, S0, 0.0, 2.0, 1e-5), exact(2.0));
  const double tight = rel_diff(end, exact(2.0));
  EXPECT_LT(loose, 1e-4);
  EXPECT_GT(loose, tight);
  // Backwards integration returns to the start.
  EXPECT_LT(rel_diff(mf::ot::integrate_matrix_ode(F, end, 2.0, 0.0, 1e-11), S0), 1e-8);
}

}  // namespace
