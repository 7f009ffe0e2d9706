// Streaming Kokkos kernels of log-domain Sinkhorn: costs are recomputed on the fly from coordinates.
// A "packed block" holds one rank's points as rows [x_1 .. x_d, log weight, potential].
#pragma once
#include <Kokkos_Core.hpp>

#include "measureflow/kokkos_math.hpp"

namespace mf::ot::detail {

using Packed = Kokkos::View<double**, Kokkos::LayoutRight>;
using Column = Kokkos::View<double*>;

KOKKOS_INLINE_FUNCTION double sq_dist(const Packed& a, int i, const Packed& b, int j, int dim) {
  double c = 0.0;
  for (int k = 0; k < dim; ++k) {
    const double t = a(i, k) - b(j, k);
    c += t * t;
  }
  return c;
}

// Online log-sum-exp over the block's rows j of  lw_j + pot_j/ε − |p_i − q_j|²/ε, merged into the
// running (max, sum) of each local point i. A zero-weight row (lw = −∞) contributes nothing.
template <class ExecSpace = Kokkos::DefaultExecutionSpace>
void softmin_accumulate(const Packed& local, int n, const Packed& block, int mb, int dim, double eps,
                        const Column& run_max, const Column& run_sum) {
  const double inv_eps = 1.0 / eps;
  Kokkos::parallel_for(
      "mf::ot::softmin_accumulate", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        double m = run_max(i);
        double s = run_sum(i);
        for (int j = 0; j < mb; ++j) {
          const double lw = block(j, dim);
          if (!(lw > -1e300)) continue;
          const double v = lw + (block(j, dim + 1) - sq_dist(local, i, block, j, dim)) * inv_eps;
          if (v > m) {
            s = s * kmath::exp(m - v) + 1.0;
            m = v;
          } else {
            s += kmath::exp(v - m);
          }
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
        for (int j = 0; j < mb; ++j) {
          const double lw = block(j, dim);
          if (!(lw > -1e300)) continue;
          s += kmath::exp(lw + (block(j, dim + 1) + own - sq_dist(local, i, block, j, dim)) * inv_eps);
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
        double sc = 0.0, sl = 0.0, sm = 0.0;
        for (int j = 0; j < mb; ++j) {
          const double lb = block(j, dim);
          if (!(lb > -1e300)) continue;
          const double c = sq_dist(local, i, block, j, dim);
          const double r = local(i, dim + 1) + block(j, dim + 1) - c;
          const double p = kmath::exp(la + lb + r * inv_eps);
          sc += p * c;
          sl += p * r;
          sm += p;
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
        for (int j = 0; j < mb; ++j) {
          const double lb = block(j, dim);
          if (!(lb > -1e300)) continue;
          const double c = sq_dist(local, i, block, j, dim);
          const double w = kmath::exp(lb + (local(i, dim + 1) + block(j, dim + 1) - c) * inv_eps);
          for (int k = 0; k < dim; ++k) numerator(i, k) += w * block(j, k);
          denominator(i) += w;
        }
      });
}

}  // namespace mf::ot::detail
