// The mean_field particle view over ranks: the neurons follow the linear network's moment ODE (to the
// integrator's error from their own initial moments, to Monte Carlo error from the exact Gaussian), the
// balanced scalar logistic holds for 10⁵ particles, and 1, 2, 4 ranks give the serial answer (computed on
// MPI_COMM_SELF in the same process) to round-off.
#include <gtest/gtest.h>

#include <cmath>

#include "mean_field_fixtures.hpp"
#include "measureflow/moments.hpp"

using namespace mf;
using namespace mf::mean_field;
using namespace mf::mean_field::testing;

namespace {

double rel_frobenius(const Matrix& a, const Matrix& b) { return frobenius_norm(a - b) / frobenius_norm(b); }

std::unique_ptr<Measure> gaussian(const Vector& m, const Matrix& S) {
  MeasureSpec s;
  s.type = "gaussian";
  s.dim = static_cast<int>(m.size());
  s.mean = m;
  s.cov = S;
  return make_measure(s);
}

Matrix initial_cov() {
  return Matrix::from_rows({{0.5, 0.0, 0.0, 0.2, 0.0},
                            {0.0, 0.5, 0.0, 0.0, -0.15},
                            {0.0, 0.0, 0.5, 0.1, 0.0},
                            {0.2, 0.0, 0.1, 0.5, 0.0},
                            {0.0, -0.15, 0.0, 0.0, 0.5}});
}
const Vector kMean = {0.1, 0.0, -0.1, 0.05, 0.0};

struct LinearRun {
  std::vector<Moments> particles;  // at each output time
  std::vector<double> risks;
  Moments initial_empirical;
};

// d = 3, d' = 2 linear network, Gaussian neurons with cross-covariance, RK4 with step `step`.
LinearRun run_linear(MPI_Comm comm, long long n, const std::vector<double>& times, double step = 0.05) {
  const TrainingData data = make_training_data(linear_data_3_2(100), false);
  auto measure = gaussian(kMean, initial_cov());
  MeanFieldLagrangian view(std::make_shared<NetworkEvaluator>(comm, data, Activation::Linear), sample_neurons(comm, *measure, n, 17),
                           ParticleIntegrator::RK4, step);
  LinearRun out;
  out.initial_empirical = compute_moments(comm, view.particles().as_points());
  double t = 0.0;
  for (double ts : times) {
    view.advance(t, ts - t);
    t = ts;
    out.particles.push_back(compute_moments(comm, view.particles().as_points()));
    out.risks.push_back(view.risk());
  }
  return out;
}

}  // namespace

// Acceptance (issue 15): the particle covariance follows (23) at every output time.
TEST(MeanFieldRanks, LinearNeuronsFollowTheMomentOde) {
  const long long n = 20000;
  const std::vector<double> times = {0.25, 0.5, 0.75, 1.0};
  const LinearRun run = run_linear(MPI_COMM_WORLD, n, times);
  const TrainingData data = make_training_data(linear_data_3_2(100), false);
  const LinearNetworkClosure closure(data.Szz, data.Syz, data.trace_Syy);
  Moments exact0;
  exact0.mass = 1.0;
  exact0.mean = kMean;
  exact0.cov = initial_cov();
  const auto own = closure.trajectory(run.initial_empirical, times);  // exact flow of the particles' own start
  const auto exact = closure.trajectory(exact0, times);
  // Monte Carlo error of a covariance from n samples: ~ sqrt(2/n) relative; measured 0.4-0.9 of it.
  const double mc = std::sqrt(2.0 / static_cast<double>(n));
  const double e0 = rel_frobenius(run.initial_empirical.cov, exact0.cov);
  EXPECT_LT(e0, 2.0 * mc);
  for (size_t k = 0; k < times.size(); ++k) {
    // RK4 with step 0.05: measured 7e-7 to 1.1e-6 (the order is checked below).
    EXPECT_LT(rel_frobenius(run.particles[k].cov, own[k].cov), 3e-6) << "t = " << times[k];
    EXPECT_LT(rel_frobenius(run.particles[k].cov, exact[k].cov), 2.0 * mc) << "t = " << times[k];
    // The risk of the particles is the closed-form risk of their own moments.
    const double f = closure.risk(closure.cross_moment(own[k]));
    EXPECT_NEAR(run.risks[k], f, 3e-6 * f);
  }
  // The dynamics moved the covariance far more than the tolerances above.
  EXPECT_GT(rel_frobenius(exact.back().cov, exact0.cov), 0.3);
}

