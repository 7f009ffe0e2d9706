#include "particle_coupling.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace mf::dynamic_ot {

namespace {

double sqdist(const std::vector<double>& x, int i, const std::vector<double>& y, int j, int dim) {
  double s = 0.0;
  for (int a = 0; a < dim; ++a) {
    const double d = x[static_cast<size_t>(i) * dim + a] - y[static_cast<size_t>(j) * dim + a];
    s += d * d;
  }
  return s;
}

// In 1D the monotone rearrangement is optimal for a convex cost: sort both and pair by rank.
std::vector<int> sorted_assignment(const std::vector<double>& x, const std::vector<double>& y) {
  const int n = static_cast<int>(x.size());
  std::vector<int> ix(n), iy(n), perm(n);
  std::iota(ix.begin(), ix.end(), 0);
  std::iota(iy.begin(), iy.end(), 0);
  std::stable_sort(ix.begin(), ix.end(), [&](int a, int b) { return x[a] < x[b]; });
  std::stable_sort(iy.begin(), iy.end(), [&](int a, int b) { return y[a] < y[b]; });
  for (int r = 0; r < n; ++r) perm[ix[r]] = iy[r];
  return perm;
}

// Shortest augmenting path Hungarian method with row/column potentials, O(n³).
std::vector<int> hungarian(const std::vector<double>& x, const std::vector<double>& y, int dim) {
  const int n = static_cast<int>(x.size() / dim);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0), minv(n + 1);
  std::vector<int> match(n + 1, 0), way(n + 1, 0);  // match[j]: row assigned to column j (1-based)
  std::vector<char> used(n + 1);
  for (int i = 1; i <= n; ++i) {
    match[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = match[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double cur = sqdist(x, i0 - 1, y, j - 1, dim) - u[i0] - v[j];
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
    } while (j0 != 0);
  }
  std::vector<int> perm(n);
  for (int j = 1; j <= n; ++j) perm[match[j] - 1] = j - 1;
  return perm;
}

}  // namespace

std::vector<int> exact_assignment(const std::vector<double>& x, const std::vector<double>& y, int dim) {
  if (x.size() != y.size() || dim < 1 || x.size() % dim != 0)
    throw std::invalid_argument("exact_assignment: point clouds of different sizes");
  if (dim == 1) return sorted_assignment(x, y);
  if (x.size() / dim > 2000)
    throw std::invalid_argument("exact_assignment: the O(n³) Hungarian coupling is limited to 2000 particles");
  return hungarian(x, y, dim);
}

double assignment_cost(const std::vector<double>& x, const std::vector<double>& y, int dim,
                       const std::vector<int>& perm) {
  const int n = static_cast<int>(perm.size());
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += sqdist(x, i, y, perm[i], dim);
  return n > 0 ? s / n : 0.0;
}

}  // namespace mf::dynamic_ot
