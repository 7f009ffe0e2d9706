// Waiting for a nonblocking MPI request without spinning for long: a short spin, then short sleeps.
//
// Why: the yardstick's share is measured in processor time of all ranks, and a blocking collective in Open MPI
// polls its progress loop while it waits. On 2 ranks shear_2d's sweeps split their work evenly (the row sums
// took 0.054 + 0.054 cpu s against 0.107 on one rank), but each rank also spent 0.09–0.13 cpu s polling in the
// sweeps' gathers, waiting for a partner that the shared machine had descheduled (docs/yardstick.md, "Waiting
// without polling", 2026-12-08). A rank that sleeps instead leaves the core to the partner it waits for.
// The spin covers the ordinary case, a partner a few microseconds behind, at the latency of a blocking wait.
#pragma once
#include <mpi.h>

#include <time.h>

namespace mf::ot::detail {

// How long a wait spins on MPI_Test before it sleeps, and each sleep (the kernel's timer slack adds ~50 µs).
constexpr double kSpinSeconds = 50e-6;
constexpr long kSleepNanoseconds = 20000;

// MPI_Wait(&request, MPI_STATUS_IGNORE), spinning at most kSpinSeconds.
inline void wait_quietly(MPI_Request& request) {
  int done = 0;
  const double start = MPI_Wtime();
  MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  while (!done && MPI_Wtime() - start < kSpinSeconds) MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  const timespec pause{0, kSleepNanoseconds};
  while (!done) {
    nanosleep(&pause, nullptr);
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  }
}

// MPI_Allreduce in place, waited for quietly: for the first collective after a rank's share of a build or a
// sweep, where it waits for the slowest rank. Only for integer flags and counts (MIN, MAX): a nonblocking
// reduction of doubles may sum in another order than the blocking one and change the bits.
inline void allreduce_quietly(void* data, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  MPI_Request request;
  MPI_Iallreduce(MPI_IN_PLACE, data, count, type, op, comm, &request);
  wait_quietly(request);
}

}  // namespace mf::ot::detail
