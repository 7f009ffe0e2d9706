#include "measureflow/environment.hpp"

#include <petscsys.h>

#include <Kokkos_Core.hpp>

#ifdef MF_HAVE_OPENBLAS
#include <cblas.h>  // openblas_set_num_threads
#endif

namespace mf {

Environment::Environment(int& argc, char**& argv) {
  PetscCallAbort(MPI_COMM_WORLD, PetscInitialize(&argc, &argv, nullptr, nullptr));
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // Kokkos' own flags (--kokkos-threads ...) are not forwarded: parallelism comes from MPI ranks
  // with the Serial backend; a threaded backend picks its defaults from the environment.
  Kokkos::initialize();
#ifdef MF_HAVE_OPENBLAS
  // One BLAS thread per rank: the ranks already fill the cores, and a threaded OpenBLAS under MPI would
  // oversubscribe them (Debian's pthread build starts one thread per core in every rank). Overrides
  // OPENBLAS_NUM_THREADS; a no-op for the serial build setup.sh installs.
  openblas_set_num_threads(1);
#endif
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
