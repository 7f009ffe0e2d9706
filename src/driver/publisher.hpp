// The publisher of a run's output folder: the snapshot files (fields.h5, particles.h5) open while the
// run goes, and the publication of everything so far (run.xmf, diagnostics.csv, the model's text files,
// summary.json), each file written aside and renamed into place, so a reader never sees half a file.
#pragma once
#include <mpi.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measureflow/driver.hpp"
#include "measureflow/io/field_file.hpp"
#include "measureflow/io/particle_file.hpp"
#include "measureflow/io/run_info.hpp"
#include "measureflow/io/summary.hpp"
#include "measureflow/model.hpp"

namespace mf {

class Deck;

// Metrics at each output time so far, in order.
using MetricHistory = std::vector<std::pair<double, Metrics>>;

class Publisher {
 public:
  // Collective. Creates the output folder and writes deck.resolved.yaml. With `resume_time` (a run
  // continued from a checkpoint) the snapshot files continue the published ones, minus any snapshot
  // later than resume_time.
  Publisher(const Deck& deck, MPI_Comm comm, Model& model, const RunOptions& options, std::optional<double> resume_time);

  // Collective: one snapshot of every enabled view at time t into the open files.
  void snapshot(double t);
  // Collective: closes the snapshot files and publishes the whole output folder; returns the summary
  // (run.completed = completed). Later snapshots are refused until continue_after_publish().
  io::Summary publish(const MetricHistory& history, long long steps, double t, bool completed);
  // Collective: publishes the output so far and reopens the snapshot files to append to them. Called
  // before every checkpoint, so the published output never lags behind the checkpoint (a run killed
  // after it restarts with every earlier snapshot in place).
  void publish_and_continue(const MetricHistory& history, long long steps, double t);
  // Collective: after a failure other than a numerical one (e.g. a full disk), drops the unpublished
  // snapshot files, so the output published before (by this run or an earlier one) stays as it was.
  void abandon();

  const std::filesystem::path& out_dir() const { return out_dir_; }

 private:
  void open_files(std::optional<double> resume_time);
  const Deck& deck_;
  MPI_Comm comm_;
  Model& model_;
  RunOptions options_;
  std::filesystem::path out_dir_;
  io::RunInfo run_;
  int rank_ = 0, size_ = 1;
  std::chrono::steady_clock::time_point wall_start_;
  std::unique_ptr<io::FieldFileWriter> fields_;
  std::unique_ptr<io::ParticleFileWriter> particles_;
};

// Writes the history of metrics as CSV: one row per output time, columns = union of metric names.
std::string history_csv(const MetricHistory& history);

}  // namespace mf
