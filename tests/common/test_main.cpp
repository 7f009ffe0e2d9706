// GoogleTest main shared by unit and MPI tests: brings up MPI, PETSc and Kokkos once (they cannot be
// re-initialised), and lets only rank 0 print results so multi-rank logs stay readable.
#include <gtest/gtest.h>

#include <memory>

#include "measureflow/environment.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  mf::Environment env(argc, argv);
  if (env.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    std::unique_ptr<::testing::TestEventListener> silenced(listeners.Release(listeners.default_result_printer()));
  }
  int failed = RUN_ALL_TESTS();
  // A test failing on one rank must fail the whole run.
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any ? 1 : 0;
}
