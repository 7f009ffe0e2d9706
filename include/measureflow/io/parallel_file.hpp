// A parallel HDF5 file written at `<final>.tmp` and published by rename on close (readers never see a
// half-written file); the common part of the field and particle writers.
#pragma once
#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

#include "measureflow/io/hdf5_handle.hpp"
#include "measureflow/io/run_info.hpp"

namespace mf::io {

// Collective: throws std::runtime_error on every rank, naming `path` and "No space left on device", if
// the file system holding `path` has less than `bytes` plus 64 KiB (HDF5 metadata) free (rank 0 asks
// statvfs). Open MPI's MPI-IO (OMPIO) lets a write that fails for lack of space pass unreported, so
// the writers ask before each snapshot or checkpoint instead of trusting the write.
void require_free_space(MPI_Comm comm, const std::string& path, unsigned long long bytes);

class ParallelFile {
 public:
  // Collective: creates parent folders, opens `<final_path>.tmp` (truncating) with MPI-IO and writes the
  // run's root attributes.
  ParallelFile(MPI_Comm comm, const std::string& final_path, const RunInfo& run);
  // Resume mode, for a run continued from a checkpoint: `<final_path>.tmp` starts as a copy of the
  // published final_path (if there is one), snapshots later than `resume_time` are removed, and numbering
  // continues after the kept ones. Root attributes stay those of the first run.
  ParallelFile(MPI_Comm comm, const std::string& final_path, const RunInfo& run, double resume_time);
  // Snapshots kept in resume mode: group path and time, in order.
  const std::vector<std::pair<std::string, double>>& kept_snapshots() const { return kept_; }
  bool resumed() const { return resumed_; }
  ~ParallelFile();
  ParallelFile(const ParallelFile&) = delete;
  ParallelFile& operator=(const ParallelFile&) = delete;

  hid_t file() const { return file_.get(); }
  // Collective transfer property list (every rank joins each dataset write).
  hid_t collective() const { return dxpl_.get(); }
  MPI_Comm comm() const { return comm_; }
  int rank() const { return rank_; }
  bool open() const { return file_.valid(); }
  const std::string& final_path() const { return final_path_; }
  std::string tmp_path() const { return final_path_ + ".tmp"; }
  // Collective: require_free_space for this file.
  void require_space(unsigned long long bytes) const { require_free_space(comm_, tmp_path(), bytes); }
  // Creates snapshots/NNNNNN for the next snapshot, with attribute `time`; returns it and its name.
  h5::Handle next_snapshot_group(double time, std::string& name);
  // Collective: closes the file and renames it into place; the same outcome (or exception) on every rank.
  // Later calls do nothing.
  void finish();
  // Collective: closes the file without publishing it and removes `<final>.tmp` (after a write failed:
  // the published file, if any, stays as it was). Never throws. Later calls do nothing.
  void abandon();

 private:
  void create_fresh(const RunInfo& run);
  MPI_Comm comm_;
  int rank_ = 0;
  std::string final_path_;
  h5::Handle file_, snapshots_, dxpl_;
  int next_index_ = 0;
  bool resumed_ = false;
  std::vector<std::pair<std::string, double>> kept_;
};

}  // namespace mf::io
