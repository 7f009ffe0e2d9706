// Test-only hooks, read once from the environment and documented in docs/workflow.md ("Faults"); unset
// in normal runs, where they cost one integer comparison per step. They make fault tests deterministic:
//   MF_TEST_SIGNAL_AT_STEP=N        rank 0 raises SIGUSR1 after step N (a stop by signal at a known step)
//   MF_TEST_NAN_AT_STEP=N           after step N, a NaN is written into the grid density (or, without a
//                                   grid view, a particle position) on rank 0: the run must stop with exit 3
//   MF_TEST_PAUSE_IN_CHECKPOINT=S   every checkpoint write sleeps S seconds on rank 1 (rank 0 alone)
//                                   with the file half written (read in checkpoint.cpp), so a test can
//                                   SIGKILL a rank mid-write
#pragma once

namespace mf {

class Model;

struct TestHooks {
  long long signal_at_step = -1;
  long long nan_at_step = -1;
};

// The hooks of this process (parsed on first use).
const TestHooks& test_hooks();

// MF_TEST_NAN_AT_STEP: poisons one value of the first view present (collective over the views' comm
// only through the views' own calls; the write itself is local to rank 0).
void inject_nan(Model& model, int rank);

}  // namespace mf