// RK4 on the neurons is fourth order against the exact moment flow of their own initial measure.
TEST(MeanFieldRanks, ParticleIntegratorIsFourthOrder) {
  const std::vector<double> times = {1.0};
  const TrainingData data = make_training_data(linear_data_3_2(100), false);
  const LinearNetworkClosure closure(data.Szz, data.Syz, data.trace_Syy);
  double err[2];
  for (int r = 0; r < 2; ++r) {
    const LinearRun run = run_linear(MPI_COMM_WORLD, 2000, times, r == 0 ? 0.1 : 0.05);
    err[r] = rel_frobenius(run.particles[0].cov, closure.trajectory(run.initial_empirical, times)[0].cov);
  }
  const double order = std::log2(err[0] / err[1]);
  EXPECT_GT(order, 3.7) << "errors " << err[0] << ", " << err[1];
  EXPECT_LT(order, 4.5) << "errors " << err[0] << ", " << err[1];
}

// 1, 2 and 4 ranks against the serial run in the same process: only the order of sums differs.
TEST(MeanFieldRanks, SameAnswerOnAnyRankCount) {
  const std::vector<double> times = {0.5, 1.0};
  const LinearRun dist = run_linear(MPI_COMM_WORLD, 3000, times);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  double worst = 0.0;
  if (rank == 0) {
    const LinearRun serial = run_linear(MPI_COMM_SELF, 3000, times);
    for (size_t k = 0; k < times.size(); ++k) {
      worst = std::max(worst, rel_frobenius(dist.particles[k].cov, serial.particles[k].cov));
      worst = std::max(worst, std::fabs(dist.risks[k] - serial.risks[k]) / serial.risks[k]);
    }
  }
  MPI_Bcast(&worst, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  EXPECT_LT(worst, 1e-12);
}

// Acceptance: the scalar balanced logistic with 10⁵ particles (u = v at start, u ~ N(0, c)).
TEST(MeanFieldRanks, BalancedScalarLogisticWithParticles) {
  const double c = 0.05;
  const long long n = 100000;
  DataSpec spec;
  spec.kind = DataKind::Linear;
  spec.dim = 1;
  spec.outputs = 1;
  spec.samples = 50;
  spec.seed = 8;
  spec.input_cov = Matrix::from_rows({{1.2}});
  spec.weights = Matrix::from_rows({{0.8}});
  spec.noise = 0.2;
  const TrainingData data = make_training_data(spec, false);
  ParticleSet p = random_neurons(MPI_COMM_WORLD, n, 2, std::sqrt(c), 31);
  for (std::size_t i = 0; i < p.size(); ++i) p.positions(i, 1) = p.positions(i, 0);
  const Moments m0 = compute_moments(MPI_COMM_WORLD, p.as_points());
  const double c_emp = m0.cov(0, 1) + m0.mean[0] * m0.mean[1];  // the sample's own E[uv] = E[u²]
  MeanFieldLagrangian view(std::make_shared<NetworkEvaluator>(MPI_COMM_WORLD, data, Activation::Linear), p, ParticleIntegrator::RK4, 0.1);
  const double Szz = data.Szz(0, 0), Syz = data.Syz(0, 0);
  double t = 0.0;
  for (double ts : {0.5, 1.0, 1.5}) {
    view.advance(t, ts - t);
    t = ts;
    const Moments m = compute_moments(MPI_COMM_WORLD, view.particles().as_points());
    const double b = m.cov(0, 1) + m.mean[0] * m.mean[1];  // E[uv]
    // From the particles' own c: the logistic to the RK4 error (step 0.1).
    const double own = balanced_scalar_cross_moment(c_emp, Szz, Syz, ts);
    EXPECT_NEAR(b, own, 2e-5 * own) << "t = " << ts;
    // From the nominal c: within Monte Carlo error (relative sqrt(2/n) on c, damped by the flow).
    const double nominal = balanced_scalar_cross_moment(c, Szz, Syz, ts);
    EXPECT_NEAR(b, nominal, 3.0 * std::sqrt(2.0 / n) * nominal) << "t = " << ts;
  }
  EXPECT_GT(balanced_scalar_cross_moment(c, Szz, Syz, t), 4.0 * c);  // the logistic has risen well above c
}
