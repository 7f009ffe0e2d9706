// Process resource figures reported next to results (`measureflow ot`, benchmarks).
#pragma once
#include <mpi.h>

namespace mf {

// Largest peak resident set size over the ranks of comm, in MiB. It covers the whole process (MPI,
// PETSc, Kokkos and HDF5 libraries, loaded data), not one solver alone. Collective.
double peak_memory_mib(MPI_Comm comm);

}  // namespace mf
