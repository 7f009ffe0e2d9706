// checkpoint.h5: everything a run needs to continue (grid density, particles with ids, time, step,
// output index, metric history, diagnostics baselines, and each view's own state through its
// save_state/restore_state hooks), written collectively and atomically. Part of the Driver (it reads the
// Model's views); the source is src/driver/checkpoint.cpp.
#pragma once
#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

#include "measureflow/diagnostics.hpp"
#include "measureflow/model.hpp"

namespace mf {

struct CheckpointState {
  double time = 0.0;
  long long steps = 0;
  long long next_output = 1;  // index into the output-time list of the next output to reach
  std::vector<std::pair<double, Metrics>> history;
  DiagnosticsBaseline baseline;
  std::string deck_yaml;  // resolved deck of the run that wrote it
  int ranks = 1;
};

// Collective over comm. Writes `<path>.tmp`, then renames it to path.
void write_checkpoint(const std::string& path, MPI_Comm comm, const CheckpointState& state, Model& model);

// Collective. Restores the model's grid density and particles in place, then each view's own state
// (restore_state), and returns the rest. Same rank count: every rank gets back exactly its own particles
// in the same order (bitwise continuation); another rank count: particles are read in blocks and
// migrated to their owners. Throws InputError if the file is unreadable, of another format, does not
// match the model (grid size, dimension, a view's group), or a view cannot continue exactly.
CheckpointState read_checkpoint(const std::string& path, MPI_Comm comm, Model& model);

// The time a checkpoint was written at (collective; InputError if unreadable).
double checkpoint_time(const std::string& path, MPI_Comm comm);

}  // namespace mf
