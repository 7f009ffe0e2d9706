#include "fields/learned/minibatch_ot_coupling.hpp"

#include <algorithm>
#include <numeric>

#include "measureflow/errors.hpp"
#include "measureflow/ot/exact.hpp"
#include "measureflow/ot/sinkhorn.hpp"

namespace mf::fields::detail {

namespace {

void couple_sorted_1d(int n, const std::vector<double>& x0, std::vector<double>& x1) {
  std::vector<int> order0(n), order1(n);
  std::iota(order0.begin(), order0.end(), 0);
  std::iota(order1.begin(), order1.end(), 0);
  // Stable sorts with the id as tie-break: the result is a pure function of the batch.
  std::stable_sort(order0.begin(), order0.end(), [&](int a, int b) { return x0[a] < x0[b]; });
  std::stable_sort(order1.begin(), order1.end(), [&](int a, int b) { return x1[a] < x1[b]; });
  std::vector<double> out(n);
  for (int k = 0; k < n; ++k) out[order0[k]] = x1[order1[k]];
  x1.swap(out);
}

void couple_assignment(int dim, int n, const std::vector<double>& x0, std::vector<double>& x1) {
  std::vector<int> match;
  mf::ot::w2_squared_exact_assignment(x0, x1, dim, &match);
  std::vector<double> out(x1.size());
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < dim; ++k) out[static_cast<size_t>(i) * dim + k] = x1[static_cast<size_t>(match[i]) * dim + k];
  x1.swap(out);
}

WeightedPoints uniform_cloud(int dim, int n, const std::vector<double>& x) {
  WeightedPoints w;
  w.dim = dim;
  w.positions = PointsView("mf::fields::coupling_points", n, dim);
  w.weights = WeightsView("mf::fields::coupling_weights", n);
  auto p = Kokkos::create_mirror_view(w.positions);
  auto m = Kokkos::create_mirror_view(w.weights);
  for (int i = 0; i < n; ++i) {
    m(i) = 1.0 / n;
    for (int k = 0; k < dim; ++k) p(i, k) = x[static_cast<size_t>(i) * dim + k];
  }
  Kokkos::deep_copy(w.positions, p);
  Kokkos::deep_copy(w.weights, m);
  return w;
}

void couple_entropic(const CouplingConfig& cfg, int dim, int n, const std::vector<double>& x0, std::vector<double>& x1) {
  const WeightedPoints a = uniform_cloud(dim, n, x0), b = uniform_cloud(dim, n, x1);
  mf::ot::SinkhornOptions opt;
  opt.eps = cfg.eps;
  // The default marginal tolerance (1e-6, L1): the projection divides by the computed row masses, so
  // the images are convex combinations of the batch's X1 whatever the residual imbalance.
  const auto r = mf::ot::sinkhorn(MPI_COMM_SELF, a, b, opt);
  if (!r.converged)
    throw SolverError("minibatch_ot coupling: Sinkhorn did not converge on a batch of " + std::to_string(n) +
                      " pairs at coupling_eps = " + std::to_string(cfg.eps) + " (marginal error " +
                      std::to_string(r.marginal_error) + "); raise coupling_eps or use 0 (exact)");
  const auto image = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                          mf::ot::barycentric_projection(MPI_COMM_SELF, a, b, r, cfg.eps));
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < dim; ++k) x1[static_cast<size_t>(i) * dim + k] = image(i, k);
}

}  // namespace

void couple_minibatch(const CouplingConfig& cfg, int dim, int n, const std::vector<double>& x0,
                      std::vector<double>& x1) {
  if (n <= 1) return;
  if (cfg.eps > 0.0)
    couple_entropic(cfg, dim, n, x0, x1);
  else if (dim == 1)
    couple_sorted_1d(n, x0, x1);
  else
    couple_assignment(dim, n, x0, x1);
}

}  // namespace mf::fields::detail
