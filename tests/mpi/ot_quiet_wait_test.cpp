// Waiting without polling (src/ot/quiet_wait.hpp, Slices::gather in src/ot/row_slices.hpp): the gather gives
// every rank every slice, as MPI_Allgatherv does, and a rank waiting for a late one (rank 1 sleeps 0.3 s
// before it joins) spends little processor time doing so. A blocking wait in Open MPI polls: its processor
// time is the whole 0.3 s, so a gather that spun would fail the second test.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <ctime>
#include <vector>

#include "ot/quiet_wait.hpp"
#include "ot/row_slices.hpp"

namespace {

int comm_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

int comm_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

TEST(QuietWait, GatherHoldsEveryRanksSlice) {
  const std::vector<long long> weight = {5, 1, 1, 1, 9, 2, 2, 7, 1, 3, 3};  // uneven slices
  const mf::ot::detail::Slices sl(MPI_COMM_WORLD, weight);
  mf::ot::detail::Real1 a("a", weight.size());
  for (int i = sl.lo(); i < sl.hi(); ++i) a(i) = 0.5 + i;
  sl.gather(MPI_COMM_WORLD, a);
  for (int i = 0; i < static_cast<int>(weight.size()); ++i) EXPECT_EQ(a(i), 0.5 + i) << "row " << i;
}

TEST(QuietWait, AllreduceQuietlyReduces) {
  int value = 10 + comm_rank();
  mf::ot::detail::allreduce_quietly(&value, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(value, 10 + comm_size() - 1);
  long long low = 3 - comm_rank();
  mf::ot::detail::allreduce_quietly(&low, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  EXPECT_EQ(low, 3 - (comm_size() - 1));
}

TEST(QuietWait, WaitingForALateRankCostsLittleProcessorTime) {
  // Registered at 2 and 4 ranks only (tests/CMakeLists.txt): rank 0 waits for a late rank 1.
  ASSERT_GE(comm_size(), 2) << "needs a partner to wait for";
  const mf::ot::detail::Slices sl(MPI_COMM_WORLD, 4 * comm_size());
  mf::ot::detail::Real1 a("a", 4 * comm_size());
  MPI_Barrier(MPI_COMM_WORLD);
  const double wall0 = MPI_Wtime();
  const std::clock_t cpu0 = std::clock();
  if (comm_rank() == 1) {
    const timespec late{0, 300000000};
    nanosleep(&late, nullptr);
  }
  sl.gather(MPI_COMM_WORLD, a);
  const double wall = MPI_Wtime() - wall0;
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  if (comm_rank() != 1) {
    std::printf("rank %d waited %.3f s wall, %.3f s processor time\n", comm_rank(), wall, cpu);
    EXPECT_GE(wall, 0.25);     // it did wait for rank 1
    EXPECT_LT(cpu, 0.3 * wall);  // but mostly asleep (a polling wait: cpu ≈ wall)
  }
}

}  // namespace
