// The one time loop every model runs through: advance the views to shared output times, evaluate
// Diagnostics, write snapshots, and publish summary.json.
#pragma once
#include <string>

#include "measureflow/io/summary.hpp"

namespace mf {

class Deck;

struct RunOptions {
  bool quiet = false;       // no progress lines or metric table
  std::string version;      // "0.1.0"
  std::string git_revision;
};

// Runs a validated deck. Throws SolverError after publishing the last good output.
io::Summary run_deck(const Deck& deck, MPI_Comm comm, const RunOptions& options);

}  // namespace mf
