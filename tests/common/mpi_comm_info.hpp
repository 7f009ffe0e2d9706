// The rank and size of a communicator as values, for the MPI tests (one place instead of a copy per test).
#pragma once
#include <mpi.h>

namespace mf::testing {

inline int rank_of(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

inline int size_of(MPI_Comm comm) {
  int s = 0;
  MPI_Comm_size(comm, &s);
  return s;
}

}  // namespace mf::testing
