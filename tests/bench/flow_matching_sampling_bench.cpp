// Sampling benchmark of the flow-matching model's exact data-set field: n particles of N(0, I) through
// the field of N data points (moons), `steps` Euler steps (one field evaluation each: the streaming
// softmax over the data blocks of the ranks). Prints, on rank 0:
//   mf n N d ranks seconds_per_eval GFLOP/s cpu_seconds_per_eval (median over the repeats)
// Flop per (particle, data point) pair: 4d + 4 (score dot 2d, value update 2d, shift + exp + sum +
// weight 4; exp counted as 1). Usage: bench_flow_matching_sampling_bench n N steps repeats
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "measureflow/environment.hpp"
#include "models/flow_matching/exact_fields.hpp"
#include "models/flow_matching/flow_matching_views.hpp"

using namespace mf;
using namespace mf::flow_matching;

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const long long n = argc > 1 ? std::atoll(argv[1]) : 100000;
  const long long N = argc > 2 ? std::atoll(argv[2]) : 10000;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 4;
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
  FlowMatchingConfig c;
  c.dim = 2;
  c.initial.type = "gaussian";
  c.initial.dim = 2;
  c.initial.mean = {0.0, 0.0};
  c.initial.cov = Matrix::identity(2);
  c.target.kind = TargetKind::Dataset;
  c.target.name = DatasetName::Moons;
  c.target.samples = N;
  const auto field = make_exact_field(MPI_COMM_WORLD, c);
  std::vector<double> wall, cpu;
  for (int r = 0; r < repeats; ++r) {
    ParticleSet p = sample_source(MPI_COMM_WORLD, gaussian_source(c.initial), n, 42);
    FieldPoints k[4], stage("stage", p.size(), 2);
    for (auto& v : k) v = FieldPoints("k", p.size(), 2);
    MPI_Barrier(MPI_COMM_WORLD);
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    // Stop one step short of t = 1: every step is a full-cost softmax evaluation.
    for (int s = 0; s < steps; ++s) ode_step(*field, Integrator::Euler, s / (steps + 1.0), 1.0 / (steps + 1.0), p.positions, k, stage);
    MPI_Barrier(MPI_COMM_WORLD);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps);
    cpu.push_back(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC / steps);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  const double s = wall[wall.size() / 2];
  const double gflops = static_cast<double>(n) * static_cast<double>(N) * (4.0 * 2 + 4.0) / s * 1e-9;
  if (env.rank() == 0)
    std::printf("mf %lld %lld 2 %d %.6f %.3f %.6f\n", n, N, env.size(), s, gflops, cpu[cpu.size() / 2]);
  return 0;
}
