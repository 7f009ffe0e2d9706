// The neuron density on a grid (d = d' = 1, relu and tanh) against 5·10⁴ neurons as particles: the risks
// and covariances of the two views agree, and the gap falls as the grid is refined (16², 32², 64²).
// The grid view runs on every rank count of the ctest (1, 2, 4): the DMDA splits the cells, the outputs
// are summed over ranks.
#include <gtest/gtest.h>

#include <cmath>

#include "mean_field_fixtures.hpp"
#include "measureflow/moments.hpp"
#include "models/mean_field/mean_field_eulerian.hpp"

using namespace mf;
using namespace mf::mean_field;
using namespace mf::mean_field::testing;

namespace {

std::unique_ptr<Measure> initial() {
  MeasureSpec s;
  s.type = "gaussian";
  s.dim = 2;
  s.mean = {0.3, 0.2};
  s.cov = Matrix::from_rows({{0.2, 0.05}, {0.05, 0.2}});
  return make_measure(s);
}

TrainingData data_1d() {
  DataSpec s;
  s.kind = DataKind::Linear;
  s.dim = 1;
  s.outputs = 1;
  s.samples = 50;
  s.seed = 4;
  s.input_cov = Matrix::identity(1);
  s.weights = Matrix::from_rows({{1.0}});
  s.noise = 0.1;
  return make_training_data(s, false);
}

GridSpec box(PetscInt n) {
  GridSpec g;
  g.dim = 2;
  g.lower = {-3.0, -3.0, 0.0};
  g.upper = {3.0, 3.0, 1.0};
  g.cells = {n, n, 1};
  g.boundary = Boundary::NoFlux;
  return g;
}

constexpr double kEnd = 0.5;

struct ViewState {
  double risk;
  Matrix cov;
};

ViewState particles(Activation act) {
  auto risk = std::make_shared<NetworkEvaluator>(MPI_COMM_WORLD, data_1d(), act);
  auto m = initial();
  MeanFieldLagrangian view(risk, sample_neurons(MPI_COMM_WORLD, *m, 50000, 3), ParticleIntegrator::RK4, 0.1);
  view.advance(0.0, kEnd);
  return {view.risk(), compute_moments(MPI_COMM_WORLD, view.particles().as_points()).cov};
}

ViewState grid(Activation act, PetscInt n) {
  auto risk = std::make_shared<NetworkEvaluator>(MPI_COMM_WORLD, data_1d(), act);
  auto m = initial();
  MeanFieldEulerian view(box(n), MPI_COMM_WORLD, *m, risk, Limiter::MC, 0.4);
  view.advance(0.0, kEnd);
  return {view.risk(), grid_moments(view.grid(), view.density()).cov};
}

}  // namespace

class MeanFieldGrid : public ::testing::TestWithParam<Activation> {};

TEST_P(MeanFieldGrid, GridAgreesWithParticlesAndTheGapFallsWithRefinement) {
  const ViewState p = particles(GetParam());
  std::vector<double> risk_gap, cov_gap;
  for (PetscInt n : {16, 32, 64}) {
    const ViewState g = grid(GetParam(), n);
    risk_gap.push_back(std::fabs(g.risk - p.risk) / p.risk);
    cov_gap.push_back(frobenius_norm(g.cov - p.cov) / frobenius_norm(p.cov));
  }
  const std::string msg = "risk gaps " + std::to_string(risk_gap[0]) + " " + std::to_string(risk_gap[1]) + " " +
                          std::to_string(risk_gap[2]) + ", cov gaps " + std::to_string(cov_gap[0]) + " " +
                          std::to_string(cov_gap[1]) + " " + std::to_string(cov_gap[2]);
  RecordProperty("gaps", msg);
  std::printf("%s: %s\n", to_string(GetParam()).c_str(), msg.c_str());
  EXPECT_LT(risk_gap[2], risk_gap[0]) << msg;
  EXPECT_LT(cov_gap[2], cov_gap[0]) << msg;
  EXPECT_LT(risk_gap[2], 0.01) << msg;
  EXPECT_LT(cov_gap[2], 0.02) << msg;
}

INSTANTIATE_TEST_SUITE_P(Activations, MeanFieldGrid, ::testing::Values(Activation::Relu, Activation::Tanh));
