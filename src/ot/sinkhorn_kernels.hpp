// Streaming Kokkos kernels of log-domain Sinkhorn: costs are recomputed on the fly from coordinates.
// A "packed block" holds one rank's points as columns [x_1 .. x_d, log weight, potential].
#pragma once
#include <Kokkos_Core.hpp>

#include "measureflow/fast_exp.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::ot::detail {

// Column-major, so that for a fixed coordinate the block's points are contiguous: the j-loops below
// then read unit-stride memory and the compiler turns them into SIMD loops.
using Packed = Kokkos::View<double**, Kokkos::LayoutLeft>;
using Column = Kokkos::View<double*>;

// Points of the other side handled per pass of the inner loops. Their costs live in a small array on
// the stack (1 KiB, in L1), which splits the "sum over coordinates" loop, whose length is the runtime
// dimension, from the "exp and add" loop, so both vectorise over j for any d.
constexpr int kTile = 128;

KOKKOS_INLINE_FUNCTION int tile_length(int j0, int mb) { return mb - j0 < kTile ? mb - j0 : kTile; }

// c[jj] = |p_i − q_{j0+jj}|² for jj < len.
KOKKOS_INLINE_FUNCTION void tile_costs(const Packed& local, int i, const Packed& block, int j0, int len, int dim,
                                       double* c) {
  for (int jj = 0; jj < len; ++jj) c[jj] = 0.0;
  for (int k = 0; k < dim; ++k) {
    const double xk = local(i, k);
    const double* yk = &block(j0, k);
#pragma omp simd
    for (int jj = 0; jj < len; ++jj) {
      const double t = xk - yk[jj];
      c[jj] += t * t;
    }
  }
}

// Online log-sum-exp over the block's rows j of  lw_j + pot_j/ε − |p_i − q_j|²/ε, merged into the
// running (max, sum) of each local point i. A zero-weight row (lw = −∞) contributes nothing. The
// max is taken per tile, so the rescaling exp runs once per tile instead of once per pair.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void softmin_accumulate(const Packed& local, int n, const Packed& block, int mb, int dim, double eps,
                        const Column& run_max, const Column& run_sum) {
  const double inv_eps = 1.0 / eps;
  Kokkos::parallel_for(
      "mf::ot::softmin_accumulate", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        double m = run_max(i);
        double s = run_sum(i);
        double v[kTile];
        for (int j0 = 0; j0 < mb; j0 += kTile) {
          const int len = tile_length(j0, mb);
          tile_costs(local, i, block, j0, len, dim, v);
          const double* lw = &block(j0, dim);
          const double* pot = &block(j0, dim + 1);
          double tile_max = -1e308;  // finite, so the all-zero-weight test below is plain
#pragma omp simd reduction(max : tile_max)
          for (int jj = 0; jj < len; ++jj) {
            v[jj] = lw[jj] + (pot[jj] - v[jj]) * inv_eps;
            tile_max = v[jj] > tile_max ? v[jj] : tile_max;
          }
          if (!(tile_max > -1e300)) continue;  // the whole tile has zero weight
          if (tile_max > m) {
            s *= kmath::exp(m - tile_max);  // m = −∞ at the start: s = 0 stays 0
            m = tile_max;
          }
          double ts = 0.0;
#pragma omp simd reduction(+ : ts)
          for (int jj = 0; jj < len; ++jj) ts += mf::fast_exp(v[jj] - m);
          s += ts;
        }
        run_max(i) = m;
        run_sum(i) = s;
      });
}

// Fast path: Σ_j exp(lw_j + (pot_j − C_ij + pot_i)/ε) added to run_sum(i), i.e. the log-sum-exp
// shifted by the local point's previous potential. Near convergence the sum is O(1), so one exp per
// pair and no rescaling; the caller falls back to softmin_accumulate when a sum leaves [1e-200, 1e200].
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void shifted_sum_accumulate(const Packed& local, int n, const Packed& block, int mb, int dim, double eps,
                            const Column& run_sum) {
  const double inv_eps = 1.0 / eps;
  Kokkos::parallel_for(
      "mf::ot::shifted_sum_accumulate", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const double own = local(i, dim + 1);
        double s = 0.0;
        double c[kTile];
        for (int j0 = 0; j0 < mb; j0 += kTile) {
          const int len = tile_length(j0, mb);
          tile_costs(local, i, block, j0, len, dim, c);
          const double* lw = &block(j0, dim);
          const double* pot = &block(j0, dim + 1);
#pragma omp simd reduction(+ : s)
          for (int jj = 0; jj < len; ++jj) s += mf::fast_exp(lw[jj] + (pot[jj] + own - c[jj]) * inv_eps);
        }
        run_sum(i) += s;
      });
}

// Per local point i, sums over the block of π_ij C_ij, π_ij (f_i + g_j − C_ij) and π_ij, with
// π_ij = exp(la_i + lb_j + (f_i + g_j − C_ij)/ε).
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void plan_accumulate(const Packed& local, int n, const Packed& block, int mb, int dim, double eps,
                     const Column& cost, const Column& log_ratio, const Column& mass) {
  const double inv_eps = 1.0 / eps;
  Kokkos::parallel_for(
      "mf::ot::plan_accumulate", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const double la = local(i, dim);
        if (!(la > -1e300)) return;
        const double own = local(i, dim + 1);
        double sc = 0.0, sl = 0.0, sm = 0.0;
        double c[kTile];
        for (int j0 = 0; j0 < mb; j0 += kTile) {
          const int len = tile_length(j0, mb);
          tile_costs(local, i, block, j0, len, dim, c);
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

// Per local point i, accumulates Σ_j w_ij q_j and Σ_j w_ij with w_ij = π_ij / a_i.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void projection_accumulate(const Packed& local, int n, const Packed& block, int mb, int dim, double eps,
                           const Packed& numerator, const Column& denominator) {
  const double inv_eps = 1.0 / eps;
  Kokkos::parallel_for(
      "mf::ot::projection_accumulate", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const double own = local(i, dim + 1);
        double w[kTile];
        for (int j0 = 0; j0 < mb; j0 += kTile) {
          const int len = tile_length(j0, mb);
          tile_costs(local, i, block, j0, len, dim, w);
          const double* lb = &block(j0, dim);
          const double* pot = &block(j0, dim + 1);
          double sw = 0.0;
#pragma omp simd reduction(+ : sw)
          for (int jj = 0; jj < len; ++jj) {
            w[jj] = mf::fast_exp(lb[jj] + (own + pot[jj] - w[jj]) * inv_eps);
            sw += w[jj];
          }
          denominator(i) += sw;
          for (int k = 0; k < dim; ++k) {
            const double* yk = &block(j0, k);
            double sy = 0.0;
#pragma omp simd reduction(+ : sy)
            for (int jj = 0; jj < len; ++jj) sy += w[jj] * yk[jj];
            numerator(i, k) += sy;
          }
        }
      });
}

}  // namespace mf::ot::detail
