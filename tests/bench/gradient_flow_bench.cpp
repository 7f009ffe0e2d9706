// Benchmark of the gradient_flow model: implicit FV time per step and Newton/KSP iterations vs grid
// size, blob-particle time per step vs particle count, cell-list vs all-pairs (ring, method pairwise)
// blob velocities with their crossover, ring all-pairs interaction. Prints tables; run by tests/bench/gradient_flow_bench.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/ring_pairs.hpp"
#include "models/gradient_flow/blob_pairwise.hpp"
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
  // Optional first argument: run one section only (fv | blob | crossover | ring).
  const std::string only = argc > 1 && argv[1][0] != '-' ? argv[1] : "";
  auto wanted = [&](const char* name) { return only.empty() || only == name; };

  // 1. Implicit FV: porous medium m = 2 in 2D, dt = 0.005 (far above the explicit h² limit).
  if (wanted("fv") && root) std::printf("\n| cells | steps | s/step | Newton/step | KSP/step |\n|---|---|---|---|---|\n");
  for (PetscInt n : {32, 64, 128}) {
    if (!wanted("fv")) break;
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
  if (wanted("blob") && root) std::printf("\n| lattice | particles | δ | s/step |\n|---|---|---|---|\n");
  for (long long lattice : {2500LL, 10000LL, 40000LL}) {
    if (!wanted("blob")) break;
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

  // 3. Cell list + halo (method blob) vs all pairs over the ring (method pairwise): the same blob
  // velocities, timed on every rank, best of 3; the crossover is the smallest particle count from which
  // the cell list wins.
  if (wanted("crossover") && root)
    std::printf("\n| lattice | particles | cell list s | pairwise (ring) s | pairwise/cell list |\n|---|---|---|---|---|\n");
  long long crossover = -1;
  bool cells_won_last = false;
  for (long long lattice : {64LL, 128LL, 256LL, 512LL, 1024LL, 2048LL, 4096LL, 16384LL}) {
    if (!wanted("crossover")) break;
    const auto c = porous2d(8, lattice);
    auto measure = make_measure(c.initial);
    const Grid grid(MPI_COMM_WORLD, c.domain, 1);
    const ParticleSet p = lattice_particles(*measure, c.domain, lattice, grid);
    const Mollifier phi = make_mollifier(2, 4.0 * lattice_spacing(c.domain, lattice));
    PointsView v("v", p.size(), 2);
    const LocalEnergy e = make_local_energy(c.energy);
    double t_cells = 1e300, t_pairs = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = now();
      blob_velocities(p, grid, e, phi, 0.0, v);
      MPI_Barrier(MPI_COMM_WORLD);
      t_cells = std::min(t_cells, now() - t0);
      t0 = now();
      blob_velocities_pairwise(p, MPI_COMM_WORLD, e, phi, v);
      MPI_Barrier(MPI_COMM_WORLD);
      t_pairs = std::min(t_pairs, now() - t0);
    }
    const long long np = global_count(p, MPI_COMM_WORLD);
    const bool cells_win = t_cells < t_pairs;
    if (cells_win && !cells_won_last) crossover = np;
    cells_won_last = cells_win;
    if (root) std::printf("| %lld | %lld | %.6f | %.6f | %.2f |\n", lattice, np, t_cells, t_pairs, t_pairs / t_cells);
  }
  if (wanted("crossover") && root) {
    if (crossover > 0)
      std::printf("crossover (%d rank(s)): cell lists faster from %lld particles on\n", size, crossover);
    else
      std::printf("crossover (%d rank(s)): not reached in this range\n", size);
  }

  // 4. Ring all-pairs interaction (log kernel) across ranks.
  if (wanted("ring") && root) std::printf("\n| particles | ring s |\n|---|---|\n");
  for (long long lattice : {1024LL, 4096LL, 16384LL}) {
    if (!wanted("ring")) break;
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
