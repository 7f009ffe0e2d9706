// Minimal reader of point-set files for `measureflow ot` (stand-in for mf::io::read_point_set).
#pragma once
#include <mpi.h>

#include <string>

#include "measureflow/weighted_points.hpp"

namespace mf::ot_cli {

// Reads a particles.h5 (`snapshots/NNNNNN/{positions,weights}`, the last snapshot unless `snapshot`
// ≥ 0) or a file with root datasets `positions` (N×d) and optional `weights` (N; default all 1).
// Rank 0 reads the whole set and scatters contiguous blocks (the first N mod P ranks get one more),
// so it must fit in rank 0's memory. Collective; throws mf::InputError on every rank on failure.
WeightedPoints load_point_set(MPI_Comm comm, const std::string& path, int snapshot = -1);

}  // namespace mf::ot_cli
