// The population ReLU risk (N = ∞, Gaussian inputs, the arc-cosine kernel): zero at the teacher itself,
// its velocity is −n ∇F by finite differences, and the sampled-data risk and velocity converge to it as
// the number of samples N grows (at the Monte Carlo rate N^{-1/2}).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "mean_field_fixtures.hpp"
#include "models/mean_field/population_risk.hpp"

using namespace mf;
using namespace mf::mean_field;
using namespace mf::mean_field::testing;

namespace {

DataSpec teacher_spec(long long samples) {
  DataSpec s;
  s.kind = DataKind::Teacher;
  s.dim = 6;
  s.outputs = 2;
  s.samples = samples;
  s.seed = 12;
  s.teacher_neurons = 3;
  return s;
}

// The largest |a − b| over all entries, and the largest |b|.
std::pair<double, double> max_diff(const PointsView& a, const PointsView& b) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < a.extent(0); ++i)
    for (std::size_t k = 0; k < a.extent(1); ++k) {
      diff = std::max(diff, std::fabs(a(i, k) - b(i, k)));
      scale = std::max(scale, std::fabs(b(i, k)));
    }
  return {diff, scale};
}

}  // namespace

// K(u, u) = |u|²/2 (E relu(g)² = 1/2), K(u, −u) = 0, and K(u, u') = |u||u'|/(2π) for u ⟂ u' (θ = π/2).
TEST(MeanFieldPopulation, ArcCosineKernelSpecialValues) {
  EXPECT_NEAR(relu_kernel(2.0, 2.0, 4.0), 2.0, 1e-15);
  EXPECT_NEAR(relu_kernel(1.0, 1.0, -1.0), 0.0, 1e-15);
  EXPECT_NEAR(relu_kernel(1.0, 3.0, 0.0), 3.0 / (2.0 * M_PI), 1e-15);
}

// The student equal to the teacher (m neurons (w_j, m·1) with weights 1/m) has zero risk.
TEST(MeanFieldPopulation, TeacherAsStudentHasZeroRisk) {
  const DataSpec spec = teacher_spec(1);
  const Matrix W = teacher_directions(spec);
  PopulationReluRisk pop(MPI_COMM_SELF, W, 2);
  ParticleSet p(8, 3);
  for (int j = 0; j < 3; ++j) {
    for (int a = 0; a < 6; ++a) p.positions(j, a) = W(j, a);
    p.positions(j, 6) = p.positions(j, 7) = 3.0;
    p.weights(j) = 1.0 / 3.0;
  }
  EXPECT_NEAR(pop.risk(p.positions, p.weights), 0.0, 1e-13);
  PointsView vel("vel", 3, 8);
  pop.velocity(p.positions, p.weights, vel);
  EXPECT_LT(max_diff(vel, PointsView("zero", 3, 8)).first, 1e-13);  // a critical point
}

// The velocity is −n ∇_{x_i} F_pop by central differences (checks ∇_u K).
TEST(MeanFieldPopulation, VelocityIsMinusNTimesTheRiskGradient) {
  const Matrix W = teacher_directions(teacher_spec(1));
  PopulationReluRisk pop(MPI_COMM_SELF, W, 2);
  const long long n = 6;
  ParticleSet p = random_neurons(MPI_COMM_SELF, n, 8, 0.6, 77);
  PointsView vel("vel", n, 8);
  pop.velocity(p.positions, p.weights, vel);
  const double h = 1e-6;
  double worst = 0.0, scale = 0.0;
  for (long long i = 0; i < n; ++i)
    for (int a = 0; a < 8; ++a) {
      const double x0 = p.positions(i, a);
      p.positions(i, a) = x0 + h;
      const double fp = pop.risk(p.positions, p.weights);
      p.positions(i, a) = x0 - h;
      const double fm = pop.risk(p.positions, p.weights);
      p.positions(i, a) = x0;
      worst = std::max(worst, std::fabs(vel(i, a) + n * (fp - fm) / (2 * h)));
      scale = std::max(scale, std::fabs(vel(i, a)));
    }
  EXPECT_GT(scale, 1e-2);
  EXPECT_LT(worst, 1e-6 * scale);
}

// Sampled data → population: risk and velocity errors fall like N^{-1/2} (×10 from N = 10³ to 10⁵; at
// least ×4 asserted, and a small error at 10⁵). One data seed is one Monte Carlo draw, whose error can
// be anywhere in its distribution: the errors are root-mean-squares over six seeds (teachers and data).
TEST(MeanFieldPopulation, SampledRiskAndVelocityConvergeToPopulation) {
  const long long n = 20;
  const std::vector<long long> sizes = {1000LL, 10000LL, 100000LL};
  std::vector<double> risk_err(sizes.size(), 0.0), vel_err(sizes.size(), 0.0);
  const int seeds = 6;
  for (int seed = 0; seed < seeds; ++seed) {
    DataSpec base = teacher_spec(1);
    base.seed = 12 + seed;
    const Matrix W = teacher_directions(base);
    PopulationReluRisk pop(MPI_COMM_SELF, W, 2);
    ParticleSet p = random_neurons(MPI_COMM_SELF, n, 8, 0.6, 5);
    PointsView vpop("vpop", n, 8), vs("vs", n, 8);
    const double fpop = pop.velocity(p.positions, p.weights, vpop);
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      DataSpec spec = base;
      spec.samples = sizes[k];
      NetworkEvaluator sampled(MPI_COMM_SELF, make_training_data(spec, false), Activation::Relu);
      const double f = sampled.velocity(p.positions, p.weights, vs);
      const auto [diff, scale] = max_diff(vs, vpop);
      risk_err[k] += std::pow((f - fpop) / fpop, 2) / seeds;
      vel_err[k] += std::pow(diff / scale, 2) / seeds;
    }
  }
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    risk_err[k] = std::sqrt(risk_err[k]);
    vel_err[k] = std::sqrt(vel_err[k]);
  }
  RecordProperty("risk_errors", std::to_string(risk_err[0]) + " " + std::to_string(risk_err[1]) + " " + std::to_string(risk_err[2]));
  RecordProperty("velocity_errors", std::to_string(vel_err[0]) + " " + std::to_string(vel_err[1]) + " " + std::to_string(vel_err[2]));
  std::printf("rms over %d seeds at N = 1e3, 1e4, 1e5: risk %.3g %.3g %.3g, velocity %.3g %.3g %.3g\n", seeds,
              risk_err[0], risk_err[1], risk_err[2], vel_err[0], vel_err[1], vel_err[2]);
  EXPECT_GT(risk_err[0] / risk_err[2], 4.0) << risk_err[0] << " " << risk_err[2];
  EXPECT_GT(vel_err[0] / vel_err[2], 4.0) << vel_err[0] << " " << vel_err[2];
  EXPECT_LT(risk_err[2], 0.02);
  EXPECT_LT(vel_err[2], 0.03);
}
