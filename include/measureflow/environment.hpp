// RAII owner of the process-wide runtime: MPI (through PETSc), PETSc and Kokkos, in that order.
#pragma once
#include <mpi.h>

namespace mf {

class Environment {
 public:
  // Takes the PETSc part of the command line (options such as -log_view, -ksp_type).
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  MPI_Comm comm() const { return MPI_COMM_WORLD; }

 private:
  int rank_ = 0;
  int size_ = 1;
};

// Rank and size of MPI_COMM_WORLD, for code that has no Environment at hand.
int world_rank();
int world_size();

}  // namespace mf
