#include "measureflow/ring_exchange.hpp"

#include <stdexcept>
#include <string>

namespace mf::ring_detail {

RingShape ring_shape(MPI_Comm comm, long long width, long long rows) {
  RingShape s;
  MPI_Comm_rank(comm, &s.rank);
  MPI_Comm_size(comm, &s.size);
  // One reduction answers both questions: the largest and smallest width (as −width) and the capacity.
  long long mine[3] = {width, -width, rows}, extreme[3];
  MPI_Allreduce(mine, extreme, 3, MPI_LONG_LONG, MPI_MAX, comm);
  if (extreme[0] != -extreme[1])
    throw std::invalid_argument("ring_visit: ranks disagree on the row width (" + std::to_string(width) + ")");
  s.width = width;
  s.capacity = extreme[2];
  return s;
}

long long ring_start(MPI_Comm comm, const RingShape& s, long long rows, const double* send, long long send_count,
                     double* recv, long long recv_capacity, MPI_Request req[2]) {
  const int next = (s.rank + 1) % s.size, prev = (s.rank + s.size - 1) % s.size;
  long long incoming = 0;
  MPI_Sendrecv(&rows, 1, MPI_LONG_LONG, next, 0, &incoming, 1, MPI_LONG_LONG, prev, 0, comm, MPI_STATUS_IGNORE);
  MPI_Irecv(recv, static_cast<int>(recv_capacity), MPI_DOUBLE, prev, 1, comm, &req[0]);
  MPI_Isend(send, static_cast<int>(send_count), MPI_DOUBLE, next, 1, comm, &req[1]);
  return incoming;
}

}  // namespace mf::ring_detail
