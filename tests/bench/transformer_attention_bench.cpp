// One softmax self-attention step (one self_attention call) for n tokens in dimension d:
//   transformer_attention_bench n d repeats [portable]
// "portable" switches the BLAS path of the dot-product kernel off (set_blas_softmax_enabled(false)), so
// the portable Kokkos kernel is timed on the same tokens in the same run. Prints one line:
//   n d ranks median_wall_s median_cpu_s path
// median_cpu_s: the CPU seconds of all ranks together per step (each rank's process CPU time, summed),
// so flop / median_cpu_s is the rate per core while running: what to compare on a shared, loaded machine,
// where wall time also counts the other jobs' share of the cores. One untimed warm-up step first.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "measureflow/counter_rng.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/particles.hpp"
#include "models/transformer/self_attention.hpp"

using namespace mf;
using namespace mf::transformer;

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const long long n = argc > 1 ? std::atoll(argv[1]) : 4000;
  const int d = argc > 2 ? std::atoi(argv[2]) : 2;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const bool portable = argc > 4 && std::string(argv[4]) == "portable";
  if (portable) set_blas_softmax_enabled(false);
  const IdRange r = id_block(n, env.rank(), env.size());
  TokenView x("x", r.count, d), g("g", r.count, d);
  ScalarView w("w", r.count);
  for (long long i = 0; i < r.count; ++i) {
    const CounterRng rng(1, r.first + i);
    for (int a = 0; a < d; ++a) x(i, a) = rng.normal(a);
    w(i) = 1.0 / n;
  }
  // Scores of order one, as in a trained layer: Q = K = d^{-1/4} I, V = I.
  const AttentionLayer l = make_preset({"identity", 1.0 / std::sqrt(double(d)), 1}, d);
  self_attention(env.comm(), l, {}, x, w, g);  // warm-up
  std::vector<double> wall, cpu;
  for (int k = 0; k < repeats; ++k) {
    MPI_Barrier(env.comm());
    const std::clock_t c0 = std::clock();
    const auto t0 = std::chrono::steady_clock::now();
    self_attention(env.comm(), l, {}, x, w, g);
    const double my_cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    MPI_Barrier(env.comm());
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    double all_cpu = 0.0;
    MPI_Allreduce(&my_cpu, &all_cpu, 1, MPI_DOUBLE, MPI_SUM, env.comm());
    cpu.push_back(all_cpu);
  }
  const bool blas = !portable && d >= kBlasSoftmaxMinDim && blas_softmax_enabled();
  if (env.rank() == 0)
    std::printf("%lld %d %d %.6e %.6e %s\n", n, d, env.size(), median(wall), median(cpu), blas ? "blas" : "portable");
  return 0;
}
