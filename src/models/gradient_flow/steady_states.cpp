#include "steady_states.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

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
// closed form; `integral(x, s0, s1)` returns that integral.
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

}  // namespace

namespace {
std::vector<std::pair<double, double>> sorted_atoms(MPI_Comm comm, const WeightedPoints& pts) {
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts.weights);
  std::vector<double> v(pts.local_size()), ww(pts.local_size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = x(i, 0);
    ww[i] = w(i);
  }
  return gather_sorted(comm, v, ww);
}
}  // namespace

double w2_1d(MPI_Comm comm, const WeightedPoints& a, const WeightedPoints& b) {
  const auto A = sorted_atoms(comm, a), B = sorted_atoms(comm, b);
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  double w2sq = 0.0;
  if (rank == 0 && !A.empty() && !B.empty()) {
    double ma = 0.0, mb = 0.0;
    for (const auto& p : A) ma += p.second;
    for (const auto& p : B) mb += p.second;
    // Walk both quantile functions together; on each common mass interval both are constant.
    std::size_t i = 0, j = 0;
    double ra = A[0].second / ma, rb = B[0].second / mb;  // mass left in the current atoms
    while (i < A.size() && j < B.size()) {
      const double m = std::min(ra, rb);
      w2sq += m * (A[i].first - B[j].first) * (A[i].first - B[j].first);
      ra -= m;
      rb -= m;
      if (ra <= 1e-300 && ++i < A.size()) ra = A[i].second / ma;
      if (rb <= 1e-300 && ++j < B.size()) rb = B[j].second / mb;
    }
  }
  MPI_Bcast(&w2sq, 1, MPI_DOUBLE, 0, comm);
  return std::sqrt(std::max(w2sq, 0.0));
}

double w2_1d_to_density(MPI_Comm comm, const WeightedPoints& pts, const std::function<double(double)>& density,
                        double lo, double hi, int table) {
  const auto atoms = sorted_atoms(comm, pts);
  std::vector<double> xs(table), cdf(table, 0.0);
  const double dx = (hi - lo) / (table - 1);
  for (int k = 0; k < table; ++k) xs[k] = lo + k * dx;
  double prev = density(xs[0]);
  for (int k = 1; k < table; ++k) {
    const double cur = density(xs[k]);
    cdf[k] = cdf[k - 1] + 0.5 * dx * (prev + cur);
    prev = cur;
  }
  const double total = cdf.back();
  for (double& c : cdf) c /= total;
  // Q(s): first table point with cdf ≥ s, then linear interpolation.
  auto quantile = [&](double s) {
    const auto it = std::lower_bound(cdf.begin(), cdf.end(), s);
    if (it == cdf.begin()) return xs.front();
    if (it == cdf.end()) return xs.back();
    const std::size_t k = static_cast<std::size_t>(it - cdf.begin());
    const double c0 = cdf[k - 1], c1 = cdf[k];
    return c1 > c0 ? xs[k - 1] + (s - c0) / (c1 - c0) * dx : xs[k];
  };
  // 4-point Gauss–Legendre on each atom's mass interval.
  static const double gx[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
  static const double gw[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};
  return quantile_w2(comm, atoms, [&](double x, double s0, double s1) {
    double acc = 0.0;
    for (int q = 0; q < 4; ++q) {
      const double s = 0.5 * (s0 + s1) + 0.5 * (s1 - s0) * gx[q];
      const double d = x - quantile(s);
      acc += gw[q] * d * d;
    }
    return 0.5 * (s1 - s0) * acc;
  });
}

double w2_to_uniform_interval(MPI_Comm comm, const WeightedPoints& pts, double a, double b) {
  const auto atoms = sorted_atoms(comm, pts);
  // q(s) = a + (b − a)s is linear: ∫(x − q)² ds = (u0³ − u1³) / (3(b − a)), u = x − q.
  return quantile_w2(comm, atoms, [a, b](double xv, double s0, double s1) {
    const double u0 = xv - (a + (b - a) * s0), u1 = xv - (a + (b - a) * s1);
    return (u0 * u0 * u0 - u1 * u1 * u1) / (3.0 * (b - a));
  });
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
