// Particles: rank-count independent sampling, migration that conserves count and weight and leaves
// every particle on the rank that owns its cell, CIC deposit mass, RK4 order against the exact flow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "continuity_fixtures.hpp"
#include "measureflow/deposit_cic.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/particle_sampling.hpp"

using namespace mf;

namespace {

// All particles gathered on rank 0, keyed by global id.
std::map<std::int64_t, std::vector<double>> gather_by_id(const ParticleSet& p, MPI_Comm comm) {
  int size = 1, rank = 0;
  MPI_Comm_size(comm, &size);
  MPI_Comm_rank(comm, &rank);
  const int d = p.dim();
  int n = static_cast<int>(p.size());
  std::vector<int> counts(size), offs(size, 0);
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  std::vector<double> rows(n * (d + 2));
  for (int i = 0; i < n; ++i) {
    rows[i * (d + 2)] = static_cast<double>(p.ids(i));
    rows[i * (d + 2) + 1] = p.weights(i);
    for (int a = 0; a < d; ++a) rows[i * (d + 2) + 2 + a] = p.positions(i, a);
  }
  std::vector<int> counts_d(size);
  for (int r = 0; r < size; ++r) counts_d[r] = counts[r] * (d + 2);
  for (int r = 1; r < size; ++r) offs[r] = offs[r - 1] + counts_d[r - 1];
  std::vector<double> all(rank == 0 ? offs[size - 1] + counts_d[size - 1] : 0);
  MPI_Gatherv(rows.data(), n * (d + 2), MPI_DOUBLE, all.data(), counts_d.data(), offs.data(), MPI_DOUBLE, 0, comm);
  std::map<std::int64_t, std::vector<double>> out;
  for (size_t i = 0; i + d + 2 <= all.size(); i += d + 2)
    out[static_cast<std::int64_t>(all[i])] = std::vector<double>(all.begin() + i + 1, all.begin() + i + d + 2);
  return out;
}

}  // namespace

TEST(Particles, SamplingDoesNotDependOnRankCount) {
  const Grid grid(MPI_COMM_WORLD, mf::testing::box_grid(2, -1, 1, 32, Boundary::NoFlux));
  const Grid serial(MPI_COMM_SELF, mf::testing::box_grid(2, -1, 1, 32, Boundary::NoFlux));
  MeasureSpec spec;
  spec.type = "mixture";
  spec.dim = 2;
  spec.components = {{0.3, {0.2, 0.1}, Matrix::from_rows({{0.02, 0.0}, {0.0, 0.01}})},
                     {0.7, {-0.3, 0.0}, Matrix::from_rows({{0.01, 0.004}, {0.004, 0.02}})}};
  const auto measure = make_measure(spec);
  const ParticleSet par = sample_particles(*measure, 5000, 7, grid);
  const ParticleSet ser = sample_particles(*measure, 5000, 7, serial);
  const auto a = gather_by_id(par, MPI_COMM_WORLD);
  if (world_rank() == 0) {
    ASSERT_EQ(a.size(), 5000u);
    for (std::int64_t i = 0; i < 5000; ++i) {
      ASSERT_EQ(a.count(i), 1u);
      for (int c = 0; c < 3; ++c) ASSERT_EQ(a.at(i)[c], c == 0 ? ser.weights(i) : ser.positions(i, c - 1));
    }
  }
}

TEST(Particles, MigrationConservesCountWeightAndOwnership) {
  const Grid grid(MPI_COMM_WORLD, mf::testing::box_grid(2, -1, 1, 40, Boundary::Periodic));
  const auto measure = make_measure(mf::testing::gaussian_spec({0.0, 0.0}, Matrix::from_rows({{0.2, 0.0}, {0.0, 0.2}})));
  ParticleSet p = sample_particles(*measure, 20000, 3, grid);
  const double w0 = global_weight(p, MPI_COMM_WORLD);
  EXPECT_EQ(global_count(p, MPI_COMM_WORLD), 20000);
  const auto before = gather_by_id(p, MPI_COMM_WORLD);
  for (int round = 0; round < 3; ++round) {
    // Shift everything by a sizeable step (crossing subdomains and the periodic boundary), then migrate.
    for (size_t i = 0; i < p.size(); ++i) {
      p.positions(i, 0) += 0.37;
      p.positions(i, 1) -= 0.61;
    }
    migrate(p, grid);
    EXPECT_EQ(global_count(p, MPI_COMM_WORLD), 20000);
    EXPECT_NEAR(global_weight(p, MPI_COMM_WORLD), w0, 1e-14);
    int rank = world_rank();
    long long misplaced = 0;
    for (size_t i = 0; i < p.size(); ++i) misplaced += grid.owner_of(&p.positions(i, 0)) != rank;
    EXPECT_EQ(misplaced, 0);
  }
  const auto after = gather_by_id(p, MPI_COMM_WORLD);
  if (world_rank() == 0) {
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [id, row] : before) EXPECT_EQ(after.at(id)[0], row[0]);  // weights travel with ids
  }
}

