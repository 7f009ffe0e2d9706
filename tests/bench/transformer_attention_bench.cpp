// Attention steps per second of the streaming ring kernel (one self_attention call = one step) for
// n tokens in dimension d: `transformer_attention_bench n d repeats`. Prints one line:
// n d ranks seconds_per_step steps_per_second gflops cpu_seconds_per_step (4d + 4 flop per pair: score,
// exp, value update). The CPU time (rank 0's process) is what to compare on a shared, loaded machine,
// where wall time also counts the other jobs' share of the cores.
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "measureflow/counter_rng.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/particles.hpp"
#include "models/transformer/self_attention.hpp"

using namespace mf;
using namespace mf::transformer;

int main(int argc, char** argv) {
  Environment env(argc, argv);
  const long long n = argc > 1 ? std::atoll(argv[1]) : 4000;
  const int d = argc > 2 ? std::atoi(argv[2]) : 2;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
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
  if (repeats > 1) self_attention(env.comm(), l, {}, x, w, g);  // warm-up; big sizes time one cold step
  MPI_Barrier(env.comm());
  const std::clock_t c0 = std::clock();
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < repeats; ++k) self_attention(env.comm(), l, {}, x, w, g);
  MPI_Barrier(env.comm());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / repeats;
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC / repeats;
  const double flops = double(n) * double(n) * (4.0 * d + 4.0);
  if (env.rank() == 0)
    std::printf("%lld %d %d %.6e %.4f %.3f %.6e\n", n, d, env.size(), s, 1.0 / s, flops / s * 1e-9, cpu);
  return 0;
}
