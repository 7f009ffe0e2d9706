#include <vector>

#include "measureflow/particle_sampling.hpp"

namespace mf {

ParticleSet sample_id_block(MPI_Comm comm, const Measure& measure, long long total, std::uint64_t seed,
                            double mass) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const IdRange ids = id_block(total, rank, size);
  const int d = measure.dim();
  ParticleSet p(d, static_cast<std::size_t>(ids.count));
  // Host loop: the samplers use rejection and small dense algebra (run once per run).
  auto hx = Kokkos::create_mirror_view(p.positions);
  auto hw = Kokkos::create_mirror_view(p.weights);
  auto hid = Kokkos::create_mirror_view(p.ids);
  std::vector<double> x(d);
  for (std::int64_t i = 0; i < ids.count; ++i) {
    const std::int64_t id = ids.first + i;
    measure.sample(seed, id, x.data());
    for (int a = 0; a < d; ++a) hx(i, a) = x[a];
    hw(i) = mass / static_cast<double>(total);
    hid(i) = id;
  }
  Kokkos::deep_copy(p.positions, hx);
  Kokkos::deep_copy(p.weights, hw);
  Kokkos::deep_copy(p.ids, hid);
  return p;
}

ParticleSet sample_particles(const Measure& measure, long long total, std::uint64_t seed, const Grid& grid,
                             double mass) {
  ParticleSet p = sample_id_block(grid.comm(), measure, total, seed, mass);
  migrate(p, grid);
  return p;
}

}  // namespace mf
