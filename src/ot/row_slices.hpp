// The rows of n points that each rank updates (contiguous, in rank order) and the gather of all slices:
// every rank then holds every row, and sums taken in index order are the same bits on any rank count.
#pragma once
#include <mpi.h>

#include <algorithm>
#include <vector>

#include "bin_hierarchy.hpp"
#include "quiet_wait.hpp"

namespace mf::ot::detail {

// The first row of each of `parts` contiguous slices of rows weighted by `weight` (parts + 1 entries, the
// last = weight.size()): slice r starts at the first row whose preceding rows weigh at least r/parts of the
// total. Why: a sweep's time on a rank is its rows' kept pairs, not its rows, and every rank waits for the
// slowest in the gather. Each slice then weighs less than total/parts + the heaviest row.
inline std::vector<int> balanced_starts(const std::vector<long long>& weight, int parts) {
  long double total = 0.0L;
  for (long long w : weight) total += static_cast<long double>(w);
  std::vector<int> start(parts + 1, static_cast<int>(weight.size()));
  start[0] = 0;
  long double before = 0.0L;  // the weight of rows [0, i)
  int i = 0, r = 1;
  for (; r < parts; ++r) {
    const long double target = total * r / parts;
    while (i < static_cast<int>(weight.size()) && before < target) before += static_cast<long double>(weight[i++]);
    start[r] = i;
  }
  return start;
}

struct Slices {
  std::vector<int> counts, displs;
  int rank = 0;
  // By row count: n·r/size.
  Slices(MPI_Comm comm, int n) {
    int size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    counts.resize(size);
    displs.resize(size);
    for (int r = 0; r < size; ++r) {
      displs[r] = static_cast<int>(static_cast<long long>(n) * r / size);
      counts[r] = static_cast<int>(static_cast<long long>(n) * (r + 1) / size) - displs[r];
    }
  }
  // By weight (one entry per row, the same on every rank): balanced_starts.
  Slices(MPI_Comm comm, const std::vector<long long>& weight) {
    int size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const std::vector<int> start = balanced_starts(weight, size);
    displs.assign(start.begin(), start.end() - 1);
    counts.resize(size);
    for (int r = 0; r < size; ++r) counts[r] = start[r + 1] - start[r];
  }
  int lo() const { return displs[rank]; }
  int hi() const { return displs[rank] + counts[rank]; }
  // Every rank's slice of a, on every rank. Nonblocking and waited for quietly (quiet_wait.hpp): this is the
  // gather of every sweep, where a rank waits for the slowest. The same values as MPI_Allgatherv (a copy).
  void gather(MPI_Comm comm, const Real1& a) const {
    if (counts.size() == 1) return;  // one rank: its slice is every row
    MPI_Request request;
    MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, a.data(), counts.data(), displs.data(), MPI_DOUBLE, comm,
                    &request);
    wait_quietly(request);
  }
  // The largest slice's weight.
  long long largest_share(const std::vector<long long>& weight) const {
    long long most = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      long long w = 0;
      for (int i = displs[r]; i < displs[r] + counts[r]; ++i) w += weight[i];
      most = std::max(most, w);
    }
    return most;
  }
};

}  // namespace mf::ot::detail
