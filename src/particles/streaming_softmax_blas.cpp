// The host BLAS path of the streaming softmax for dot-product scores (declared in streaming_softmax.hpp):
// two DGEMMs per (target block, source block) around the running-maximum exponentials.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "measureflow/fast_exp.hpp"
#include "measureflow/streaming_softmax.hpp"

#ifdef MF_HAVE_CBLAS
#include <cblas.h>
#endif

namespace mf {

bool blas_softmax_available() {
#ifdef MF_HAVE_CBLAS
  return true;
#else
  return false;
#endif
}

namespace {
bool g_blas_enabled = true;
}  // namespace

bool blas_softmax_enabled() { return g_blas_enabled && blas_softmax_available(); }
void set_blas_softmax_enabled(const bool enabled) { g_blas_enabled = enabled; }

#ifdef MF_HAVE_CBLAS
namespace {

// One row of a score block: add c_j, clamp below at −1e300 (weight 0: log w = −inf), fold into the
// running state (m, l, es) and the accumulated values, leave e^{s − m} in the row for the value product.
// The same arithmetic per row as softmax_accumulate_portable's chunk step, on a longer chunk.
inline void fold_row(double* s, const double* c, const int jn, double& m, double& l, double& es, double* acc,
                     const int dv) {
  double cmax = -1e300;
#pragma omp simd reduction(max : cmax)
  for (int jj = 0; jj < jn; ++jj) {
    double v = c[jj] + s[jj];
    v = v > -1e300 ? v : -1e300;
    s[jj] = v;
    cmax = v > cmax ? v : cmax;
  }
  if (!(cmax > -1e300)) {  // a block of zero-weight sources: contributes nothing
    std::fill(s, s + jn, 0.0);
    return;
  }
  if (cmax > m) {  // new maximum: rescale what was summed so far (m = −inf at first: r = 0)
    const double r = DotProductScore::rescale(m - cmax);
    l *= r;
    es *= r;
    for (int k = 0; k < dv; ++k) acc[k] *= r;
    m = cmax;
  }
  const double mt = m;
  double lt = l, est = es;
#pragma omp simd reduction(+ : lt, est)
  for (int jj = 0; jj < jn; ++jj) {
    const double e = mf::fast_exp(s[jj] - mt);
    lt += e;
    est += e * s[jj];
    s[jj] = e;
  }
  l = lt;
  es = est;
}

}  // namespace
#endif

void softmax_accumulate_blas(const DotProductScore& score, const int n_targets, const int n_sources,
                             const SoftmaxState& st, const BlasSoftmaxBlocks blocks) {
#ifndef MF_HAVE_CBLAS
  (void)score, (void)n_targets, (void)n_sources, (void)st, (void)blocks;
  throw std::logic_error("softmax_accumulate_blas: MeasureFlow was built without a CBLAS (libopenblas-dev)");
#else
  if (n_targets <= 0 || n_sources <= 0) return;
  const int d = score.score_dim, dv = score.value_dim;
  const int bt = std::max(1, blocks.targets), bs = std::max(1, blocks.sources);
  const auto a = score.a;
  const auto b = score.b;
  const auto mx = st.max;
  const auto sum = st.sum;
  const auto sc = st.score;
  const auto acc = st.acc;
  const int lda = static_cast<int>(a.stride(0));
  const int ldb = static_cast<int>(b.stride(0));
  const int ldacc = dv > 0 ? static_cast<int>(acc.stride(0)) : 1;
  const int dc = d + dv;  // column of c = log weight + potential
  const int tiles = (n_targets + bt - 1) / bt;
  // One task per target block; each owns its score block, so host back-ends with threads (OpenMP) run
  // the blocks side by side with a single-threaded BLAS inside (the environment sets OpenBLAS to one
  // thread per rank). A plain host lambda: this code only ever runs on a host execution space.
  Kokkos::parallel_for(
      "mf::softmax::accumulate_blas", Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, tiles),
      [=](const int tile) {
        const int i0 = tile * bt;
        const int tn = std::min(bt, n_targets - i0);
        std::vector<double> s(static_cast<std::size_t>(tn) * bs), c(bs);
        std::vector<double> m(tn), l(tn), es(tn);
        for (int t = 0; t < tn; ++t) {
          m[t] = mx(i0 + t);
          l[t] = sum(i0 + t);
          es[t] = sc(i0 + t);
        }
        for (int j0 = 0; j0 < n_sources; j0 += bs) {
          const int jn = std::min(bs, n_sources - j0);
          for (int jj = 0; jj < jn; ++jj) c[jj] = b(j0 + jj, dc);
          // S = A_block B_blockᵀ: tn × jn scores without c.
          cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, tn, jn, d, 1.0, &a(i0, 0), lda, &b(j0, 0), ldb, 0.0,
                      s.data(), jn);
          for (int t = 0; t < tn; ++t)
            fold_row(s.data() + static_cast<std::size_t>(t) * jn, c.data(), jn, m[t], l[t], es[t],
                     dv > 0 ? &acc(i0 + t, 0) : nullptr, dv);
          // acc_block += E V_block.
          if (dv > 0)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, tn, dv, jn, 1.0, s.data(), jn, &b(j0, d), ldb, 1.0,
                        &acc(i0, 0), ldacc);
        }
        for (int t = 0; t < tn; ++t) {
          mx(i0 + t) = m[t];
          sum(i0 + t) = l[t];
          sc(i0 + t) = es[t];
        }
      });
  Kokkos::fence();
#endif
}

}  // namespace mf
