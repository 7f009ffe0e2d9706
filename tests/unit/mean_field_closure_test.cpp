// The mean_field model's exact pieces: the linear-network moment ODE against the scalar logistic formula
// and the least-squares limit, the kernels' velocity against the survey's B matrix (sign corrected) and
// against finite differences of the empirical risk (so explicit Euler is gradient descent).
#include <gtest/gtest.h>

#include <cmath>

#include "mean_field_fixtures.hpp"

using namespace mf;
using namespace mf::mean_field;
using namespace mf::mean_field::testing;

namespace {

Moments centred(const Matrix& S) {
  Moments m;
  m.mass = 1.0;
  m.mean.assign(S.rows(), 0.0);
  m.cov = S;
  return m;
}

}  // namespace

// Survey §6.2, scalar balanced case: b(t) = b∞ / (1 + (b∞/c − 1) e^{−4 S_yz t}) from the ODE (23).
TEST(MeanFieldClosure, BalancedScalarLogisticToOneInOneHundredMillion) {
  const double Szz = 1.3, Syz = 0.9, c = 0.05;
  const LinearNetworkClosure closure(Matrix::from_rows({{Szz}}), Matrix::from_rows({{Syz}}), 1.0);
  const std::vector<double> times = {0.25, 0.5, 1.0, 2.0, 3.0, 5.0};
  const auto path = closure.trajectory(centred(Matrix::from_rows({{c, c}, {c, c}})), times);
  double worst = 0.0;
  for (size_t k = 0; k < times.size(); ++k) {
    const double exact = balanced_scalar_cross_moment(c, Szz, Syz, times[k]);
    const Matrix& S = path[k].cov;
    worst = std::max(worst, std::fabs(S(0, 1) - exact) / exact);
    EXPECT_NEAR(S(0, 0), S(1, 1), 1e-12 * exact);  // u = v for all time
    EXPECT_NEAR(S(0, 0), S(0, 1), 1e-12 * exact);
  }
  EXPECT_LT(worst, 1e-8);
  // The logistic really moved: from c to near b∞ = S_yz / S_zz.
  EXPECT_GT(path.back().cov(0, 1), 0.95 * Syz / Szz);
}

// The risk along the ODE decreases monotonically to the least-squares minimum.
TEST(MeanFieldClosure, RiskFallsToLeastSquares) {
  const TrainingData data = make_training_data(linear_data_3_2(300), false);
  const LinearNetworkClosure closure(data.Szz, data.Syz, data.trace_Syy);
  Matrix S0 = 0.3 * Matrix::identity(5);
  S0(0, 3) = S0(3, 0) = 0.1;
  S0(1, 4) = S0(4, 1) = -0.05;
  const std::vector<double> times = {0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 40.0};
  const auto path = closure.trajectory(centred(S0), times);
  double last = 1e300;
  for (const Moments& m : path) {
    const double f = closure.risk(closure.cross_moment(m));
    EXPECT_LT(f, last);
    last = f;
  }
  const double fmin = least_squares_risk(data);
  EXPECT_GT(fmin, 0.0);  // noisy labels: the minimum is the noise level, ≈ 0.1² · 2 outputs
  EXPECT_NEAR(fmin, 0.02, 0.006);
  EXPECT_NEAR(last, fmin, 1e-9 * fmin);
  // The limit is the least-squares estimator: M_VU → S_yz S_zz⁻¹.
  const Matrix W = closure.cross_moment(path.back());
  EXPECT_LT(frobenius_norm(W - data.Syz * inverse(data.Szz)), 1e-8);
}

