// The dot-product streaming softmax kernel alone, one rank, n targets × n sources in dimension d (values
// of dimension d): the BLAS path with a given block shape beside the portable Kokkos kernel on the same
// data. Used to choose BlasSoftmaxBlocks; the full attention step is timed by transformer_attention_bench.
//   streaming_softmax_blas_bench n d repeats target_block source_block [portable]
// Prints: path n d bt bs median_cpu_seconds_per_call GFLOP/s_of_cpu_time (4d + 4 flop per pair, as the step's
// benchmark). CPU time (this process), so the figure holds on a machine shared with other jobs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "measureflow/counter_rng.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/streaming_softmax.hpp"

using namespace mf;

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const int n = argc > 1 ? std::atoi(argv[1]) : 16000;
  const int d = argc > 2 ? std::atoi(argv[2]) : 64;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const BlasSoftmaxBlocks blocks{argc > 4 ? std::atoi(argv[4]) : 128, argc > 5 ? std::atoi(argv[5]) : 512};
  const bool portable = argc > 6 && std::string(argv[6]) == "portable";
  TokenView a("a", n, d);
  RingBlock b("b", n, 2 * d + 1);
  const double q = std::pow(double(d), -0.25);  // scores of order one, as the step's benchmark
  for (int i = 0; i < n; ++i) {
    const CounterRng rng(1, static_cast<std::uint64_t>(i));
    for (int k = 0; k < d; ++k) {
      const double x = rng.normal(k);
      a(i, k) = q * x;
      b(i, k) = q * x;
      b(i, d + k) = x;
    }
    b(i, 2 * d) = -std::log(double(n));
  }
  const DotProductScore score{a, b, d, d};
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    SoftmaxState st(n, d);
    const std::clock_t c0 = std::clock();
    if (portable)
      softmax_accumulate_portable<SoftmaxShift::Running>(score, n, n, st);
    else
      softmax_accumulate_blas(score, n, n, st, blocks);
    const double s = double(std::clock() - c0) / CLOCKS_PER_SEC;
    seconds.push_back(s);
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  const double flops = double(n) * double(n) * (4.0 * d + 4.0);
  std::printf("%s %d %d %d %d %.4f %.2f\n", portable ? "portable" : "blas", n, d, blocks.targets, blocks.sources, median,
              flops / median * 1e-9);
  return 0;
}
