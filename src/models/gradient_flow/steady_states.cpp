#include "steady_states.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "measureflow/ot/quantile_w2_1d.hpp"

namespace mf::gradient_flow {

namespace {

// (value, weight) pairs of every rank on rank 0, sorted by value.
std::vector<std::pair<double, double>> gather_sorted(MPI_Comm comm, const std::vector<double>& v,
                                                     const std::vector<double>& w) {
  int size = 1, rank = 0;
  MPI_Comm_size(comm, &size);
  MPI_Comm_rank(comm, &rank);
  const int n = static_cast<int>(v.size());
  std::vector<int> counts(size), offs(size, 0);
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  for (int r = 1; r < size; ++r) offs[r] = offs[r - 1] + counts[r - 1];
  const int total = rank == 0 ? offs[size - 1] + counts[size - 1] : 0;
  std::vector<double> av(total), aw(total);
  MPI_Gatherv(v.data(), n, MPI_DOUBLE, av.data(), counts.data(), offs.data(), MPI_DOUBLE, 0, comm);
  MPI_Gatherv(w.data(), n, MPI_DOUBLE, aw.data(), counts.data(), offs.data(), MPI_DOUBLE, 0, comm);
  std::vector<std::pair<double, double>> out(total);
  for (int i = 0; i < total; ++i) out[i] = {av[i], aw[i]};
  std::sort(out.begin(), out.end());
  return out;
}

// Σ over atoms of ∫ over its quantile range of (x − q(s))², for a target quantile q that is given in
// closed form and is not piecewise linear (the radial law of the disk); `integral(x, s0, s1)` returns that
// integral. Piecewise-linear targets go through ot::w2_squared_quantile_1d.
template <class Integral>
double quantile_w2(MPI_Comm comm, const std::vector<std::pair<double, double>>& atoms, Integral integral) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  double w2sq = 0.0;
  if (rank == 0) {
    double mass = 0.0;
    for (const auto& a : atoms) mass += a.second;
    double s = 0.0;
    for (const auto& a : atoms) {
      const double s1 = std::min(1.0, s + a.second / mass);
      w2sq += integral(a.first, s, s1);
      s = s1;
    }
  }
  MPI_Bcast(&w2sq, 1, MPI_DOUBLE, 0, comm);
  return std::sqrt(std::max(w2sq, 0.0));
}

std::vector<ot::Piece1d> gathered_atoms(MPI_Comm comm, const WeightedPoints& pts) {
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.weights);
  std::vector<double> v(pts.local_size()), ww(pts.local_size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = x(i, 0);
    ww[i] = w(i);
  }
  const auto sorted = gather_sorted(comm, v, ww);
  std::vector<ot::Piece1d> atoms(sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) atoms[i] = {sorted[i].first, sorted[i].first, sorted[i].second};
  return atoms;
}

// The exact W2 of the gathered atoms against target() (built on rank 0 only), broadcast.
template <class Target>
double w2_on_rank0(MPI_Comm comm, const WeightedPoints& pts, Target target) {
  const auto atoms = gathered_atoms(comm, pts);
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  double w2sq = 0.0;
  // Only rank 0 holds the atoms: a measure with no mass gives NaN here (as the walk it replaced did) rather
  // than an exception on one rank, which would leave the others waiting in the broadcast.
  if (rank == 0 && !atoms.empty()) {
    try {
      w2sq = ot::w2_squared_quantile_1d(atoms, target());
    } catch (const std::invalid_argument&) {
      w2sq = std::numeric_limits<double>::quiet_NaN();
    }
  }
  MPI_Bcast(&w2sq, 1, MPI_DOUBLE, 0, comm);
  return std::sqrt(std::max(w2sq, 0.0));
}

}  // namespace

double w2_1d_to_density(MPI_Comm comm, const WeightedPoints& pts, const std::function<double(double)>& density,
                        double lo, double hi, int table) {
  // The density's CDF by the trapezoidal rule on the table, interpolated linearly: the law that is uniform
  // on each table interval with the trapezoid's mass.
  return w2_on_rank0(comm, pts, [&]() {
    std::vector<ot::Piece1d> pieces(table - 1);
    const double dx = (hi - lo) / (table - 1);
    double prev = density(lo);
    for (int k = 1; k < table; ++k) {
      const double cur = density(lo + k * dx);
      pieces[k - 1] = {lo + (k - 1) * dx, lo + k * dx, 0.5 * dx * (prev + cur)};
      prev = cur;
    }
    return pieces;
  });
}

double w2_to_uniform_interval(MPI_Comm comm, const WeightedPoints& pts, double a, double b) {
  return w2_on_rank0(comm, pts, [a, b]() { return std::vector<ot::Piece1d>{{a, b, 1.0}}; });
}

double radial_w2_to_uniform_disk(MPI_Comm comm, const WeightedPoints& pts, const double* c, double R) {
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.weights);
  std::vector<double> v(pts.local_size()), ww(pts.local_size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    double r2 = 0.0;
    for (int a = 0; a < pts.dim; ++a) r2 += (x(i, a) - c[a]) * (x(i, a) - c[a]);
    v[i] = std::sqrt(r2);
    ww[i] = w(i);
  }
  const auto atoms = gather_sorted(comm, v, ww);
  // q(s) = R√s: ∫(r − R√s)² ds = r²Δs − (4/3) r R Δ(s^{3/2}) + (R²/2) Δ(s²).
  return quantile_w2(comm, atoms, [R](double r, double s0, double s1) {
    return r * r * (s1 - s0) - 4.0 / 3.0 * r * R * (std::pow(s1, 1.5) - std::pow(s0, 1.5)) +
           0.5 * R * R * (s1 * s1 - s0 * s0);
  });
}

}  // namespace mf::gradient_flow
