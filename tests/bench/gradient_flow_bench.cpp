// Benchmark of the gradient_flow model: implicit FV time per step and Newton/KSP iterations vs grid
// size, blob-particle time per step vs particle count, cell-list vs all-pairs blob velocities
// (crossover), ring all-pairs interaction. Prints tables; run by tests/bench/gradient_flow_bench.sh.
#include <chrono>
#include <cstdio>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/ring_pairs.hpp"
#include "models/gradient_flow/gradient_flow_eulerian.hpp"
#include "models/gradient_flow/gradient_flow_lagrangian.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

GradientFlowConfig porous2d(PetscInt cells, long long lattice) {
  auto c = mf::testing::gf_config(2, 1.5, cells);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.particles = lattice;
  c.dt = 0.005;
  return c;
}

struct Pair {
  InteractionKernel k;
  KOKKOS_INLINE_FUNCTION void operator()(const double* z, double* g) const { k.add_gradient(z, g); }
};

}  // namespace

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const bool root = env.rank() == 0;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (root) std::printf("# gradient_flow benchmark, %d rank(s)\n", size);

  // 1. Implicit FV: porous medium m = 2 in 2D, dt = 0.005 (far above the explicit h² limit).
  if (root) std::printf("\n| cells | steps | s/step | Newton/step | KSP/step |\n|---|---|---|---|---|\n");
  for (PetscInt n : {32, 64, 128}) {
    const auto c = porous2d(n, 100);
    auto measure = make_measure(c.initial);
    GradientFlowEulerian e(c, MPI_COMM_WORLD, *measure);
    const int steps = 5;
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now();
    e.advance(0.0, steps * c.dt);
    MPI_Barrier(MPI_COMM_WORLD);
    const double dt = (now() - t0) / steps;
    if (root)
      std::printf("| %ld² | %d | %.4f | %.2f | %.1f |\n", (long)n, steps, dt, e.newton_iterations_mean(),
                  e.linear_iterations_mean());
  }

  // 2. Blob particles: one Heun step (two halo exchanges + cell-list sums + migration).
  if (root) std::printf("\n| lattice | particles | δ | s/step |\n|---|---|---|---|\n");
  for (long long lattice : {2500LL, 10000LL, 40000LL}) {
    const auto c = porous2d(24, lattice);
    auto measure = make_measure(c.initial);
    const Grid grid(MPI_COMM_WORLD, c.domain, 1);
    GradientFlowLagrangian lag(c, grid, *measure);
    const double h = lag.stable_dt(0.0);
    const int steps = 3;
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now();
    lag.advance(0.0, steps * h);
    MPI_Barrier(MPI_COMM_WORLD);
    const long long np = global_count(lag.particles(), MPI_COMM_WORLD);
    if (root) std::printf("| %lld | %lld | %.4f | %.4f |\n", lattice, np, lag.mollifier().delta, (now() - t0) / steps);
  }

  // 3. Cell list vs all pairs for the same blob velocities (one rank's work; all-pairs is O(N²)).
  if (root) {
    std::printf("\n| particles | cell list s | all pairs s | ratio |\n|---|---|---|---|\n");
    for (long long lattice : {400LL, 1600LL, 6400LL, 25600LL}) {
      const auto c = porous2d(8, lattice);
      auto measure = make_measure(c.initial);
      const Grid grid(MPI_COMM_SELF, c.domain, 1);
      GradientFlowLagrangian lag(c, grid, *measure);
      const ParticleSet& p = lag.particles();
      PointsView v("v", p.size(), 2);
      const LocalEnergy e = make_local_energy(c.energy);
      double t0 = now();
      blob_velocities(p, grid, e, lag.mollifier(), 0.0, v);
      const double t_cells = now() - t0;
      t0 = now();
      blob_velocities_all_pairs(p.positions, p.weights, 2, e, lag.mollifier(), v);
      const double t_all = now() - t0;
      std::printf("| %zu | %.5f | %.5f | %.1f |\n", p.size(), t_cells, t_all, t_all / t_cells);
    }
  }

  // 4. Ring all-pairs interaction (log kernel) across ranks.
  if (root) std::printf("\n| particles | ring s |\n|---|---|\n");
  for (long long lattice : {1024LL, 4096LL, 16384LL}) {
    auto c = mf::testing::gf_config(2, 2.0, 16);
    c.initial.type = "gaussian";
    c.initial.dim = 2;
    c.initial.mean = {0.0, 0.0};
    c.initial.cov = 0.1 * Matrix::identity(2);
    c.energy.interaction = Interaction::LogQuadratic;
    c.energy.softening = 0.05;
    auto measure = make_measure(c.initial);
    const Grid grid(MPI_COMM_WORLD, c.domain, 1);
    const ParticleSet p = lattice_particles(*measure, c.domain, lattice, grid);
    PointsView g("g", p.size(), 2);
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now();
    ring_pair_sum(p, MPI_COMM_WORLD, Pair{make_interaction(c.energy, 2)}, g);
    MPI_Barrier(MPI_COMM_WORLD);
    const long long np = global_count(p, MPI_COMM_WORLD);
    if (root) std::printf("| %lld | %.4f |\n", np, now() - t0);
  }
  return 0;
}
