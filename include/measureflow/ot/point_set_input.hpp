// Point-set files for `measureflow ot` and library users, read on rank 0 and scattered over a communicator.
#pragma once
#include <mpi.h>

#include <string>

#include "measureflow/weighted_points.hpp"

namespace mf::ot {

// Reads a particles.h5 (`snapshots/NNNNNN/{positions,weights}`, the last snapshot unless `snapshot`
// ≥ 0) or a file with root datasets `positions` (N×d) and optional `weights` (N; default all 1).
// Rank 0 reads the whole set and scatters contiguous blocks (the first N mod P ranks get one more),
// so it must fit in rank 0's memory. Collective; throws mf::InputError on every rank on failure.
WeightedPoints load_point_set(MPI_Comm comm, const std::string& path, int snapshot = -1);

}  // namespace mf::ot
