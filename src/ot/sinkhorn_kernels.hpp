// The Sinkhorn kernel that is not a softmax: statistics of the plan π_ij = exp(la_i + lb_j + (f_i + g_j −
// C_ij)/ε) summed over a streamed block (the softmin and the barycentric projection are the shared
// streaming softmax, measureflow/streaming_softmax.hpp, with SquaredDistanceScore).
#pragma once
#include <Kokkos_Core.hpp>

#include "measureflow/fast_exp.hpp"
#include "measureflow/streaming_softmax.hpp"

namespace mf::ot::detail {

using Packed = PointBlock;
using Column = Kokkos::View<double*>;

// Per local point i, sums over the block's first mb rows of π_ij C_ij, π_ij (f_i + g_j − C_ij) and π_ij.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void plan_accumulate(const Packed& local, int n, const Packed& block, int mb, int dim, double eps,
                     const Column& cost, const Column& log_ratio, const Column& mass) {
  static_assert(Kokkos::SpaceAccessibility<ExecSpace, Packed::memory_space>::accessible,
                "plan_accumulate: the blocks must live where the kernel runs");
  const double inv_eps = 1.0 / eps;
  constexpr int kChunk = SquaredDistanceScore::kChunk;
  const SquaredDistanceScore score{local, block, dim, inv_eps, true};
  Kokkos::parallel_for(
      "mf::ot::plan_accumulate", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const double la = local(i, dim);
        if (!(la > -1e300)) return;
        const double own = local(i, dim + 1);
        double sc = 0.0, sl = 0.0, sm = 0.0;
        double c[kChunk];
        for (int j0 = 0; j0 < mb; j0 += kChunk) {
          const int len = mb - j0 < kChunk ? mb - j0 : kChunk;
          score.costs(i, j0, len, c);
          const double* lb = &block(j0, dim);
          const double* pot = &block(j0, dim + 1);
#pragma omp simd reduction(+ : sc, sl, sm)
          for (int jj = 0; jj < len; ++jj) {
            const double r = own + pot[jj] - c[jj];
            const double p = mf::fast_exp(la + lb[jj] + r * inv_eps);
            sc += p * c[jj];
            sl += p * r;
            sm += p;
          }
        }
        cost(i) += sc;
        log_ratio(i) += sl;
        mass(i) += sm;
      });
}

}  // namespace mf::ot::detail
