// When a run writes checkpoint.h5 and when it stops: every `output.checkpoint_steps` steps, every
// `output.checkpoint_minutes` of wall time (rank 0's clock), at each output time when either is set,
// and on SIGTERM/SIGUSR1 (what SLURM sends before the time limit), after which the run stops.
#pragma once
#include <mpi.h>

#include <chrono>
#include <string>

namespace mf {

class Deck;

class CheckpointPolicy {
 public:
  // Installs the SIGTERM/SIGUSR1 handlers (restored by the destructor).
  CheckpointPolicy(const Deck& deck, MPI_Comm comm, std::string path);
  ~CheckpointPolicy();
  CheckpointPolicy(const CheckpointPolicy&) = delete;
  CheckpointPolicy& operator=(const CheckpointPolicy&) = delete;

  struct Verdict {
    bool stop = false;        // a signal arrived on some rank: checkpoint, publish, stop
    bool checkpoint = false;  // a step or wall-time checkpoint is due
  };
  // Collective, once per step (one small Allreduce): any rank's signal stops every rank.
  Verdict after_step(long long steps);
  // Whether checkpoints are written at output times (either periodic setting is on).
  bool at_outputs() const { return every_steps_ > 0 || every_seconds_ > 0.0; }
  // Restarts the wall-time clock (after any checkpoint).
  void written() { last_ = std::chrono::steady_clock::now(); }
  const std::string& path() const { return path_; }

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  std::string path_;
  long long every_steps_ = 0;
  double every_seconds_ = 0.0;
  std::chrono::steady_clock::time_point last_;
  void (*previous_term_)(int) = nullptr;
  void (*previous_usr1_)(int) = nullptr;
};

}  // namespace mf
