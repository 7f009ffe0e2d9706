// Packing, softmin sweep, marginal check and potential update of log-domain Sinkhorn (sinkhorn_sides.hpp).
#include "sinkhorn_sides.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "measureflow/kokkos_math.hpp"

namespace mf::ot::detail {

double sum_all(MPI_Comm comm, double v) {
  double out = 0.0;
  MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_SUM, comm);
  return out;
}

Side pack(MPI_Comm comm, const WeightedPoints& w, int dim, const char* name) {
  if (w.dim != dim || (w.local_size() > 0 && static_cast<int>(w.positions.extent(1)) != dim) ||
      w.positions.extent(0) != w.weights.extent(0))
    throw std::invalid_argument(std::string("sinkhorn: cloud ") + name + " has inconsistent dimensions");
  Side s;
  s.n = static_cast<int>(w.local_size());
  int capacity = 0;  // the largest block over ranks: every rank's buffer has this many rows
  MPI_Allreduce(&s.n, &capacity, 1, MPI_INT, MPI_MAX, comm);

  double local_mass = 0.0, local_min = 0.0;
  Kokkos::parallel_reduce("mf::ot::mass", s.n, KOKKOS_LAMBDA(const int i, double& m) { m += w.weights(i); }, local_mass);
  Kokkos::parallel_reduce("mf::ot::min_weight", s.n,
                          KOKKOS_LAMBDA(const int i, double& m) { m = w.weights(i) < m ? w.weights(i) : m; },
                          Kokkos::Min<double>(local_min));
  const double mass = sum_all(comm, local_mass);
  double global_min = 0.0;
  MPI_Allreduce(&local_min, &global_min, 1, MPI_DOUBLE, MPI_MIN, comm);
  if (!(mass > 0.0) || !(global_min >= 0.0) || !std::isfinite(mass))
    throw std::invalid_argument(std::string("sinkhorn: weights of cloud ") + name +
                                " must be finite, >= 0 and have a positive total (total " + std::to_string(mass) +
                                ", min " + std::to_string(global_min) + ")");

  s.packed = PointBlock("mf::ot::packed", std::max(capacity, 1), dim + 2);
  const PointBlock p = s.packed;
  const double log_mass = std::log(mass);
  const double minus_inf = -std::numeric_limits<double>::infinity();
  const int own_rows = s.n;
  // Rows past n (padding up to the largest block) get zero weight, so a whole buffer can travel the
  // ring without telling real rows from padding.
  Kokkos::parallel_for(
      "mf::ot::pack", static_cast<int>(s.packed.extent(0)), KOKKOS_LAMBDA(const int i) {
        const bool real = i < own_rows;
        for (int k = 0; k < dim; ++k) p(i, k) = real ? w.positions(i, k) : 0.0;
        const double wi = real ? w.weights(i) : 0.0;
        p(i, dim) = wi > 0.0 ? kmath::log(wi) - log_mass : minus_inf;
        p(i, dim + 1) = 0.0;
      });
  Kokkos::fence();
  return s;
}

// First try the sum shifted by the old potential (one exp per pair); if any row over- or underflows on
// any rank, redo the sweep with the online (max, sum) log-sum-exp, which cannot.
Column softmin(MPI_Comm comm, const Side& target, const Side& source, int dim, double eps) {
  Column out("mf::ot::potential", target.n);
  const PointBlock own = target.packed;
  const int nt = target.n;
  {
    SoftmaxState st(nt, 0);
    ring_visit(comm, source.packed, source.n, [&](const PointBlock& block, int rows, int) {
      softmax_accumulate<SoftmaxShift::Fixed>(SquaredDistanceScore{own, block, dim, 1.0 / eps, true}, nt, rows, st);
    });
    const auto run_sum = st.sum;
    int bad = 0;
    Kokkos::parallel_reduce(
        "mf::ot::shifted_finish", nt,
        KOKKOS_LAMBDA(const int i, int& b) {
          const double s = run_sum(i);
          if (s > 1e-200 && s < 1e200) {
            out(i) = own(i, dim + 1) - eps * kmath::log(s);
          } else {
            b += 1;
          }
        },
        bad);
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_SUM, comm);
    if (bad == 0) return out;
  }
  SoftmaxState st(nt, 0);
  ring_visit(comm, source.packed, source.n, [&](const PointBlock& block, int rows, int) {
    softmax_accumulate<SoftmaxShift::Running>(SquaredDistanceScore{own, block, dim, 1.0 / eps, false}, nt, rows, st);
  });
  const auto run_max = st.max, run_sum = st.sum;
  Kokkos::parallel_for(
      "mf::ot::softmin_finish", nt,
      KOKKOS_LAMBDA(const int i) { out(i) = -eps * (run_max(i) + kmath::log(run_sum(i))); });
  Kokkos::fence();
  return out;
}

double marginal_violation(MPI_Comm comm, const Side& side, const Column& fresh, int dim, double eps) {
  const PointBlock p = side.packed;
  double err = 0.0;
  Kokkos::parallel_reduce(
      "mf::ot::marginal_violation", side.n,
      KOKKOS_LAMBDA(const int i, double& e) {
        const double lw = p(i, dim);
        if (lw > -1e300) e += kmath::exp(lw) * kmath::fabs(kmath::exp((p(i, dim + 1) - fresh(i)) / eps) - 1.0);
      },
      err);
  return sum_all(comm, err);
}

void store_potential(Side& side, const Column& fresh, int dim, double omega) {
  const PointBlock p = side.packed;
  Kokkos::parallel_for(
      "mf::ot::store_potential", side.n, KOKKOS_LAMBDA(const int i) {
        p(i, dim + 1) = omega == 1.0 ? fresh(i) : p(i, dim + 1) + omega * (fresh(i) - p(i, dim + 1));
      });
  Kokkos::fence();
}

}  // namespace mf::ot::detail
