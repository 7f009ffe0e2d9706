// The one time loop every model runs through: advance the views to shared output times, evaluate
// Diagnostics, write snapshots, and publish summary.json.
#pragma once
#include <string>

#include <mpi.h>

#include "measureflow/io/summary.hpp"

namespace mf {

class Deck;

struct RunOptions {
  bool quiet = false;       // no progress lines or metric table
  std::string version;      // "0.1.0"
  std::string git_revision;
  std::string restart;      // checkpoint.h5 to continue from (empty: start at t = 0)
};

// Thrown after a signal (SIGTERM/SIGUSR1) made the run write a checkpoint and publish its output;
// main turns it into exit status 4.
struct RunInterrupted {
  std::string checkpoint;
};

// Runs a validated deck. Throws SolverError after publishing the last good output.
io::Summary run_deck(const Deck& deck, MPI_Comm comm, const RunOptions& options);

}  // namespace mf
