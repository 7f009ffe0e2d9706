#include "jko_quantiles.hpp"

#include <algorithm>
#include <cmath>

#include "measureflow/grid_field.hpp"

namespace mf::gradient_flow {

std::vector<double> measure_quantiles_1d(const Measure& m, double lo, double hi, int n) {
  const int table = 400001;
  const double dx = (hi - lo) / (table - 1);
  std::vector<double> cdf(table, 0.0);
  double x = lo, prev = m.density(&x);
  for (int k = 1; k < table; ++k) {
    x = lo + k * dx;
    const double cur = m.density(&x);
    cdf[k] = cdf[k - 1] + 0.5 * dx * (prev + cur);
    prev = cur;
  }
  const double total = cdf.back();
  std::vector<double> X(n);
  for (int i = 0; i < n; ++i) {
    const double s = (i + 0.5) / n * total;
    const auto it = std::lower_bound(cdf.begin(), cdf.end(), s);
    const std::size_t k = std::clamp<std::size_t>(static_cast<std::size_t>(it - cdf.begin()), 1, table - 1);
    const double c0 = cdf[k - 1], c1 = cdf[k];
    X[i] = lo + (k - 1) * dx + (c1 > c0 ? (s - c0) / (c1 - c0) : 0.5) * dx;
  }
  return X;
}

double quantile_entropy(const std::vector<double>& X) {
  const double n = static_cast<double>(X.size());
  double f = 0.0;
  for (std::size_t i = 0; i + 1 < X.size(); ++i) f -= std::log(n * (X[i + 1] - X[i])) / n;
  return f;
}

double quantile_std(const std::vector<double>& X) {
  double mean = 0.0, var = 0.0;
  for (double x : X) mean += x;
  mean /= X.size();
  for (double x : X) var += (x - mean) * (x - mean);
  return std::sqrt(var / X.size());
}

void quantiles_to_cell_averages(const std::vector<double>& X, const Grid& grid, Vec out) {
  const int n = static_cast<int>(X.size());
  // Knots of the piecewise-linear CDF.
  std::vector<double> xs(n + 2), cs(n + 2);
  xs[0] = X[0] - 0.5 * (X[1] - X[0]);
  cs[0] = 0.0;
  for (int i = 0; i < n; ++i) {
    xs[i + 1] = X[i];
    cs[i + 1] = (i + 0.5) / n;
  }
  xs[n + 1] = X[n - 1] + 0.5 * (X[n - 1] - X[n - 2]);
  cs[n + 1] = 1.0;
  auto cdf = [&](double x) {
    if (x <= xs.front()) return 0.0;
    if (x >= xs.back()) return 1.0;
    const std::size_t k = static_cast<std::size_t>(std::upper_bound(xs.begin(), xs.end(), x) - xs.begin());
    return cs[k - 1] + (x - xs[k - 1]) / (xs[k] - xs[k - 1]) * (cs[k] - cs[k - 1]);
  };
  const IndexBox& ob = grid.owned();
  VecBlockWrite o(out, ob);
  const double h = grid.h(0);
  for (PetscInt i = 0; i < ob.count[0]; ++i) {
    const double c = grid.center(0, ob.start[0] + i);
    o.data()[i] = (cdf(c + 0.5 * h) - cdf(c - 0.5 * h)) / h;
  }
}

}  // namespace mf::gradient_flow
