// The one streaming softmax (online log-sum-exp) kernel of the code: for each target i and the sources j
// of a block,
//   Z_i = Σ_j exp(s_ij),  acc_i = Σ_j exp(s_ij) v_j,  ⟨s⟩_i = Σ_j exp(s_ij) s_ij   (all relative to max_i),
// accumulated chunk by chunk with a running maximum so no score matrix is stored and nothing overflows.
// The log-weight s_ij comes from a score policy, so each user keeps its arithmetic:
//   DotProductScore       s_ij = a_i·b_j + c_j                       attention (transformer)
//   SquaredDistanceScore  s_ij = lw_j + (pot_j [+ pot_i] − |x_i − y_j|²)/ε   entropic OT (Sinkhorn softmin,
//                         barycentric projection) and the flow-matching field of a data set (values = points)
// Distributed sums take the sources around the ring (ring_exchange.hpp).
#pragma once
#include <Kokkos_Core.hpp>
#include <cmath>
#include <limits>
#include <type_traits>

#include "measureflow/fast_exp.hpp"
#include "measureflow/kokkos_math.hpp"
#include "measureflow/ring_exchange.hpp"

namespace mf {

using TokenView = Kokkos::View<double**, Kokkos::LayoutRight>;  // n_local × width (tokens, queries, data points)
using ScalarView = Kokkos::View<double*>;
// Points as columns [x_1 .. x_d, log weight, potential]: for a fixed coordinate a block's points are
// contiguous, so the distance loops read unit-stride memory and vectorise over the points.
using PointBlock = Kokkos::View<double**, Kokkos::LayoutLeft>;

// Per-target running state of the online softmax.
struct SoftmaxState {
  ScalarView max;     // running max of the scores (−inf before the first source; unused with a fixed shift)
  ScalarView sum;     // Σ exp(s − max)
  ScalarView score;   // Σ exp(s − max) s, for the attention entropy (policies with kTrackScore)
  TokenView acc;      // Σ exp(s − max) v
  SoftmaxState() = default;
  SoftmaxState(std::size_t n, int value_dim)
      : max("mf::softmax::max", n), sum("mf::softmax::sum", n), score("mf::softmax::score", n),
        acc("mf::softmax::acc", n, value_dim) {
    Kokkos::deep_copy(max, -std::numeric_limits<double>::infinity());
  }
};

// Running: the usual online log-sum-exp. Fixed: the scores are already shifted by a known value (Sinkhorn's
// previous potential), so each sum is O(1) near convergence: one exp per pair and no maximum or rescaling.
// The caller checks the sums stayed in range and falls back to Running when one did not.
enum class SoftmaxShift { Running, Fixed };

// Attention scores. Source rows (row-major): [ b (score_dim) | v (value_dim) | c ], c = log weight +
// any potential; targets a: n_targets × score_dim.
struct DotProductScore {
  // Targets are taken in tiles of 8: every chunk of sources is used by all targets of a tile while it
  // sits in cache. Without it each target streams the whole block (16 000 × 129 doubles = 16.5 MB at
  // d = 64) and the kernel is memory-bound at large d. Sources in chunks of 32: scores of a chunk first,
  // one rescale per chunk if its maximum is new, then branch-free exponentials and value sums.
  static constexpr int kTargetTile = 8;
  static constexpr int kChunk = 32;
  static constexpr bool kTrackScore = true;
  using memory_space = TokenView::memory_space;
  TokenView a;
  RingBlock b;
  int score_dim = 0, value_dim = 0;
  // s[jj] = s_{i, j0+jj} for jj < jn; with kMax, also their maximum, each score clamped below at −1e300
  // (weight 0, log w = −inf: then e = 0 and e·s = 0, never NaN). Scoring and maximum in one pass, with
  // plain comparisons rather than fmax so the loop stays inline.
  template <bool kMax>
  KOKKOS_INLINE_FUNCTION double scores(const int i, const int j0, const int jn, double* s) const {
    const int ds = score_dim, dc = score_dim + value_dim;  // dc: the column of c
    double cmax = -1e300;
    for (int jj = 0; jj < jn; ++jj) {
      // Four partial sums: independent chains the compiler can pipeline (no -ffast-math needed).
      double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0;
      int k = 0;
      for (; k + 3 < ds; k += 4) {
        p0 += a(i, k) * b(j0 + jj, k);
        p1 += a(i, k + 1) * b(j0 + jj, k + 1);
        p2 += a(i, k + 2) * b(j0 + jj, k + 2);
        p3 += a(i, k + 3) * b(j0 + jj, k + 3);
      }
      for (; k < ds; ++k) p0 += a(i, k) * b(j0 + jj, k);
      double v = b(j0 + jj, dc) + ((p0 + p1) + (p2 + p3));
      if (kMax) {
        v = v > -1e300 ? v : -1e300;
        cmax = v > cmax ? v : cmax;
      }
      s[jj] = v;
    }
    return cmax;
  }
  KOKKOS_INLINE_FUNCTION double value(const int j, const int k) const { return b(j, score_dim + k); }
  // exp(m_old − m_new) when a chunk brings a new maximum.
  KOKKOS_INLINE_FUNCTION static double rescale(const double x) { return mf::fast_exp(x); }
};

// Entropic-OT scores over column-major point blocks (PointBlock): targets x = local rows, sources y =
// block rows; with_own adds the target's own potential (the Fixed shift of Sinkhorn's fast path).
// Values are the source points themselves (barycentric projection, flow-matching data field).
struct SquaredDistanceScore {
  // One target at a time; sources in tiles of 128, whose costs live on the stack (1 KiB, in L1). That
  // splits the "sum over coordinates" loop, whose length is the runtime dimension, from the "exp and
  // add" loop, so both vectorise over j for any d.
  static constexpr int kTargetTile = 1;
  static constexpr int kChunk = 128;
  static constexpr bool kTrackScore = false;
  using memory_space = PointBlock::memory_space;
  PointBlock x, y;
  int dim = 0;
  double inv_eps = 1.0;
  bool with_own = false;
  // c[jj] = |x_i − y_{j0+jj}|² for jj < len.
  KOKKOS_INLINE_FUNCTION void costs(const int i, const int j0, const int len, double* c) const {
    for (int jj = 0; jj < len; ++jj) c[jj] = 0.0;
    for (int k = 0; k < dim; ++k) {
      const double xk = x(i, k);
      const double* yk = &y(j0, k);
#pragma omp simd
      for (int jj = 0; jj < len; ++jj) {
        const double t = xk - yk[jj];
        c[jj] += t * t;
      }
    }
  }
  // s[jj] = s_{i, j0+jj} for jj < len; with kMax, also their maximum (scores clamped as DotProductScore's).
  // Adding a zero shift when !with_own leaves every score's bits as (pot − C) alone would give.
  template <bool kMax>
  KOKKOS_INLINE_FUNCTION double scores(const int i, const int j0, const int len, double* s) const {
    costs(i, j0, len, s);
    const double* lw = &y(j0, dim);
    const double* pot = &y(j0, dim + 1);
    const double own = with_own ? x(i, dim + 1) : 0.0;
    const double ie = inv_eps;
    double tmax = -1e300;
    if (kMax) {
#pragma omp simd reduction(max : tmax)
      for (int jj = 0; jj < len; ++jj) {
        double v = lw[jj] + (pot[jj] + own - s[jj]) * ie;
        v = v > -1e300 ? v : -1e300;
        s[jj] = v;
        tmax = v > tmax ? v : tmax;
      }
    } else {
#pragma omp simd
      for (int jj = 0; jj < len; ++jj) s[jj] = lw[jj] + (pot[jj] + own - s[jj]) * ie;
    }
    return tmax;
  }
  KOKKOS_INLINE_FUNCTION double value(const int j, const int k) const { return y(j, k); }
  // Once per tile of 128 (rare once the maximum has settled): libm's exp.
  KOKKOS_INLINE_FUNCTION static double rescale(const double x) { return kmath::exp(x); }
};

// The portable kernel: folds sources [0, n_sources) of the policy's block into the state of targets
// [0, n_targets). st.acc has one column per value component (0 columns: no values). Per target the order
// of the operations does not depend on the tiling, so results do not depend on kTargetTile. Runs on any
// execution space; softmax_accumulate below picks it or the host BLAS path.
template <SoftmaxShift kShift = SoftmaxShift::Running, class Score, class ExecSpace = Kokkos::DefaultExecutionSpace>
void softmax_accumulate_portable(const Score& score, const int n_targets, const int n_sources, const SoftmaxState& st) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, ScalarView::memory_space>::accessible,
                "softmax_accumulate: the state must live where the kernel runs");
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, typename Score::memory_space>::accessible,
                "softmax_accumulate: the score's blocks must live where the kernel runs");
  constexpr int kTile = Score::kTargetTile;
  constexpr int kChunk = Score::kChunk;
  constexpr bool kRunning = kShift == SoftmaxShift::Running;
  constexpr bool kTrack = Score::kTrackScore;
  auto mx = st.max;
  auto sum = st.sum;
  auto sc = st.score;
  auto acc = st.acc;
  const int dv = static_cast<int>(acc.extent(1));
  const int nb = n_sources, nt = n_targets;
  const int tiles = (nt + kTile - 1) / kTile;
  Kokkos::parallel_for(
      kRunning ? "mf::softmax::accumulate" : "mf::softmax::accumulate_shifted", Kokkos::RangePolicy<ExecSpace>(0, tiles),
      KOKKOS_LAMBDA(const int tile) {
        const int i0 = tile * kTile;
        const int tn = nt - i0 < kTile ? nt - i0 : kTile;
        double m[kTile], l[kTile], es[kTile];
        // A fixed shift needs no merge with the state: this block's sums start at 0 and are added at the end.
        for (int t = 0; t < tn; ++t) {
          m[t] = kRunning ? mx(i0 + t) : 0.0;
          l[t] = kRunning ? sum(i0 + t) : 0.0;
          es[t] = kTrack && kRunning ? sc(i0 + t) : 0.0;
        }
        double s[kChunk];
        for (int j0 = 0; j0 < nb; j0 += kChunk) {
          const int jn = nb - j0 < kChunk ? nb - j0 : kChunk;
          for (int t = 0; t < tn; ++t) {
            const int i = i0 + t;
            const double cmax = score.template scores<kRunning>(i, j0, jn, s);
            if (kRunning) {
              if (!(cmax > -1e300)) continue;  // a chunk of zero-weight sources
              if (cmax > m[t]) {               // new maximum: rescale what was summed so far
                const double r = Score::rescale(m[t] - cmax);  // m = −inf on the first chunk: r = 0
                l[t] *= r;
                es[t] *= r;
                for (int k = 0; k < dv; ++k) acc(i, k) *= r;
                m[t] = cmax;
              }
            }
            // One exp per pair is the cost at small d: fast_exp is plain arithmetic (libm's exp is an
            // opaque call), so with the reduction declared the loop runs in vector lanes.
            const double mt = m[t];
            double lt = l[t], est = es[t];
            if (kTrack) {
#pragma omp simd reduction(+ : lt, est)
              for (int jj = 0; jj < jn; ++jj) {
                const double e = mf::fast_exp(s[jj] - mt);
                lt += e;
                est += e * s[jj];
                s[jj] = e;
              }
            } else if (kRunning) {
#pragma omp simd reduction(+ : lt)
              for (int jj = 0; jj < jn; ++jj) {
                const double e = mf::fast_exp(s[jj] - mt);
                lt += e;
                s[jj] = e;
              }
            } else {
#pragma omp simd reduction(+ : lt)
              for (int jj = 0; jj < jn; ++jj) {
                const double e = mf::fast_exp(s[jj]);
                lt += e;
                s[jj] = e;
              }
            }
            l[t] = lt;
            es[t] = est;
            for (int jj = 0; jj < jn; ++jj)
              for (int k = 0; k < dv; ++k) acc(i, k) += s[jj] * score.value(j0 + jj, k);
          }
        }
        for (int t = 0; t < tn; ++t) {
          if (kRunning) {
            mx(i0 + t) = m[t];
            sum(i0 + t) = l[t];
            if (kTrack) sc(i0 + t) = es[t];
          } else {
            sum(i0 + t) += l[t];
            if (kTrack) sc(i0 + t) += es[t];
          }
        }
      });
  Kokkos::fence();
}

