#include "measureflow/ring_exchange.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace mf {

void ring_visit(MPI_Comm comm, const RingBlock& local, const std::function<void(const RingBlock& block, int owner)>& visit) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const long long width = static_cast<long long>(local.extent(1));
  long long widths[2] = {width, -width}, extreme[2];
  MPI_Allreduce(widths, extreme, 2, MPI_LONG_LONG, MPI_MAX, comm);
  if (extreme[0] != -extreme[1])
    throw std::invalid_argument("ring_visit: ranks disagree on the row width (" + std::to_string(width) + ")");
  if (size == 1) {
    visit(local, rank);
    return;
  }
  long long rows = static_cast<long long>(local.extent(0)), max_rows = 0;
  MPI_Allreduce(&rows, &max_rows, 1, MPI_LONG_LONG, MPI_MAX, comm);
  RingBlock buf[2] = {RingBlock("ring_block_a", max_rows, width), RingBlock("ring_block_b", max_rows, width)};
  Kokkos::deep_copy(Kokkos::subview(buf[0], std::make_pair(0LL, rows), Kokkos::ALL), local);
  const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  int cur = 0;
  for (int step = 0; step < size; ++step) {
    const int owner = (rank - step + size) % size;
    const bool more = step + 1 < size;
    long long incoming = 0;
    MPI_Request req[2];
    if (more) {
      // Sizes first (tiny, blocking), then the rows travel while this block is visited.
      MPI_Sendrecv(&rows, 1, MPI_LONG_LONG, next, 0, &incoming, 1, MPI_LONG_LONG, prev, 0, comm, MPI_STATUS_IGNORE);
      MPI_Irecv(buf[1 - cur].data(), static_cast<int>(incoming * width), MPI_DOUBLE, prev, 1, comm, &req[0]);
      MPI_Isend(buf[cur].data(), static_cast<int>(rows * width), MPI_DOUBLE, next, 1, comm, &req[1]);
    }
    visit(Kokkos::subview(buf[cur], std::make_pair(0LL, rows), Kokkos::ALL), owner);
    if (more) {
      MPI_Waitall(2, req, MPI_STATUSES_IGNORE);
      cur = 1 - cur;
      rows = incoming;
    }
  }
}

}  // namespace mf
