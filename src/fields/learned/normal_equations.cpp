#include "fields/learned/normal_equations.hpp"

#include <Eigen/Dense>
#include <cmath>

#include "measureflow/errors.hpp"

namespace mf::fields::detail {

namespace {

using Features = Kokkos::View<double**, Kokkos::LayoutLeft>;  // rows × m: a feature's column is contiguous

// Φ(i, a) for the rows [r0, r0 + n) of the batch.
void evaluate_features(const LinearBasis& basis, const SlotSamples& s, int r0, int n, const Features& phi) {
  const Column t = s.t;
  const FieldPoints xt = s.xt;
  Kokkos::parallel_for(
      "mf::fields::evaluate_features", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int i) {
        basis.visit(t(r0 + i), xt, r0 + i, [&](int a, double v) { phi(i, a) = v; });
      });
}

}  // namespace

NormalEquations::NormalEquations(const LinearBasis& basis, int dim, double ridge)
    : basis_(basis), m_(basis.size()), d_(dim), ridge_(ridge), slot_rows_(kSlots, 0) {
  sums_ = Kokkos::View<double**, Kokkos::LayoutRight>("mf::fields::normal_equations", kSlots, packed_length());
}

void NormalEquations::add(const SlotSamples& s) {
  const int m = m_, d = d_;
  const auto sums = sums_;
  for (int k = s.slot_begin; k < s.slot_end; ++k) {
    const int r0 = s.row_offset[k - s.slot_begin], n = s.row_offset[k - s.slot_begin + 1] - r0;
    if (n == 0) continue;
    slot_rows_[k] += n;
    Features phi("mf::fields::features", n, m);
    evaluate_features(basis_, s, r0, n, phi);
    const FieldPoints y = s.target;
    // Upper triangle of G: entry (a, b ≥ a) at a·m − a(a−1)/2 + (b − a). Each entry sums its rows in
    // order, so the result does not depend on how the entries are spread over threads.
    Kokkos::parallel_for(
        "mf::fields::accumulate_gram", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {m, m}),
        KOKKOS_LAMBDA(const int a, const int b) {
          if (b < a) return;
          const double* pa = &phi(0, a);
          const double* pb = &phi(0, b);
          double acc = 0.0;
          // A SIMD reduction: a fixed summation order for a given build, the same on every rank.
#pragma omp simd reduction(+ : acc)
          for (int i = 0; i < n; ++i) acc += pa[i] * pb[i];
          sums(k, a * m - a * (a - 1) / 2 + (b - a)) += acc;
        });
    const int r_off = m * (m + 1) / 2, y_off = r_off + m * d;
    Kokkos::parallel_for(
        "mf::fields::accumulate_rhs", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {m + 1, d}),
        KOKKOS_LAMBDA(const int a, const int c) {
          double acc = 0.0;
          if (a < m) {
            for (int i = 0; i < n; ++i) acc += phi(i, a) * y(r0 + i, c);
            sums(k, r_off + a * d + c) += acc;
          } else {  // the extra row a = m holds Σ y_c² (for the loss)
            for (int i = 0; i < n; ++i) acc += y(r0 + i, c) * y(r0 + i, c);
            sums(k, y_off + c) += acc;
          }
        });
  }
  Kokkos::fence();
}

NormalEquations::Solution NormalEquations::solve(MPI_Comm comm) const {
  const int m = m_, d = d_, len = packed_length();
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sums_);
  std::vector<double> padded(host.data(), host.data() + host.size());
  const std::vector<double> total = sum_slots_in_order(comm, padded, kSlots, len);
  std::vector<long long> rows = slot_rows_;
  MPI_Allreduce(MPI_IN_PLACE, rows.data(), kSlots, MPI_LONG_LONG, MPI_SUM, comm);
  Solution sol;
  for (long long r : rows) sol.rows += r;

  Eigen::MatrixXd g(m, m);
  for (int a = 0, q = 0; a < m; ++a)
    for (int b = a; b < m; ++b, ++q) g(a, b) = g(b, a) = total[q];
  Eigen::MatrixXd r(m, d);
  const int r_off = m * (m + 1) / 2, y_off = r_off + m * d;
  for (int a = 0; a < m; ++a)
    for (int c = 0; c < d; ++c) r(a, c) = total[r_off + a * d + c];
  double yy = 0.0;
  for (int c = 0; c < d; ++c) yy += total[y_off + c];

  // Ridge scaled feature by feature (λ G_aa): the same relative damping for the O(1) affine features and
  // the O(1/√n) cosines, whatever their number.
  Eigen::MatrixXd gr = g;
  gr.diagonal().array() *= 1.0 + ridge_;
  Eigen::LLT<Eigen::MatrixXd> llt(gr);
  if (llt.info() != Eigen::Success || sol.rows < m)
    throw SolverError("learned field: the normal equations are singular (" + std::to_string(sol.rows) +
                      " training rows for " + std::to_string(m) + " features); raise field.training.pairs");
  const Eigen::MatrixXd w = llt.solve(r);
  if (!w.allFinite()) throw SolverError("learned field: the least-squares solve produced NaN/Inf");
  // Mean residual from the sums: (Σ|y|² − 2⟨W, R⟩ + ⟨W, G W⟩) / rows.
  sol.loss = (yy - 2.0 * (w.array() * r.array()).sum() + (w.array() * (g * w).array()).sum()) / sol.rows;
  sol.weights = Kokkos::View<double**, Kokkos::LayoutRight>("mf::fields::weights", m, d);
  auto hw = Kokkos::create_mirror_view(sol.weights);
  for (int a = 0; a < m; ++a)
    for (int c = 0; c < d; ++c) hw(a, c) = w(a, c);
  Kokkos::deep_copy(sol.weights, hw);
  return sol;
}

}  // namespace mf::fields::detail