// The host BLAS path for dot-product scores (src/particles/streaming_softmax_blas.cpp): the
// flash-attention pattern on CPUs. Per block of targets and block of sources: scores S = A Bᵀ by one
// matrix product (DGEMM), then per row the running maximum, the rescale and the vectorised exponentials
// (S ← e^{S − max}), then acc += S V by a second product; the score matrix is one block (targets × sources
// 128 × 256 doubles), never n × n. Same per-row arithmetic as the portable kernel except the order of the
// dot-product sums, so the two agree to rounding (1e-12 relative, tested).
// Why: at large d the two products are ~all the flops, and a tuned DGEMM runs them near the core's peak
// (register and cache blocking, packing) where the portable loop is limited by loads; at small d the
// exp pass over a whole row of a block vectorises better than the portable kernel's 32-source chunks.
struct BlasSoftmaxBlocks {
  // 128 × 256 doubles = 256 KiB: the score block stays in L2 between the two products. Measured at
  // d = 64, n = 16 000 (tests/bench/streaming_softmax_blas_bench.cpp, CPU s): 128 × 256 1.92, 128 × 512
  // 1.97, 256 × 256 1.93, 256 × 512 1.95, 128 × 1024 2.08, 64 × 512 2.22 (load average ≈ 9).
  int targets = 128;  // rows of a score block
  int sources = 256;  // columns of a score block
};
// Dot-product score dimension from which softmax_accumulate takes the BLAS path. Measured on the
// development machine (AMD EPYC Zen 4, OpenBLAS 0.3.21, n = 8000 targets × sources, CPU seconds;
// tests/bench/streaming_softmax_blas_bench.cpp): the BLAS path is 4–5× faster than the portable kernel at
// every d from 1 to 64 (d = 1: 0.098 vs 0.465 s; d = 8: 0.131 vs 0.519 s; d = 32: 0.30 vs 1.38 s), since
// its per-row exp pass vectorises over a whole block and the value sums are a GEMM; so it is taken from
// d = 1. Kept as a constant so a machine where short products do not pay can raise it.
constexpr int kBlasSoftmaxMinDim = 1;
// True when the library was built with a CBLAS (MF_HAVE_CBLAS; OpenBLAS from Debian's libopenblas-dev).
bool blas_softmax_available();
// Whether softmax_accumulate may take the BLAS path (default: when available). Benchmarks switch it off
// to time the portable kernel in the same run; not thread-safe, set it before any kernel runs.
bool blas_softmax_enabled();
void set_blas_softmax_enabled(bool enabled);
// The running-maximum accumulation of DotProductScore on the host with BLAS products; the state and the
// score's views must be host-accessible. Throws std::logic_error when built without CBLAS.
void softmax_accumulate_blas(const DotProductScore& score, int n_targets, int n_sources, const SoftmaxState& st,
                             BlasSoftmaxBlocks blocks = {});

