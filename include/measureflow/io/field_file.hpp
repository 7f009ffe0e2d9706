// fields.h5 writer: grid snapshots from every rank's block, written collectively, published atomically.
#pragma once
#include <mpi.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measureflow/io/run_info.hpp"
#include "measureflow/io/snapshot_file_writer.hpp"

namespace mf::io {

// Layout: root attributes from RunInfo; group `grid` (attributes dim, lower, upper, cells);
// snapshots/NNNNNN (attribute `time`) with one dataset per field, shape cells reversed ([nz][ny][nx]).
class FieldFileWriter : public SnapshotFileWriter {
 public:
  // Collective. Opens `<final_path>.tmp`; throws InputError for a malformed grid.
  FieldFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, const GridInfo& grid);
  // Continues a published file after a restart at time `resume_time` (see ParallelFile's resume mode).
  FieldFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, const GridInfo& grid,
                  double resume_time);

  // Collective. `fields` maps dataset names to local-block arrays (the same names in the same order on
  // every rank; a rank with an empty block passes its names with any pointer). Blocks must tile the grid.
  void write_snapshot(double time, const GridBlock& block,
                      const std::vector<std::pair<std::string, const double*>>& fields);

  // What was written, for the XDMF: group, time and field names per snapshot.
  struct Record {
    std::string group;
    double time;
    std::vector<std::string> fields;
  };
  const std::vector<Record>& records() const { return records_; }
  const GridInfo& grid() const { return grid_; }

 private:
  FieldFileWriter(MPI_Comm comm, const std::string& final_path, const RunInfo& run, const GridInfo& grid,
                  std::optional<double> resume_time);
  GridInfo grid_;
  std::vector<Record> records_;
};

}  // namespace mf::io
