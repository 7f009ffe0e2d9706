#include "measureflow/ot/exact.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "measureflow/ot/quantile_w2_1d.hpp"

namespace mf::ot {

namespace {

// Every rank receives every (position, weight) pair of a 1D cloud, sorted by position, weights normalised.
std::vector<std::pair<double, double>> gather_sorted_1d(MPI_Comm comm, const WeightedPoints& w, const char* name) {
  if (w.dim != 1) throw std::invalid_argument(std::string("w2_squared_exact_1d: cloud ") + name + " is not 1D");
  const int n = static_cast<int>(w.local_size());
  auto pos = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w.positions);
  auto wt = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w.weights);
  std::vector<double> local(2 * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    local[2 * i] = pos(i, 0);
    local[2 * i + 1] = wt(i);
  }
  int size = 1;
  MPI_Comm_size(comm, &size);
  std::vector<int> counts(size), displs(size);
  const int mine = 2 * n;
  MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  std::vector<double> all(static_cast<size_t>(displs.back() + counts.back()));
  MPI_Allgatherv(local.data(), mine, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  std::vector<std::pair<double, double>> pts(all.size() / 2);
  double mass = 0.0;
  for (size_t i = 0; i < pts.size(); ++i) {
    pts[i] = {all[2 * i], all[2 * i + 1]};
    if (!(pts[i].second >= 0.0)) throw std::invalid_argument(std::string("w2_squared_exact_1d: negative weight in ") + name);
    mass += pts[i].second;
  }
  if (!(mass > 0.0)) throw std::invalid_argument(std::string("w2_squared_exact_1d: cloud ") + name + " has no mass");
  std::sort(pts.begin(), pts.end());
  for (auto& p : pts) p.second /= mass;
  return pts;
}

}  // namespace

double w2_squared_exact_1d(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y) {
  const auto a = gather_sorted_1d(comm, x, "x");
  const auto b = gather_sorted_1d(comm, y, "y");
  auto atoms = [](const std::vector<std::pair<double, double>>& p) {
    std::vector<Piece1d> out(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) out[i] = {p[i].first, p[i].first, p[i].second};
    return out;
  };
  return w2_squared_quantile_1d(atoms(a), atoms(b));
}

double w2_squared_exact_assignment(const std::vector<double>& x, const std::vector<double>& y, int dim,
                                   std::vector<int>* assignment) {
  if (dim <= 0 || x.size() != y.size() || x.size() % dim != 0)
    throw std::invalid_argument("w2_squared_exact_assignment: clouds must have equal size n × dim");
  const int n = static_cast<int>(x.size() / dim);
  if (n == 0) return 0.0;
  auto cost = [&](int i, int j) {
    double c = 0.0;
    for (int k = 0; k < dim; ++k) {
      const double t = x[static_cast<size_t>(i) * dim + k] - y[static_cast<size_t>(j) * dim + k];
      c += t * t;
    }
    return c;
  };
  // Hungarian algorithm with row/column potentials (shortest augmenting paths), 1-based with a
  // virtual column 0, O(n³).
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0);
  std::vector<int> match(n + 1, 0), way(n + 1, 0);
  for (int i = 1; i <= n; ++i) {
    match[0] = i;
    int j0 = 0;
    std::vector<double> minv(n + 1, inf);
    std::vector<char> used(n + 1, 0);
    do {
      used[j0] = 1;
      const int i0 = match[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= n; ++j) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (match[j0] != 0);
    do {
      const int j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0);
  }
  std::vector<int> row_to_col(n);
  for (int j = 1; j <= n; ++j) row_to_col[match[j] - 1] = j - 1;
  double total = 0.0;
  for (int i = 0; i < n; ++i) total += cost(i, row_to_col[i]);
  if (assignment) *assignment = row_to_col;
  return total / n;
}

}  // namespace mf::ot
