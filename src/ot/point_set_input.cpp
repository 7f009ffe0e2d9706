#include "measureflow/ot/point_set_input.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "measureflow/errors.hpp"
#include "measureflow/io/readers.hpp"

namespace mf::ot {

WeightedPoints load_point_set(MPI_Comm comm, const std::string& path, int snapshot) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  io::PointSet s;
  std::string error;
  if (rank == 0) {
    try {
      s = io::read_point_set(path, snapshot);
      if (s.weights.empty()) throw InputError(path + ": empty point set");
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  // A failure on rank 0 must become the same exception on every rank, or the others would hang.
  int len = static_cast<int>(error.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, comm);
  if (len > 0) {
    error.resize(len);
    MPI_Bcast(error.data(), len, MPI_CHAR, 0, comm);
    throw InputError(error);
  }
  int shape[2] = {static_cast<int>(s.weights.size()), s.dim};
  MPI_Bcast(shape, 2, MPI_INT, 0, comm);
  const int n = shape[0], dim = shape[1];
  std::vector<int> counts(size), displs(size), pcounts(size), pdispls(size);
  for (int r = 0; r < size; ++r) {
    counts[r] = n / size + (r < n % size ? 1 : 0);
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
    pcounts[r] = counts[r] * dim;
    pdispls[r] = displs[r] * dim;
  }
  WeightedPoints wp;
  wp.dim = dim;
  wp.positions = PointsView("mf::ot::positions", counts[rank], dim);
  wp.weights = WeightsView("mf::ot::weights", counts[rank]);
  auto hp = Kokkos::create_mirror_view(wp.positions);
  auto hw = Kokkos::create_mirror_view(wp.weights);
  MPI_Scatterv(s.positions.data(), pcounts.data(), pdispls.data(), MPI_DOUBLE, hp.data(), pcounts[rank], MPI_DOUBLE, 0,
               comm);
  MPI_Scatterv(s.weights.data(), counts.data(), displs.data(), MPI_DOUBLE, hw.data(), counts[rank], MPI_DOUBLE, 0, comm);
  Kokkos::deep_copy(wp.positions, hp);
  Kokkos::deep_copy(wp.weights, hw);
  return wp;
}

}  // namespace mf::ot
