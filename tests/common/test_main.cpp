// GoogleTest main shared by unit and MPI tests: brings up MPI, PETSc and Kokkos once (they cannot be
// re-initialised), and lets only rank 0 print results so multi-rank logs stay readable.
#include <gtest/gtest.h>

#include <cstdio>
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
  // ctest reports the executable as skipped when this line appears (SKIP_REGULAR_EXPRESSION in
  // tests/CMakeLists.txt). It is printed only when nothing failed: ctest's skip verdict overrides a
  // failure, so a failing test beside a skipped one must not print it.
  const int skipped = ::testing::UnitTest::GetInstance()->skipped_test_count();
  if (!any && skipped > 0 && env.rank() == 0) {
    std::printf("mf-gtest-skipped: %d test(s) skipped:", skipped);
    const auto* unit = ::testing::UnitTest::GetInstance();
    for (int i = 0; i < unit->total_test_suite_count(); ++i) {
      const auto* suite = unit->GetTestSuite(i);
      for (int j = 0; j < suite->total_test_count(); ++j)
        if (suite->GetTestInfo(j)->result()->Skipped())
          std::printf(" %s.%s", suite->name(), suite->GetTestInfo(j)->name());
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return any ? 1 : 0;
}
