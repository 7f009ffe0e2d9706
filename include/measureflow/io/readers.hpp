// Readers for fields.h5 and point-set files (initial.type: file, `measureflow ot`): any rank, independently.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "measureflow/io/run_info.hpp"

namespace mf::io {

// One grid snapshot: density in C order [nz][ny][nx].
struct GridSnapshot {
  GridInfo grid;
  double time = 0;
  std::vector<double> density;
};
// snapshot = -1 means the last one. Throws InputError naming the file and the problem (missing file, not
// HDF5, missing group/dataset/attribute, wrong shape, index out of range with the available ones listed).
GridSnapshot read_grid_snapshot(const std::string& path, int snapshot = -1);

// A weighted point cloud: positions N×dim row-major, weights N, ids N.
struct PointSet {
  int dim = 0;
  std::vector<double> positions;
  std::vector<double> weights;
  std::vector<std::int64_t> ids;
  double time = 0;
};
// Either a particles.h5 (snapshots/NNNNNN, last unless `snapshot` given) or any HDF5 file with root datasets
// `positions` (N×d, or N for d = 1) and optional `weights` (N; default uniform 1/N) and `ids` (default 0..N-1).
PointSet read_point_set(const std::string& path, int snapshot = -1);

// Cheap probes (false for missing or non-HDF5 files, never throw).
bool has_grid_snapshots(const std::string& path);
bool has_particle_data(const std::string& path);

}  // namespace mf::io