// The kernels (sums over the data) give B (u, v) with the B of (23): the velocity is −(+2(...)), the
// survey's ∇_W f carries the wrong sign.
TEST(MeanFieldClosure, LinearKernelVelocityIsTheMatrixB) {
  const TrainingData data = make_training_data(linear_data_3_2(64), false);
  const LinearNetworkClosure closure(data.Szz, data.Syz, data.trace_Syy);
  NetworkEvaluator eval(MPI_COMM_SELF, data, Activation::Linear);
  ParticleSet p = random_neurons(MPI_COMM_SELF, 25, 5, 0.7, 9, 0.1);
  PointsView vel("vel", p.size(), 5);
  eval.forward(p.positions, p.weights);
  eval.velocity(p.positions, vel);
  Matrix Mvu(2, 3);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (int b = 0; b < 2; ++b)
      for (int a = 0; a < 3; ++a) Mvu(b, a) += p.weights(i) * p.positions(i, 3 + b) * p.positions(i, a);
  const Matrix B = closure.velocity_matrix(Mvu);
  double worst = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    Vector x(5);
    for (int a = 0; a < 5; ++a) x[a] = p.positions(i, a);
    const Vector Bx = B * x;
    for (int a = 0; a < 5; ++a) {
      worst = std::max(worst, std::fabs(Bx[a] - vel(i, a)));
      scale = std::max(scale, std::fabs(Bx[a]));
    }
  }
  EXPECT_GT(scale, 0.1);
  EXPECT_LT(worst, 1e-12 * scale);
  // The risk from the kernels equals the closed-form risk of the same weight matrix.
  EXPECT_NEAR(eval.forward(p.positions, p.weights), closure.risk(Mvu), 1e-12);
}

// The velocity is −n ∇_{x_i} F(X) for the empirical risk F of the n-neuron network (eq. 20): explicit
// Euler with step dt is gradient descent with step n·dt on F. Central differences, tanh and ReLU (with bias).
class MeanFieldGradient : public ::testing::TestWithParam<Activation> {};

TEST_P(MeanFieldGradient, VelocityIsMinusNTimesTheRiskGradient) {
  DataSpec spec;
  spec.kind = DataKind::Teacher;
  spec.dim = 4;
  spec.outputs = 2;
  spec.samples = 40;
  spec.teacher_neurons = 3;
  const TrainingData data = make_training_data(spec, true);  // d_in = 5
  NetworkEvaluator eval(MPI_COMM_SELF, data, GetParam());
  const long long n = 7;
  ParticleSet p = random_neurons(MPI_COMM_SELF, n, 7, 0.8, 21);
  PointsView vel("vel", n, 7);
  eval.forward(p.positions, p.weights);
  eval.velocity(p.positions, vel);
  const double h = 1e-6;
  double worst = 0.0, scale = 0.0;
  for (long long i = 0; i < n; ++i)
    for (int a = 0; a < 7; ++a) {
      const double x0 = p.positions(i, a);
      p.positions(i, a) = x0 + h;
      const double fp = eval.forward(p.positions, p.weights);
      p.positions(i, a) = x0 - h;
      const double fm = eval.forward(p.positions, p.weights);
      p.positions(i, a) = x0;
      const double grad = (fp - fm) / (2 * h);
      worst = std::max(worst, std::fabs(vel(i, a) + n * grad));
      scale = std::max(scale, std::fabs(vel(i, a)));
    }
  EXPECT_GT(scale, 1e-2);
  EXPECT_LT(worst, 1e-6 * scale);
}

INSTANTIATE_TEST_SUITE_P(Activations, MeanFieldGradient,
                         ::testing::Values(Activation::Tanh, Activation::Relu, Activation::Linear));

// One Euler advance of the particle view is x ← x + dt · velocity(x) exactly.
TEST(MeanFieldClosure, EulerAdvanceIsOneGradientStep) {
  const TrainingData data = make_training_data(linear_data_3_2(32), false);
  ParticleSet p = random_neurons(MPI_COMM_SELF, 10, 5, 0.5, 4);
  PointsView vel("vel", 10, 5);
  NetworkEvaluator eval(MPI_COMM_SELF, data, Activation::Tanh);
  eval.forward(p.positions, p.weights);
  eval.velocity(p.positions, vel);
  Kokkos::View<double**, Kokkos::LayoutRight> x0("x0", 10, 5);
  Kokkos::deep_copy(x0, p.positions);
  MeanFieldLagrangian view(std::make_shared<NetworkEvaluator>(eval), p, ParticleIntegrator::Euler, 0.05);
  view.advance(0.0, 0.05);
  for (int i = 0; i < 10; ++i)
    for (int a = 0; a < 5; ++a)
      EXPECT_DOUBLE_EQ(view.particles().positions(i, a), x0(i, a) + 0.05 * vel(i, a));
}
