// The rows of n points that each rank updates (contiguous, in rank order) and the gather of all slices:
// every rank then holds every row, and sums taken in index order are the same bits on any rank count.
#pragma once
#include <mpi.h>

#include <vector>

#include "bin_hierarchy.hpp"

namespace mf::ot::detail {

struct Slices {
  std::vector<int> counts, displs;
  int rank = 0;
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
  int lo() const { return displs[rank]; }
  int hi() const { return displs[rank] + counts[rank]; }
  void gather(MPI_Comm comm, const Real1& a) const {
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, a.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  }
};

}  // namespace mf::ot::detail
