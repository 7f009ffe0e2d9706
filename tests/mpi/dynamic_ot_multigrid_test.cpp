// Geometric multigrid (-dot_pc_type mg) for the space-time Poisson solve: the level count the DMDA
// supports, and the same geodesic as the default GAMG on any rank count.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>

#include "measureflow/errors.hpp"
#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"
#include "models/dynamic_ot/poisson_multigrid.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

DynamicOtConfig bump2d() {
  DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3}, {0.7, 0.6}, {32, 32, 1}, 16, Method::PrimalDual);
  c.tolerance = 0.0;  // fixed iteration count: both preconditioners run the same algorithm
  c.max_iterations = 40;
  c.lagrangian = false;
  c.poisson = "ksp";  // the Krylov path (the default is the transform solve, which has no preconditioner)
  return c;
}

struct PoissonRun {
  double w2sq;
  long long ksp_iterations;
};

PoissonRun solve_with(const char* pc) {
  PetscCallThrow(PetscOptionsSetValue(nullptr, "-dot_pc_type", pc));
  auto model = build_dynamic_ot_model(bump2d(), MPI_COMM_WORLD);
  PetscCallThrow(PetscOptionsClearValue(nullptr, "-dot_pc_type"));
  const SolveStats& s = static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
  return {s.w2sq, s.poisson_iterations};
}

}  // namespace

TEST(DynamicOtMultigrid, LevelsHalveEveryAxisDownToTwoCellsPerRank) {
  // Serial: 32, 32, 16 cells halve to 4, 4, 2 (time cannot go below 2): three coarsenings, four levels.
  // An odd count stops at once.
  GridSpec space;
  space.dim = 2;
  space.cells = {32, 32, 1};
  EXPECT_EQ(geometric_levels(SpaceTimeGrid(MPI_COMM_SELF, space, 16)), 4);
  space.cells = {24, 24, 1};  // 24 → 12 → 6 → 3 in space, 16 → 8 → 4 → 2 in time
  EXPECT_EQ(geometric_levels(SpaceTimeGrid(MPI_COMM_SELF, space, 16)), 4);
  space.cells = {33, 32, 1};
  EXPECT_EQ(geometric_levels(SpaceTimeGrid(MPI_COMM_SELF, space, 16)), 1);
}

TEST(DynamicOtMultigrid, SameGeodesicAsAlgebraicMultigrid) {
  const PoissonRun gamg = solve_with("gamg");
  const PoissonRun mg = solve_with("mg");
  const PoissonRun plain = solve_with("none");
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("W2² gamg %.12e mg %.12e; Poisson CG iterations gamg %lld mg %lld none %lld\n", gamg.w2sq, mg.w2sq,
                gamg.ksp_iterations, mg.ksp_iterations, plain.ksp_iterations);
  // Both solve each projection to the KSP tolerance (1e-10 relative): the iterates agree to about that.
  EXPECT_NEAR(mg.w2sq, gamg.w2sq, 1e-8 * gamg.w2sq);
  EXPECT_NEAR(plain.w2sq, gamg.w2sq, 1e-8 * gamg.w2sq);
  // Multigrid must actually precondition: well below unpreconditioned CG's iteration count.
  EXPECT_LT(3 * mg.ksp_iterations, plain.ksp_iterations);
}

// d = 3 stores time as the DMDA's dof: there is no space-time hierarchy, so PCMG is refused as an input
// error (exit status 2 from the CLI) rather than coarsening space only.
TEST(DynamicOtMultigrid, RefusedInThreeDimensions) {
  GridSpec space;
  space.dim = 3;
  space.cells = {8, 8, 8};
  EXPECT_EQ(geometric_levels(SpaceTimeGrid(MPI_COMM_WORLD, space, 4)), 1);
  DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3, 0.3}, {0.6, 0.5, 0.5}, {8, 8, 8}, 4, Method::PrimalDual);
  c.lagrangian = false;
  c.poisson = "ksp";
  PetscCallThrow(PetscOptionsSetValue(nullptr, "-dot_pc_type", "mg"));
  EXPECT_THROW(build_dynamic_ot_model(c, MPI_COMM_WORLD), InputError);
  PetscCallThrow(PetscOptionsClearValue(nullptr, "-dot_pc_type"));
}
