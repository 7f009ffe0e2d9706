// One full-batch gradient-descent step of the mean_field model (outputs at the data with one Allreduce,
// every neuron's velocity, the Euler update) for n neurons, N samples, d inputs, d' = 1, ReLU: median
// wall and CPU seconds over `reps` steps. Run by mean_field_step_bench.sh beside the NumPy peer.
// Usage: bench_mean_field_step_bench n N d reps
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <vector>

#include "mean_field_fixtures.hpp"
#include "measureflow/environment.hpp"

using namespace mf;
using namespace mf::mean_field;

int main(int argc, char** argv) {
  Environment env(argc, argv);
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s n N d reps\n", argv[0]);
    return 2;
  }
  const long long n = std::atoll(argv[1]), N = std::atoll(argv[2]);
  const int d = std::atoi(argv[3]), reps = std::atoi(argv[4]);
  DataSpec spec;
  spec.kind = DataKind::Teacher;
  spec.dim = d;
  spec.outputs = 1;
  spec.samples = N;
  spec.teacher_neurons = 4;
  ParticleSet neurons = testing::random_neurons(MPI_COMM_WORLD, n, d + 1, 1.0 / std::sqrt(static_cast<double>(d)), 3);
  MeanFieldLagrangian view(std::make_shared<NetworkEvaluator>(MPI_COMM_WORLD, make_training_data(spec, false),
                                                              Activation::Relu),
                           neurons, ParticleIntegrator::Euler, 1e-3);
  view.advance(0.0, 1e-3);  // warm-up (allocations)
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    const std::clock_t c0 = std::clock();
    view.advance(0.0, 1e-3);
    MPI_Barrier(MPI_COMM_WORLD);
    wall.push_back(MPI_Wtime() - t0);
    cpu.push_back(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  const double risk = view.risk();  // collective: every rank
  if (env.rank() == 0) std::printf("%.6f %.6f %.10g\n", wall[reps / 2], cpu[reps / 2], risk);
  return 0;
}
