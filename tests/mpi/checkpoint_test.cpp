// Checkpoint files: a continuity model written mid-run and read back into a fresh model continues
// bitwise on the same rank count (grid and particles), and the metric history survives.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "continuity_fixtures.hpp"
#include "shared_scratch.hpp"
#include "measureflow/checkpoint.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/particle_sampling.hpp"
#include "measureflow/setup_from_deck.hpp"

using namespace mf;

namespace {

struct Fixture {
  std::shared_ptr<const Measure> initial;
  fields::PrescribedField velocity;
  GridSpec spec;
};

Fixture rotation() {
  Fixture f;
  f.initial = std::shared_ptr<const Measure>(
      make_measure(mf::testing::gaussian_spec({0.3, 0.0}, Matrix::from_rows({{0.02, 0.0}, {0.0, 0.01}}))));
  f.velocity = mf::testing::linear_velocity(Matrix::from_rows({{0.0, -1.0}, {1.0, 0.1}}), {0.0, 0.05});
  f.spec = mf::testing::box_grid(2, -1, 1, 40, Boundary::NoFlux);
  return f;
}

std::unique_ptr<Model> build(const Fixture& f, MPI_Comm comm) {
  auto m = std::make_unique<Model>();
  auto e = std::make_unique<continuity::ContinuityEulerian>(f.spec, comm, *f.initial, f.velocity, Limiter::MC, 0.4);
  ParticleSet p = sample_particles(*f.initial, 3000, 9, e->grid());
  m->lagrangian = std::make_unique<continuity::ContinuityLagrangian>(std::move(p), e->grid(), f.velocity,
                                                                     ParticleIntegrator::RK4, 0.0);
  m->eulerian = std::move(e);
  return m;
}

void advance(Model& m, double t0, double t1) {
  double t = t0;
  while (t < t1 - 1e-14) {
    const double dt = std::min(m.eulerian->stable_dt(t), t1 - t);
    m.eulerian->advance(t, dt);
    m.lagrangian->advance(t, dt);
    t += dt;
  }
}

// A per-process file name (rank 0's pid, the same on every rank): the 1-, 2- and 4-rank runs of this
// test may run at the same time under ctest -j and must not share a file.
std::string scratch_file(const std::string& stem) {
  return mf::testing::shared_scratch_path(stem, ".h5").string();
}

}  // namespace

TEST(Checkpoint, ContinuationIsBitwiseOnSameRankCount) {
  const Fixture f = rotation();
  const std::string path = scratch_file("mf_checkpoint_test");
  auto reference = build(f, MPI_COMM_WORLD);
  advance(*reference, 0.0, 0.3);
  CheckpointState st;
  st.time = 0.3;
  st.steps = 17;
  st.next_output = 2;
  st.deck_yaml = "model: continuity\n";
  st.history = {{0.0, {{"eulerian.mass", 1.0}, {"a.b", 2.5}}}, {0.2, {{"eulerian.mass", 0.99}}}};
  st.baseline.grid_mass0 = 0.97;
  st.baseline.particles0 = compute_moments(MPI_COMM_WORLD, reference->lagrangian->particles().as_points());
  write_checkpoint(path, MPI_COMM_WORLD, st, *reference);

  auto restarted = build(f, MPI_COMM_WORLD);  // fresh state at t = 0
  const CheckpointState back = read_checkpoint(path, MPI_COMM_WORLD, *restarted);
  EXPECT_EQ(back.time, 0.3);
  EXPECT_EQ(back.steps, 17);
  EXPECT_EQ(back.next_output, 2);
  EXPECT_EQ(back.baseline.grid_mass0, 0.97);
  ASSERT_EQ(back.history.size(), 2u);
  EXPECT_EQ(back.history[0].second.at("a.b"), 2.5);
  EXPECT_EQ(back.history[1].second.count("a.b"), 0u);
  EXPECT_EQ(back.baseline.particles0.cov(0, 1), st.baseline.particles0.cov(0, 1));

  advance(*reference, 0.3, 0.6);
  advance(*restarted, 0.3, 0.6);
  const auto a = gather_natural(reference->eulerian->grid(), reference->eulerian->density());
  const auto b = gather_natural(restarted->eulerian->grid(), restarted->eulerian->density());
  EXPECT_EQ(a, b);  // bitwise
  const ParticleSet& pa = reference->lagrangian->particles();
  const ParticleSet& pb = restarted->lagrangian->particles();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    ASSERT_EQ(pa.ids(i), pb.ids(i));
    ASSERT_EQ(pa.positions(i, 0), pb.positions(i, 0));
    ASSERT_EQ(pa.positions(i, 1), pb.positions(i, 1));
  }
  if (world_rank() == 0) std::remove(path.c_str());
}

TEST(Checkpoint, RestartOnAnotherRankCountMatchesToRoundOff) {
  // Written by all ranks, read back on a single rank (MPI_COMM_SELF on rank 0).
  const Fixture f = rotation();
  const std::string path = scratch_file("mf_checkpoint_ranks");
  auto model = build(f, MPI_COMM_WORLD);
  advance(*model, 0.0, 0.2);
  CheckpointState st;
  st.time = 0.2;
  write_checkpoint(path, MPI_COMM_WORLD, st, *model);
  const auto field = gather_natural(model->eulerian->grid(), model->eulerian->density());
  const Moments m = compute_moments(MPI_COMM_WORLD, model->lagrangian->particles().as_points());
  if (world_rank() == 0) {
    auto serial = build(f, MPI_COMM_SELF);
    read_checkpoint(path, MPI_COMM_SELF, *serial);
    EXPECT_EQ(gather_natural(serial->eulerian->grid(), serial->eulerian->density()), field);
    const Moments ms = compute_moments(MPI_COMM_SELF, serial->lagrangian->particles().as_points());
    EXPECT_EQ(serial->lagrangian->particles().size(), 3000u);
    EXPECT_NEAR(ms.cov(0, 0), m.cov(0, 0), 1e-14);
    EXPECT_NEAR(ms.mean[1], m.mean[1], 1e-14);
    std::remove(path.c_str());
  }
  MPI_Barrier(MPI_COMM_WORLD);
}
