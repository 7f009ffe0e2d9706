// Particle migration: pack by destination rank, exchange counts (Alltoall), then positions, weights
// and ids (Alltoallv). Host-side: it is communication, not a kernel.
#include <mpi.h>

#include <numeric>
#include <vector>

#include "measureflow/particles.hpp"

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
  std::vector<int> send_count(size, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < d; ++a) x(i, a) = grid.wrap(a, x(i, a));
    dest[i] = grid.owner_of(&x(i, 0));
    ++send_count[dest[i]];
  }
  std::vector<int> recv_count(size, 0);
  MPI_Alltoall(send_count.data(), 1, MPI_INT, recv_count.data(), 1, MPI_INT, comm);

  std::vector<int> send_off(size, 0), recv_off(size, 0);
  std::partial_sum(send_count.begin(), send_count.end() - 1, send_off.begin() + 1);
  std::partial_sum(recv_count.begin(), recv_count.end() - 1, recv_off.begin() + 1);
  const std::size_t n_new = static_cast<std::size_t>(recv_off[size - 1] + recv_count[size - 1]);

  // Pack in original order within each destination so the result is deterministic.
  std::vector<double> sx(n * d), sw(n);
  std::vector<std::int64_t> sid(n);
  std::vector<int> cursor = send_off;
  for (std::size_t i = 0; i < n; ++i) {
    const int slot = cursor[dest[i]]++;
    for (int a = 0; a < d; ++a) sx[static_cast<std::size_t>(slot) * d + a] = x(i, a);
    sw[slot] = w(i);
    sid[slot] = id(i);
  }
  std::vector<double> rx(n_new * d), rw(n_new);
  std::vector<std::int64_t> rid(n_new);
  MPI_Alltoallv(sw.data(), send_count.data(), send_off.data(), MPI_DOUBLE, rw.data(), recv_count.data(),
                recv_off.data(), MPI_DOUBLE, comm);
  MPI_Alltoallv(sid.data(), send_count.data(), send_off.data(), MPI_INT64_T, rid.data(), recv_count.data(),
                recv_off.data(), MPI_INT64_T, comm);
  std::vector<int> send_count_d(size), send_off_d(size), recv_count_d(size), recv_off_d(size);
  for (int r = 0; r < size; ++r) {
    send_count_d[r] = send_count[r] * d;
    send_off_d[r] = send_off[r] * d;
    recv_count_d[r] = recv_count[r] * d;
    recv_off_d[r] = recv_off[r] * d;
  }
  MPI_Alltoallv(sx.data(), send_count_d.data(), send_off_d.data(), MPI_DOUBLE, rx.data(), recv_count_d.data(),
                recv_off_d.data(), MPI_DOUBLE, comm);

  p.resize(n_new);
  auto hx = Kokkos::create_mirror_view(p.positions);
  auto hw = Kokkos::create_mirror_view(p.weights);
  auto hid = Kokkos::create_mirror_view(p.ids);
  for (std::size_t i = 0; i < n_new; ++i) {
    for (int a = 0; a < d; ++a) hx(i, a) = rx[i * d + a];
    hw(i) = rw[i];
    hid(i) = rid[i];
  }
  Kokkos::deep_copy(p.positions, hx);
  Kokkos::deep_copy(p.weights, hw);
  Kokkos::deep_copy(p.ids, hid);

  long long moved = static_cast<long long>(n) - send_count[rank], total = 0;
  MPI_Allreduce(&moved, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);
  return total;
}

}  // namespace mf
