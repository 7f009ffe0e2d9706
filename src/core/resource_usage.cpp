#include "measureflow/resource_usage.hpp"

#include <sys/resource.h>

namespace mf {

double peak_memory_mib(MPI_Comm comm) {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  double mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports ru_maxrss in KiB
  MPI_Allreduce(MPI_IN_PLACE, &mib, 1, MPI_DOUBLE, MPI_MAX, comm);
  return mib;
}

}  // namespace mf
