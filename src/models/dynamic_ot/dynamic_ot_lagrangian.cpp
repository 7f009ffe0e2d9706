#include <mpi.h>

#include "dynamic_ot_views.hpp"
#include "particle_coupling.hpp"

namespace mf::dynamic_ot {

DynamicOtLagrangian::DynamicOtLagrangian(const Measure& from, const Measure& to, std::int64_t particles,
                                         std::uint64_t seed, const Grid& decomposition)
    : particles_(from.dim()), decomposition_(decomposition), dim_(from.dim()) {
  const std::int64_t n = particles;
  start_.assign(static_cast<size_t>(n) * dim_, 0.0);
  std::vector<double> target(static_cast<size_t>(n) * dim_, 0.0);
  // Independent counter-based streams for the two measures.
  for (std::int64_t i = 0; i < n; ++i) {
    from.sample(seed, i, &start_[static_cast<size_t>(i) * dim_]);
    to.sample(seed + 0x9e3779b97f4a7c15ULL, i, &target[static_cast<size_t>(i) * dim_]);
  }
  const std::vector<int> perm = exact_assignment(start_, target, dim_);
  w2sq_ = assignment_cost(start_, target, dim_, perm);
  end_.assign(start_.size(), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (int a = 0; a < dim_; ++a) end_[static_cast<size_t>(i) * dim_ + a] = target[static_cast<size_t>(perm[i]) * dim_ + a];
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
