// One core's double-precision peak, measured two ways (the denominator of the attention benchmark's
// "% of peak"):
//   fma:   a loop of independent FMAs of the build's widest vector (AVX-512: 8 doubles): flop/cycle × the clock the core actually runs at, with no memory traffic;
//   dgemm: OpenBLAS's DGEMM on n × n matrices (n = 2048 by default), the best a tuned kernel reaches.
// Prints "fma GFLOP/s" and "dgemm GFLOP/s" as medians over `repeats`, from this process's CPU time (so a
// shared machine's other jobs do not count against it). One rank, OpenBLAS single-threaded (Environment).
//   cpu_peak_bench [n] [repeats]
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "measureflow/environment.hpp"

#ifdef MF_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace {

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The widest FMA the build targets, as intrinsics: the C++17 build does not contract a*b + c into an FMA
// (-ffp-contract=off outside GNU mode), so plain vector arithmetic would time separate multiplies and adds.
#if defined(__AVX512F__)
using Vec = __m512d;
constexpr int kLanes = 8;
inline Vec vset(double x) { return _mm512_set1_pd(x); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm512_fmadd_pd(a, b, c); }
inline double vsum(Vec a) { return _mm512_reduce_add_pd(a); }
#elif defined(__FMA__)
using Vec = __m256d;
constexpr int kLanes = 4;
inline Vec vset(double x) { return _mm256_set1_pd(x); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_pd(a, b, c); }
inline double vsum(Vec a) {
  alignas(32) double t[4];
  _mm256_store_pd(t, a);
  return t[0] + t[1] + t[2] + t[3];
}
#else
using Vec = double;
constexpr int kLanes = 1;
inline Vec vset(double x) { return x; }
inline Vec vfma(Vec a, Vec b, Vec c) { return std::fma(a, b, c); }
inline double vsum(Vec a) { return a; }
#endif

// 12 independent accumulators hide the FMA latency (4 cycles × 2 pipes; 32 vector registers with AVX-512).
double fma_gflops(long iterations) {
  constexpr int kAcc = 12;
  Vec acc[kAcc];
  for (int k = 0; k < kAcc; ++k) acc[k] = vset(1.0 + 1e-3 * k);
  const Vec mul = vset(0.999999), add = vset(1e-7);
  const double t0 = cpu_seconds();
  for (long it = 0; it < iterations; ++it)
    for (int k = 0; k < kAcc; ++k) acc[k] = vfma(acc[k], mul, add);
  const double s = cpu_seconds() - t0;
  double sink = 0.0;
  for (int k = 0; k < kAcc; ++k) sink += vsum(acc[k]);
  if (sink == 42.0) std::printf("#\n");  // uses the result, so the loop is kept
  return 2.0 * kLanes * kAcc * double(iterations) / s * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  mf::Environment env(argc, argv);
  const int n = argc > 1 ? std::atoi(argv[1]) : 2048;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::vector<double> fma;
  for (int r = 0; r < repeats; ++r) fma.push_back(fma_gflops(50'000'000));
  std::printf("fma %.2f\n", median(fma));
#ifdef MF_HAVE_OPENBLAS
  std::vector<double> a(std::size_t(n) * n), b(a.size()), c(a.size(), 0.0), gemm;
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = 1.0 / double(i % 7 + 1);
    b[i] = 1.0 / double(i % 5 + 1);
  }
  for (int r = 0; r < repeats; ++r) {
    const double t0 = cpu_seconds();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n, b.data(), n, 0.0, c.data(), n);
    gemm.push_back(2.0 * double(n) * n * n / (cpu_seconds() - t0) * 1e-9);
  }
  std::printf("dgemm %.2f\n", median(gemm));
  std::printf("openblas %s\n", openblas_get_config());
#else
  std::printf("dgemm not built (no OpenBLAS)\n");
#endif
  return 0;
}
