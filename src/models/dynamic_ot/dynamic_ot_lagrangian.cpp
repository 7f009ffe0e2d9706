#include <mpi.h>

#include <algorithm>

#include "dynamic_ot_views.hpp"
#include "measureflow/small_matrix.hpp"
#include "entropic_coupling.hpp"
#include "particle_coupling.hpp"

namespace mf::dynamic_ot {

namespace {

// Smallest eigenvalue of the sample covariance of an n × dim cloud.
double smallest_variance(const std::vector<double>& p, int dim) {
  const std::size_t n = p.size() / dim;
  Vector mean(dim, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < dim; ++a) mean[a] += p[i * dim + a] / static_cast<double>(n);
  Matrix cov(dim, dim);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < dim; ++a)
      for (int b = 0; b < dim; ++b)
        cov(a, b) += (p[i * dim + a] - mean[a]) * (p[i * dim + b] - mean[b]) / static_cast<double>(n);
  return std::max(symmetric_eigen(cov).values.front(), 0.0);
}

}  // namespace

double default_coupling_eps(const Grid& grid, const std::vector<double>& x, const std::vector<double>& y, int dim) {
  // h² of the coarsest axis: the Eulerian view resolves nothing finer, so a blur at that scale is not
  // visible against it. Capped at λ_min/16 of the two clouds' covariances: the entropic map of a Gaussian
  // pair contracts T_#α0 by ≈ ε/(4λ) in standard deviation, so the cap keeps that below 1.6 % (under the
  // sampling error of the spread, 1/sqrt(2n), for the n ≤ 2000 of the decks) on coarse grids, where h²
  // alone would contract a narrow measure by 20 % (16² grid, bump variance 0.005: ε/λ = 0.8).
  double h = 0.0;
  for (int a = 0; a < grid.dim(); ++a) h = std::max(h, grid.h(a));
  const double spread = std::min(smallest_variance(x, dim), smallest_variance(y, dim));
  const double eps = spread > 0.0 ? std::min(h * h, spread / 16.0) : h * h;
  return eps > 0.0 ? eps : 1e-6;  // a degenerate cloud (all points equal): any small ε is exact
}

DynamicOtLagrangian::DynamicOtLagrangian(const Measure& from, const Measure& to, std::int64_t particles,
                                         std::uint64_t seed, const Grid& decomposition, Coupling coupling,
                                         double coupling_eps)
    : particles_(from.dim()), decomposition_(decomposition), dim_(from.dim()) {
  const std::int64_t n = particles;
  start_.assign(static_cast<size_t>(n) * dim_, 0.0);
  std::vector<double> target(static_cast<size_t>(n) * dim_, 0.0);
  // Independent counter-based streams for the two measures.
  for (std::int64_t i = 0; i < n; ++i) {
    from.sample(seed, i, &start_[static_cast<size_t>(i) * dim_]);
    to.sample(seed + 0x9e3779b97f4a7c15ULL, i, &target[static_cast<size_t>(i) * dim_]);
  }
  // Sorting is exact and O(n log n) in 1D; in d ≥ 2 the exact permutation costs O(n³) (n ≤ 2000), so
  // the default there is the entropic coupling.
  coupling_ = coupling != Coupling::Auto ? coupling : (dim_ == 1 ? Coupling::Exact : Coupling::Entropic);
  if (coupling_ == Coupling::Exact) {
    const double t0 = MPI_Wtime();
    const std::vector<int> perm = exact_assignment(start_, target, dim_);
    w2sq_ = assignment_cost(start_, target, dim_, perm);
    kinetic_ = 0.5 * w2sq_;
    end_.assign(start_.size(), 0.0);
    for (std::int64_t i = 0; i < n; ++i)
      for (int a = 0; a < dim_; ++a)
        end_[static_cast<size_t>(i) * dim_ + a] = target[static_cast<size_t>(perm[i]) * dim_ + a];
    coupling_seconds_ = MPI_Wtime() - t0;
  } else {
    eps_ = coupling_eps > 0.0 ? coupling_eps : default_coupling_eps(decomposition, start_, target, dim_);
    EntropicCoupling c = entropic_coupling(decomposition.comm(), start_, target, dim_, eps_);
    end_ = std::move(c.end);
    kinetic_ = 0.5 * c.displacement;
    // The W2² estimate is the debiased divergence, not Σ|x − T(x)|²/n nor ⟨π, C⟩: the plan at ε > 0
    // blurs each particle over its neighbours, which adds ≈ (d/2)ε to ⟨π, C⟩ (an upper bias) and pulls
    // T(x) towards local means (Σ|x − T(x)|² ≤ ⟨π, C⟩ by Jensen, a bias of either sign against W2²);
    // S_ε cancels the blur of both self-terms to O(ε²) and is the closest to the closed form in
    // tests/unit/dynamic_ot_entropic_coupling_test.cpp (table in docs/dynamic_ot.md).
    w2sq_ = c.divergence;
    coupling_seconds_ = c.seconds;
    coupling_iterations_ = c.iterations;
  }
  int rank, size;
  MPI_Comm_rank(decomposition.comm(), &rank);
  MPI_Comm_size(decomposition.comm(), &size);
  const IdRange r = id_block(n, rank, size);
  particles_.resize(static_cast<std::size_t>(r.count));
  auto ids = Kokkos::create_mirror_view(particles_.ids);
  auto w = Kokkos::create_mirror_view(particles_.weights);
  for (std::int64_t i = 0; i < r.count; ++i) {
    ids(i) = r.first + i;
    w(i) = 1.0 / static_cast<double>(n);
  }
  Kokkos::deep_copy(particles_.ids, ids);
  Kokkos::deep_copy(particles_.weights, w);
  move_to(0.0);
}

std::vector<double> DynamicOtLagrangian::positions_at(double t) const {
  std::vector<double> x(start_.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (1.0 - t) * start_[i] + t * end_[i];
  return x;
}

void DynamicOtLagrangian::move_to(double t) {
  auto pos = Kokkos::create_mirror_view(particles_.positions);
  auto ids = Kokkos::create_mirror_view(particles_.ids);
  Kokkos::deep_copy(ids, particles_.ids);
  // Straight lines x(t) = (1 − t)x + tT(x) (eq. 12): a host loop over the stored coupling.
  for (std::size_t p = 0; p < particles_.size(); ++p) {
    const std::size_t i = static_cast<std::size_t>(ids(p));
    for (int a = 0; a < dim_; ++a) pos(p, a) = (1.0 - t) * start_[i * dim_ + a] + t * end_[i * dim_ + a];
  }
  Kokkos::deep_copy(particles_.positions, pos);
  migrate(particles_, decomposition_);
}

}  // namespace mf::dynamic_ot
