// Streaming (online log-sum-exp) softmax averages over blocks of weighted sources: for each target i,
//   Z_i = Σ_j exp(a_i·b_j + c_j),  mean_i = Σ_j exp(a_i·b_j + c_j) v_j / Z_i,  ⟨s⟩_i likewise for the score,
// accumulated block by block with a running maximum so no score matrix is stored and nothing overflows.
// Shared by every softmax-weighted all-pairs sum: attention (transformer), the flow-matching field of a
// data set (a softmax over data points), and entropic OT.
#pragma once
#include <Kokkos_Core.hpp>
#include <cmath>
#include <limits>

#include "measureflow/fast_exp.hpp"
#include "measureflow/ring_exchange.hpp"

namespace mf {

using TokenView = Kokkos::View<double**, Kokkos::LayoutRight>;  // n_local × width (tokens, queries, data points)
using ScalarView = Kokkos::View<double*>;

// Layout of a source row: [ b (score_dim) | v (value_dim) | c ]; c = log weight + any potential.
struct SourceLayout {
  int score_dim = 0;
  int value_dim = 0;
  int width() const { return score_dim + value_dim + 1; }
};

// Per-target running state of the online softmax.
struct SoftmaxState {
  ScalarView max;     // running max of the scores (−inf before the first source)
  ScalarView sum;     // Σ exp(s − max)
  ScalarView score;   // Σ exp(s − max) s, for the attention entropy
  TokenView acc;      // Σ exp(s − max) v
  SoftmaxState() = default;
  SoftmaxState(std::size_t n, int value_dim)
      : max("softmax_max", n), sum("softmax_sum", n), score("softmax_score", n), acc("softmax_acc", n, value_dim) {
    Kokkos::deep_copy(max, -std::numeric_limits<double>::infinity());
  }
};

// Sources are taken in chunks: scores of a chunk first, one rescale per chunk if its maximum is new,
// then branch-free exponentials and value sums (vectorisable, unlike a per-pair running maximum).
constexpr int kSoftmaxChunk = 32;

// Targets are taken in tiles: every chunk of sources is used by all targets of a tile while it sits in
// cache. Without it each target streams the whole block (16 000 × 129 doubles = 16.5 MB at d = 64), and
// the kernel is memory-bound at large d. Per target the operations and their order are unchanged.
constexpr int kSoftmaxTargetTile = 8;

// Folds one block of sources into the state of every target. a: n_targets × score_dim.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void accumulate_softmax_block(const TokenView& a, const RingBlock& block, SourceLayout layout, SoftmaxState& st) {
  auto mx = st.max;
  auto sum = st.sum;
  auto sc = st.score;
  auto acc = st.acc;
  const int ds = layout.score_dim, dv = layout.value_dim;
  const int nb = static_cast<int>(block.extent(0));
  const int nt = static_cast<int>(a.extent(0));
  const int tiles = (nt + kSoftmaxTargetTile - 1) / kSoftmaxTargetTile;
  auto b = block;
  Kokkos::parallel_for(
      "mf::softmax::accumulate_block", Kokkos::RangePolicy<ExecSpace>(0, tiles), KOKKOS_LAMBDA(const int tile) {
        const int i0 = tile * kSoftmaxTargetTile;
        const int tn = nt - i0 < kSoftmaxTargetTile ? nt - i0 : kSoftmaxTargetTile;
        double m[kSoftmaxTargetTile], l[kSoftmaxTargetTile], es[kSoftmaxTargetTile];
        for (int t = 0; t < tn; ++t) {
          m[t] = mx(i0 + t);
          l[t] = sum(i0 + t);
          es[t] = sc(i0 + t);
        }
        double s[kSoftmaxChunk];
        for (int j0 = 0; j0 < nb; j0 += kSoftmaxChunk) {
          const int jn = nb - j0 < kSoftmaxChunk ? nb - j0 : kSoftmaxChunk;
          for (int t = 0; t < tn; ++t) {
            const int i = i0 + t;
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
              double v = b(j0 + jj, ds + dv) + ((p0 + p1) + (p2 + p3));
              // Weight 0 (log w = −inf) becomes −1e300: e = 0 and e·s = 0, never NaN. Plain comparisons,
              // not fmax, so the loop stays inline.
              v = v > -1e300 ? v : -1e300;
              s[jj] = v;
              cmax = v > cmax ? v : cmax;
            }
            if (!(cmax > -1e300)) continue;  // a chunk of zero-weight sources
            if (cmax > m[t]) {  // new maximum: rescale what was summed so far
              const double r = mf::fast_exp(m[t] - cmax);  // m = −inf on the first chunk: r = 0
              l[t] *= r;
              es[t] *= r;
              for (int k = 0; k < dv; ++k) acc(i, k) *= r;
              m[t] = cmax;
            }
            // One exp per pair is the cost at small d: fast_exp is plain arithmetic (libm's exp is an
            // opaque call), so with the reduction declared the loop runs in vector lanes.
            const double mt = m[t];
            double lt = l[t], est = es[t];
#pragma omp simd reduction(+ : lt, est)
            for (int jj = 0; jj < jn; ++jj) {
              const double e = mf::fast_exp(s[jj] - mt);
              lt += e;
              est += e * s[jj];
              s[jj] = e;
            }
            l[t] = lt;
            es[t] = est;
            for (int jj = 0; jj < jn; ++jj)
              for (int k = 0; k < dv; ++k) acc(i, k) += s[jj] * b(j0 + jj, ds + k);
          }
        }
        for (int t = 0; t < tn; ++t) {
          mx(i0 + t) = m[t];
          sum(i0 + t) = l[t];
          sc(i0 + t) = es[t];
        }
      });
  Kokkos::fence();
}

// The whole distributed pass: sources travel around the ring of `comm`, every target sees every source.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
SoftmaxState streaming_softmax(MPI_Comm comm, const TokenView& a, const RingBlock& sources, SourceLayout layout) {
  SoftmaxState st(a.extent(0), layout.value_dim);
  ring_visit(comm, sources, [&](const RingBlock& block, int) { accumulate_softmax_block<ExecSpace>(a, block, layout, st); });
  return st;
}

}  // namespace mf
