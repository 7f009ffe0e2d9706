// particles.h5 writer: each rank's particles written as a contiguous slice, published atomically.
#pragma once
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measureflow/io/run_info.hpp"
#include "measureflow/io/snapshot_file_writer.hpp"

namespace mf::io {

// Layout: root attributes from RunInfo, attribute `dim`; snapshots/NNNNNN (attribute `time`) with
// positions (N×d), weights (N), ids (N, int64) and connectivity (N, int64, 0..N-1: the XDMF Polyvertex
// topology); for dim 1 also positions_xyz (N×3, y = z = 0) for ParaView. Rank r's particles follow those of ranks < r.
class ParticleFileWriter : public SnapshotFileWriter {
 public:
  ParticleFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, int dim);
  // Continues a published file after a restart at time `resume_time` (see ParallelFile's resume mode).
  ParticleFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, int dim, double resume_time);

  // Further per-particle datasets of a snapshot: n_local × columns values, row-major (same on every rank).
  struct Extra {
    std::string name;
    int columns = 1;
    const double* values = nullptr;
  };
  // Collective. positions: n_local×dim row-major; weights, ids: n_local (pointers may be null when 0).
  void write_snapshot(double time, std::size_t n_local, const double* positions, const double* weights,
                      const std::int64_t* ids, const std::vector<Extra>& extras = {});
  int dim() const { return dim_; }

  struct Record {
    std::string group;
    double time;
    long long count;
    std::vector<std::pair<std::string, int>> extras;  // name, columns
  };
  const std::vector<Record>& records() const { return records_; }

 private:
  ParticleFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, int dim,
                     std::optional<double> resume_time);
  int dim_;
  std::vector<Record> records_;
};

}  // namespace mf::io
