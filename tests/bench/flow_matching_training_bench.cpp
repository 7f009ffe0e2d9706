// Training a learned flow-matching field, N(0, I) → eight Gaussians in 2D: wall time, CPU time and
// GFLOP/s (from the model flop count of TrainingReport::flops) of mf::fields::train_learned_field.
//   flow_matching_training_bench basis size pairs epochs batch [repeats]
// basis: affine | random_features | mlp. Prints one line per run on rank 0:
//   mf basis size pairs epochs ranks seconds GFLOP/s cpu_seconds loss
// Not a ctest: tests/bench/flow_matching_training_bench.sh runs it beside NumPy and PyTorch.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "learned_field_fixtures.hpp"
#include "measureflow/environment.hpp"

int main(int argc, char** argv) {
  mf::Environment env(argc, argv);
  if (argc < 6) {
    if (env.rank() == 0)
      std::fprintf(stderr, "usage: %s affine|random_features|mlp size pairs epochs batch [repeats]\n", argv[0]);
    return 2;
  }
  const std::string basis = argv[1];
  const int size = std::stoi(argv[2]), epochs = std::stoi(argv[4]), batch = std::stoi(argv[5]);
  const long long pairs = std::stoll(argv[3]);
  const int repeats = argc > 6 ? std::stoi(argv[6]) : 3;
  const mf::fields::BasisType type = basis == "mlp"      ? mf::fields::BasisType::Mlp
                                     : basis == "affine" ? mf::fields::BasisType::Affine
                                                         : mf::fields::BasisType::RandomFeatures;
  mf::testing::MixturePairSource src({0.0, 0.0}, mf::Matrix::identity(2), mf::testing::eight_gaussians(), pairs);
  mf::fields::TrainingConfig tc;
  tc.pairs = pairs;
  tc.epochs = epochs;
  tc.batch = batch;
  tc.learning_rate = 3e-3;
  std::vector<double> wall, cpu;
  mf::fields::TrainingReport rep;
  for (int r = 0; r < repeats; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    const std::clock_t c0 = std::clock();
    mf::fields::train_learned_field(MPI_COMM_WORLD, {type, size}, tc, {}, src, &rep);
    cpu.push_back(double(std::clock() - c0) / CLOCKS_PER_SEC);
    wall.push_back(rep.seconds);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  const double med = wall[wall.size() / 2], med_cpu = cpu[cpu.size() / 2];
  if (env.rank() == 0)
    std::printf("mf %s %d %lld %d %d %.4f %.3f %.4f %.5f\n", basis.c_str(), size, pairs, epochs, env.size(), med,
                rep.flops / med * 1e-9, med_cpu, rep.final_loss);
  return 0;
}
