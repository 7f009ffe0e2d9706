// Particle migration: pack by destination rank, then the one particle exchange (particle_exchange.hpp).
// Host-side: it is communication, not a kernel.
#include <mpi.h>

#include <numeric>
#include <vector>

#include "measureflow/particles.hpp"
#include "particle_exchange.hpp"

namespace mf {

long long migrate(ParticleSet& p, const Grid& grid) {
  MPI_Comm comm = grid.comm();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int d = p.dim();
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
  auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
  const std::size_t n = p.size();

  std::vector<int> dest(n);
  particle_exchange::Plan plan;
  plan.send_count.assign(size, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < d; ++a) x(i, a) = grid.wrap(a, x(i, a));
    dest[i] = grid.owner_of(&x(i, 0));
    ++plan.send_count[dest[i]];
  }
  particle_exchange::complete_plan(comm, plan);

  // Pack in original order within each destination so the result is deterministic.
  particle_exchange::Packed out(d, n);
  std::vector<int> cursor = plan.send_offset;
  for (std::size_t i = 0; i < n; ++i) out.put(static_cast<std::size_t>(cursor[dest[i]]++), x, w, id, i);
  const particle_exchange::Packed in = particle_exchange::alltoallv(comm, out, plan);
  p.resize(in.size());
  particle_exchange::unpack(in, p.positions, p.weights, p.ids);

  long long moved = static_cast<long long>(n) - plan.send_count[rank], total = 0;
  MPI_Allreduce(&moved, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);
  return total;
}

}  // namespace mf
