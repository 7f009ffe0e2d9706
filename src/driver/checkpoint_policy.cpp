#include "checkpoint_policy.hpp"

#include <csignal>
#include <utility>

#include "fault_injection.hpp"
#include "measureflow/deck.hpp"

namespace mf {

namespace {
// Set by the handler; polled once per step (only async-signal-safe work inside the handler).
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void request_stop(int sig) { g_stop_signal = sig; }
}  // namespace

CheckpointPolicy::CheckpointPolicy(const Deck& deck, MPI_Comm comm, std::string path)
    : comm_(comm), path_(std::move(path)), last_(std::chrono::steady_clock::now()) {
  MPI_Comm_rank(comm, &rank_);
  if (deck.has("output.checkpoint_steps")) every_steps_ = deck.integer("output.checkpoint_steps");
  if (deck.has("output.checkpoint_minutes")) every_seconds_ = 60.0 * deck.real("output.checkpoint_minutes");
  g_stop_signal = 0;
  previous_term_ = std::signal(SIGTERM, request_stop);
  previous_usr1_ = std::signal(SIGUSR1, request_stop);
}

CheckpointPolicy::~CheckpointPolicy() {
  std::signal(SIGTERM, previous_term_ == SIG_ERR ? SIG_DFL : previous_term_);
  std::signal(SIGUSR1, previous_usr1_ == SIG_ERR ? SIG_DFL : previous_usr1_);
}

CheckpointPolicy::Verdict CheckpointPolicy::after_step(long long steps) {
  // Test-only: a real SIGUSR1 at a chosen step, so restart tests stop at the same step every time.
  if (rank_ == 0 && test_hooks().signal_at_step == steps) std::raise(SIGUSR1);
  int flags[2] = {g_stop_signal != 0, 0};
  if (rank_ == 0 && every_seconds_ > 0.0)
    flags[1] = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= every_seconds_;
  if (every_steps_ > 0 && steps % every_steps_ == 0) flags[1] = 1;
  MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, comm_);
  return Verdict{flags[0] != 0, flags[1] != 0};
}

}  // namespace mf
