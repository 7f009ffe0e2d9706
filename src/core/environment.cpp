#include "measureflow/environment.hpp"

#include <petscsys.h>

#include <Kokkos_Core.hpp>

namespace mf {

Environment::Environment(int& argc, char**& argv) {
  PetscCallAbort(MPI_COMM_WORLD, PetscInitialize(&argc, &argv, nullptr, nullptr));
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // Kokkos' own flags (--kokkos-threads ...) are not forwarded: parallelism comes from MPI ranks
  // with the Serial backend; a threaded backend picks its defaults from the environment.
  Kokkos::initialize();
}

Environment::~Environment() {
  Kokkos::finalize();
  PetscFinalize();
}

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int world_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

}  // namespace mf
