// Halo exchange: subdomain boxes are gathered once per call (P boxes, P small), each particle is tested
// against every other box, then the copies travel by Alltoallv. Host-side: this is communication.
#include "measureflow/halo.hpp"

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

template <class T>
void exchange(MPI_Comm comm, const std::vector<T>& send, const std::vector<int>& sc, const std::vector<int>& so,
              std::vector<T>& recv, const std::vector<int>& rc, const std::vector<int>& ro, int per, MPI_Datatype type) {
  const int size = static_cast<int>(sc.size());
  std::vector<int> a(size), b(size), c(size), d(size);
  for (int r = 0; r < size; ++r) {
    a[r] = sc[r] * per;
    b[r] = so[r] * per;
    c[r] = rc[r] * per;
    d[r] = ro[r] * per;
  }
  MPI_Alltoallv(send.data(), a.data(), b.data(), type, recv.data(), c.data(), d.data(), type, comm);
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
  h.send_count.assign(size, 0);
  std::vector<std::vector<int>> by_rank(size);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (int r = 0; r < size; ++r) {
      if (r == rank) continue;
      // A hair of slack: sending an extra particle costs nothing, missing one changes the forces.
      if (distance_to_box(&x(i, 0), d, &boxes[6 * r]) <= cutoff * (1.0 + 1e-12)) by_rank[r].push_back(static_cast<int>(i));
    }
  h.send_offset.assign(size, 0);
  for (int r = 0; r < size; ++r) {
    h.send_count[r] = static_cast<int>(by_rank[r].size());
    if (r > 0) h.send_offset[r] = h.send_offset[r - 1] + h.send_count[r - 1];
    h.send_index.insert(h.send_index.end(), by_rank[r].begin(), by_rank[r].end());
  }
  h.recv_count.assign(size, 0);
  MPI_Alltoall(h.send_count.data(), 1, MPI_INT, h.recv_count.data(), 1, MPI_INT, comm);
  h.recv_offset.assign(size, 0);
  for (int r = 1; r < size; ++r) h.recv_offset[r] = h.recv_offset[r - 1] + h.recv_count[r - 1];
  const std::size_t n_send = h.send_index.size();
  const std::size_t n_recv = static_cast<std::size_t>(h.recv_offset[size - 1] + h.recv_count[size - 1]);

  std::vector<double> sx(n_send * d), sw(n_send), rx(n_recv * d), rw(n_recv);
  std::vector<std::int64_t> sid(n_send), rid(n_recv);
  for (std::size_t k = 0; k < n_send; ++k) {
    const int i = h.send_index[k];
    for (int a = 0; a < d; ++a) sx[k * d + a] = x(i, a);
    sw[k] = w(i);
    sid[k] = id(i);
  }
  exchange(comm, sx, h.send_count, h.send_offset, rx, h.recv_count, h.recv_offset, d, MPI_DOUBLE);
  exchange(comm, sw, h.send_count, h.send_offset, rw, h.recv_count, h.recv_offset, 1, MPI_DOUBLE);
  exchange(comm, sid, h.send_count, h.send_offset, rid, h.recv_count, h.recv_offset, 1, MPI_INT64_T);

  h.positions = PointsView("halo_positions", n_recv, d);
  h.weights = WeightsView("halo_weights", n_recv);
  h.ids = IdsView("halo_ids", n_recv);
  auto hx = Kokkos::create_mirror_view(h.positions);
  auto hw = Kokkos::create_mirror_view(h.weights);
  auto hid = Kokkos::create_mirror_view(h.ids);
  for (std::size_t k = 0; k < n_recv; ++k) {
    for (int a = 0; a < d; ++a) hx(k, a) = rx[k * d + a];
    hw(k) = rw[k];
    hid(k) = rid[k];
  }
  Kokkos::deep_copy(h.positions, hx);
  Kokkos::deep_copy(h.weights, hw);
  Kokkos::deep_copy(h.ids, hid);
  return h;
}

Kokkos::View<double*> halo_values(const Halo& h, Kokkos::View<const double*> local_values) {
  auto v = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), local_values);
  std::vector<double> send(h.send_index.size()), recv(h.size());
  for (std::size_t k = 0; k < send.size(); ++k) send[k] = v(h.send_index[k]);
  exchange(h.comm, send, h.send_count, h.send_offset, recv, h.recv_count, h.recv_offset, 1, MPI_DOUBLE);
  Kokkos::View<double*> out("halo_values", recv.size());
  auto ho = Kokkos::create_mirror_view(out);
  for (std::size_t k = 0; k < recv.size(); ++k) ho(k) = recv[k];
  Kokkos::deep_copy(out, ho);
  return out;
}

}  // namespace mf
