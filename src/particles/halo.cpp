// Halo exchange: subdomain boxes are gathered once per call (P boxes, P small), each particle is tested
// against every other box, then the copies travel by Alltoallv. Host-side: this is communication.
#include "measureflow/halo.hpp"

#include "particle_exchange.hpp"

#include <mpi.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace mf {

namespace {

// This rank's subdomain [lo, hi) per axis, open to ±∞ across the box walls.
void owned_box(const Grid& grid, double* box) {
  const double inf = std::numeric_limits<double>::infinity();
  for (int a = 0; a < 3; ++a) {
    const PetscInt s = grid.owned().start[a], c = grid.owned().count[a];
    const bool used = a < grid.dim();
    box[2 * a] = (!used || s == 0) ? -inf : grid.spec().lower[a] + s * grid.h(a);
    box[2 * a + 1] = (!used || s + c == grid.spec().cells[a]) ? inf : grid.spec().lower[a] + (s + c) * grid.h(a);
  }
}

double distance_to_box(const double* x, int dim, const double* box) {
  double d2 = 0.0;
  for (int a = 0; a < dim; ++a) {
    const double lo = box[2 * a], hi = box[2 * a + 1];
    const double d = x[a] < lo ? lo - x[a] : (x[a] > hi ? x[a] - hi : 0.0);
    d2 += d * d;
  }
  return std::sqrt(d2);
}

}  // namespace

Halo exchange_halo(const ParticleSet& p, const Grid& grid, double cutoff) {
  if (grid.periodic()) throw std::invalid_argument("exchange_halo: periodic grids are not supported");
  MPI_Comm comm = grid.comm();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int d = p.dim();
  double mine[6];
  owned_box(grid, mine);
  std::vector<double> boxes(6 * static_cast<std::size_t>(size));
  MPI_Allgather(mine, 6, MPI_DOUBLE, boxes.data(), 6, MPI_DOUBLE, comm);

  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.positions);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.weights);
  auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.ids);
  Halo h;
  h.dim = d;
  h.comm = comm;
  std::vector<std::vector<int>> by_rank(size);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (int r = 0; r < size; ++r) {
      if (r == rank) continue;
      // A hair of slack: sending an extra particle costs nothing, missing one changes the forces.
      if (distance_to_box(&x(i, 0), d, &boxes[6 * r]) <= cutoff * (1.0 + 1e-12)) by_rank[r].push_back(static_cast<int>(i));
    }
  particle_exchange::Plan plan;
  plan.send_count.assign(size, 0);
  for (int r = 0; r < size; ++r) {
    plan.send_count[r] = static_cast<int>(by_rank[r].size());
    h.send_index.insert(h.send_index.end(), by_rank[r].begin(), by_rank[r].end());
  }
  particle_exchange::complete_plan(comm, plan);
  h.send_count = plan.send_count;
  h.send_offset = plan.send_offset;
  h.recv_count = plan.recv_count;
  h.recv_offset = plan.recv_offset;

  particle_exchange::Packed out(d, h.send_index.size());
  for (std::size_t k = 0; k < out.size(); ++k) out.put(k, x, w, id, static_cast<std::size_t>(h.send_index[k]));
  const particle_exchange::Packed in = particle_exchange::alltoallv(comm, out, plan);

  h.positions = PointsView("halo_positions", in.size(), d);
  h.weights = WeightsView("halo_weights", in.size());
  h.ids = IdsView("halo_ids", in.size());
  particle_exchange::unpack(in, h.positions, h.weights, h.ids);
  return h;
}

Kokkos::View<double*> halo_values(const Halo& h, Kokkos::View<const double*> local_values) {
  auto v = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), local_values);
  std::vector<double> send(h.send_index.size()), recv(h.size());
  for (std::size_t k = 0; k < send.size(); ++k) send[k] = v(h.send_index[k]);
  const particle_exchange::Plan plan{h.send_count, h.send_offset, h.recv_count, h.recv_offset};
  particle_exchange::alltoallv_values(h.comm, send, recv, plan, 1, MPI_DOUBLE);
  Kokkos::View<double*> out("halo_values", recv.size());
  auto ho = Kokkos::create_mirror_view(out);
  for (std::size_t k = 0; k < recv.size(); ++k) ho(k) = recv[k];
  Kokkos::deep_copy(out, ho);
  return out;
}

}  // namespace mf
