// The sub-commands of the measureflow executable, each taking its parsed options and returning the
// process exit status. They print; the work they ask for is done by the library.
#pragma once
#include <string>
#include <vector>

#include "measureflow/ot/point_set_transport.hpp"

namespace mf::app {

struct BuildInfo {
  std::string version, revision;
};

struct DeckOptions {
  std::string deck;
  std::vector<std::string> overrides;  // --set key.path=value, in order
  bool quiet = false;                  // run only
  std::string restart;                 // --restart CHECKPOINT (run only)
};

struct SweepOptions {
  DeckOptions deck;
  std::string out;  // --out DIR
};

struct OtOptions {
  std::string a, b;
  ot::PointSetTransportOptions transport;
  int snapshot = -1;  // -1: the last snapshot of a particles.h5
  bool json = false;
  std::string out;  // --out result.h5
};

// Whether this process is rank 0 of MPI_COMM_WORLD, the one that prints.
bool is_root();

int help_command(const std::string& model);  // empty: list the models
int check_command(const DeckOptions& options);
int run_command(const DeckOptions& options, const BuildInfo& build);
int sweep_command(const SweepOptions& options);
int sweep_collect_command(const std::string& dir);
int ot_command(const OtOptions& options);

}  // namespace mf::app