// Folds sources [0, n_sources) of the policy's block into the state of targets [0, n_targets): the BLAS
// path for dot-product scores with score_dim ≥ kBlasSoftmaxMinDim on a host execution space (when built
// with CBLAS and not switched off), the portable Kokkos kernel otherwise (fixed shift, squared-distance
// scores, device execution spaces, builds without BLAS).
template <SoftmaxShift kShift = SoftmaxShift::Running, class Score, class ExecSpace = Kokkos::DefaultExecutionSpace>
void softmax_accumulate(const Score& score, const int n_targets, const int n_sources, const SoftmaxState& st) {
  if constexpr (kShift == SoftmaxShift::Running && std::is_same_v<Score, DotProductScore> &&
                Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible &&
                Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename Score::memory_space>::accessible &&
                Kokkos::SpaceAccessibility<Kokkos::HostSpace, ScalarView::memory_space>::accessible) {
    if (score.score_dim >= kBlasSoftmaxMinDim && blas_softmax_enabled()) {
      softmax_accumulate_blas(score, n_targets, n_sources, st);
      return;
    }
  }
  softmax_accumulate_portable<kShift, Score, ExecSpace>(score, n_targets, n_sources, st);
}

// Attention's source layout: [ b (score_dim) | v (value_dim) | c ].
struct SourceLayout {
  int score_dim = 0;
  int value_dim = 0;
  int width() const { return score_dim + value_dim + 1; }
};

// The whole distributed dot-product pass: sources travel around the ring of `comm`, every target sees
// every source. a: n_targets × score_dim.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
SoftmaxState streaming_softmax(MPI_Comm comm, const TokenView& a, const RingBlock& sources, SourceLayout layout) {
  SoftmaxState st(a.extent(0), layout.value_dim);
  const int nt = static_cast<int>(a.extent(0));
  ring_visit(comm, sources, [&](const RingBlock& block, int rows, int) {
    softmax_accumulate<SoftmaxShift::Running, DotProductScore, ExecSpace>(
        DotProductScore{a, block, layout.score_dim, layout.value_dim}, nt, rows, st);
  });
  return st;
}

}  // namespace mf
