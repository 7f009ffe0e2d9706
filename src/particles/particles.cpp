#include "measureflow/particles.hpp"

#include <mpi.h>

#include <vector>

namespace mf {

ParticleSet::ParticleSet(int dim, std::size_t n_local)
    : positions("positions", n_local, dim), weights("weights", n_local), ids("ids", n_local), dim_(dim) {}

void ParticleSet::resize(std::size_t n) {
  Kokkos::resize(positions, n, dim_);
  Kokkos::resize(weights, n);
  Kokkos::resize(ids, n);
}

IdRange id_block(std::int64_t total, int rank, int size) {
  const std::int64_t base = total / size, extra = total % size;
  const std::int64_t first = rank * base + (rank < extra ? rank : extra);
  return {first, base + (rank < extra ? 1 : 0)};
}

long long global_count(const ParticleSet& p, MPI_Comm comm) {
  long long n = static_cast<long long>(p.size()), total = 0;
  MPI_Allreduce(&n, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);
  return total;
}

double global_weight(const ParticleSet& p, MPI_Comm comm) {
  auto w = p.weights;
  double local = 0.0;
  Kokkos::parallel_reduce(
      "mf::particles::weight_sum", Kokkos::RangePolicy<>(0, w.extent(0)),
      KOKKOS_LAMBDA(const int i, double& s) { s += w(i); }, local);
  double total = 0.0;
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, comm);
  return total;
}

}  // namespace mf
