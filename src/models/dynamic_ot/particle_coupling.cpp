#include "particle_coupling.hpp"

#include "measureflow/ot/exact.hpp"

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

}  // namespace

std::vector<int> exact_assignment(const std::vector<double>& x, const std::vector<double>& y, int dim) {
  if (x.size() != y.size() || dim < 1 || x.size() % dim != 0)
    throw std::invalid_argument("exact_assignment: point clouds of different sizes");
  if (dim == 1) return sorted_assignment(x, y);
  if (x.size() / dim > 2000)
    throw std::invalid_argument("exact_assignment: the O(n³) Hungarian coupling is limited to 2000 particles");
  // The static-OT oracle (Hungarian, O(n³)) gives the optimal permutation.
  std::vector<int> perm;
  ot::w2_squared_exact_assignment(x, y, dim, &perm);
  return perm;
}

double assignment_cost(const std::vector<double>& x, const std::vector<double>& y, int dim,
                       const std::vector<int>& perm) {
  const int n = static_cast<int>(perm.size());
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += sqdist(x, i, y, perm[i], dim);
  return n > 0 ? s / n : 0.0;
}

}  // namespace mf::dynamic_ot