TEST(Particles, DepositConservesMassAtWalls) {
  const Grid grid(MPI_COMM_WORLD, mf::testing::box_grid(2, 0, 1, 16, Boundary::NoFlux));
  MeasureSpec s;
  s.type = "uniform_box";
  s.dim = 2;
  s.lower = {0.0, 0.0};
  s.upper = {1.0, 1.0};
  ParticleSet p = sample_particles(*make_measure(s), 40000, 11, grid);
  VecHandle rho = grid.create_global();
  deposit_cic(grid, p, rho);
  PetscScalar sum = 0;
  PetscCallThrow(VecSum(rho, &sum));
  EXPECT_NEAR(sum * grid.cell_volume(), 1.0, 1e-12);
  PetscReal lo = 0, hi = 0;
  PetscCallThrow(VecMin(rho, nullptr, &lo));
  PetscCallThrow(VecMax(rho, nullptr, &hi));
  // 40000 particles over 256 cells: ~156 per cell, Poisson-like noise ~8 %; far from the walls' bias.
  EXPECT_GT(lo, 0.6);
  EXPECT_LT(hi, 1.4);
}

TEST(Particles, Rk4MomentsConvergeAtFourthOrder) {
  // Against the exact flow of the same particles (no sampling error): order 4 in dt.
  const Matrix A = Matrix::from_rows({{-0.4, -1.3}, {0.9, 0.1}});
  const auto v = mf::testing::linear_velocity(A, {0.2, -0.1});
  const Grid grid(MPI_COMM_WORLD, mf::testing::box_grid(2, -20, 20, 8, Boundary::NoFlux));
  const auto measure = make_measure(mf::testing::gaussian_spec({0.3, 0.0}, Matrix::from_rows({{0.05, 0.01}, {0.01, 0.03}})));
  continuity::AffineClosedForm exact(std::shared_ptr<const Measure>(make_measure(mf::testing::gaussian_spec(
                                         {0.3, 0.0}, Matrix::from_rows({{0.05, 0.01}, {0.01, 0.03}})))),
                                     A, {0.2, -0.1});
  std::vector<double> err;
  for (double dt : {0.2, 0.1, 0.05}) {
    ParticleSet p = sample_particles(*measure, 2000, 5, grid);
    const Moments m0 = compute_moments(MPI_COMM_WORLD, p.as_points());
    continuity::ContinuityLagrangian view(std::move(p), grid, v, ParticleIntegrator::RK4, dt);
    view.advance(0.0, 2.0);
    const Moments m = compute_moments(MPI_COMM_WORLD, view.particles().as_points());
    const Moments ref = exact.push_forward(2.0, m0);
    err.push_back(frobenius_norm(m.cov - ref.cov) / frobenius_norm(ref.cov) + norm2(m.mean - ref.mean));
  }
  const double p1 = std::log2(err[0] / err[1]), p2 = std::log2(err[1] / err[2]);
  EXPECT_GE(p1, 3.5) << err[0] << " " << err[1] << " " << err[2];
  EXPECT_GE(p2, 3.5) << err[0] << " " << err[1] << " " << err[2];
}

TEST(Particles, Rk4ConvergesAtFourthOrderInATimeDependentField) {
  // v = (A + t A_rate) x + b against the exact flow of the same particles (matrix-ODE closed form).
  const Matrix A = Matrix::from_rows({{-0.2, -1.0}, {1.0, 0.1}});
  const Matrix A_rate = Matrix::from_rows({{0.0, 0.6}, {-0.3, -0.4}});
  const Vector b{0.1, -0.2};
  const fields::PrescribedField v = fields::linear_prescribed_field(A, b, A_rate);
  const Grid grid(MPI_COMM_WORLD, mf::testing::box_grid(2, -20, 20, 8, Boundary::NoFlux));
  const auto spec = mf::testing::gaussian_spec({0.3, 0.0}, Matrix::from_rows({{0.05, 0.01}, {0.01, 0.03}}));
  const auto measure = make_measure(spec);
  continuity::AffineClosedForm exact(std::shared_ptr<const Measure>(make_measure(spec)), A, b, A_rate);
  std::vector<double> err;
  for (double dt : {0.2, 0.1, 0.05}) {
    ParticleSet p = sample_particles(*measure, 2000, 5, grid);
    const Moments m0 = compute_moments(MPI_COMM_WORLD, p.as_points());
    continuity::ContinuityLagrangian view(std::move(p), grid, v, ParticleIntegrator::RK4, dt);
    view.advance(0.0, 2.0);
    const Moments m = compute_moments(MPI_COMM_WORLD, view.particles().as_points());
    const Moments ref = exact.push_forward(2.0, m0);
    err.push_back(frobenius_norm(m.cov - ref.cov) / frobenius_norm(ref.cov) + norm2(m.mean - ref.mean));
  }
  EXPECT_GE(std::log2(err[0] / err[1]), 3.5) << err[0] << " " << err[1] << " " << err[2];
  EXPECT_GE(std::log2(err[1] / err[2]), 3.5) << err[0] << " " << err[1] << " " << err[2];
}
