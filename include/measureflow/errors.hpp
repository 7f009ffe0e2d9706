// The three kinds of failure a run can end with, and the exit status each maps to.
#pragma once
#include <stdexcept>
#include <string>

namespace mf {

// Exit statuses of the `measureflow` executable (documented in docs/cli.md).
enum ExitStatus : int {
  kExitOk = 0,
  kExitOther = 1,        // anything unexpected
  kExitInput = 2,        // bad deck, bad command line, unreadable input file: nothing computed
  kExitSolver = 3,       // numerical failure mid-run: last good output was written first
  kExitCheckpointed = 4  // stopped by a signal after writing a checkpoint (resubmit with --restart)
};

// Bad user input. The message names the deck file, the key path, the bad value and what is allowed.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A numerical failure (NaN, negative density, solver divergence) detected during a run.
class SolverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mf
