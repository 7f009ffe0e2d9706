// The multilevel start of the Benamou–Brenier solver (solver.levels) on 1, 2 and 4 ranks: the level
// transfer reproduces linear fields exactly whatever the two grids' decompositions, and a solve started
// from the coarse solution reaches the single-level W2² in fewer fine iterations.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"
#include "models/dynamic_ot/level_transfer.hpp"
#include "models/dynamic_ot/space_time_field.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

using Index4 = std::array<PetscInt, 4>;

// Position of face slot i along axis c (h = cell size), or the cell centre along the other axes.
double coordinate(const SpaceTimeGrid& g, int axis, PetscInt i, bool face) {
  const double lo = axis < g.space_dim() ? g.space().lower[axis] : 0.0;
  return lo + (static_cast<double>(i) + (face ? 0.0 : 0.5)) * g.h(axis);
}

// Calls f(global logical index, entry) over the owned block of a global Vec of g.
template <class F>
void each_owned(const SpaceTimeGrid& g, Vec v, F&& f) {
  StBlockWrite w(v, g.owned());
  const Box4& o = g.owned();
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i)
        for (PetscInt t = 0; t < o.count[3]; ++t) {
          const Index4 l{i, j, k, t};
          f(Index4{o.start[0] + i, o.start[1] + j, o.start[2] + k, o.start[3] + t}, w.at(l));
        }
}

}  // namespace

class DynamicOtLevelTransfer : public ::testing::TestWithParam<int> {};

TEST_P(DynamicOtLevelTransfer, ProlongationIsExactForLinearFields) {
  const int dim = GetParam();
  GridSpec coarse_space;
  coarse_space.dim = dim;
  coarse_space.cells = dim == 3 ? std::array<PetscInt, 3>{4, 6, 4} : std::array<PetscInt, 3>{6, dim == 2 ? 4 : 1, 1};
  coarse_space.boundary = Boundary::NoFlux;
  GridSpec fine_space = coarse_space;
  for (int a = 0; a < dim; ++a) fine_space.cells[a] *= 2;
  SpaceTimeGrid coarse(MPI_COMM_WORLD, coarse_space, 4), fine(MPI_COMM_WORLD, fine_space, 8);
  ASSERT_TRUE(refines(coarse, fine));
  const int nc = dim + 1;
  Field from, to, centred_from, centred_to;
  for (int c = 0; c < nc; ++c) {
    from.push_back(coarse.create_global());
    centred_from.push_back(coarse.create_global());
    to.push_back(fine.create_global());
    centred_to.push_back(fine.create_global());
    // Staggered: 0.3 + 1.7 x_c, linear along the component's own axis only, at face positions.
    each_owned(coarse, from[c], [&](const Index4& g, double& v) { v = 0.3 + 1.7 * coordinate(coarse, c, g[c], true); });
    // Centred: a function of the coarse cell index, which every fine child must inherit.
    each_owned(coarse, centred_from[c], [&](const Index4& g, double& v) { v = g[0] + 10.0 * g[1] + 100.0 * g[2] + 1000.0 * g[3] + c; });
  }
  prolong_staggered(coarse, from, fine, to);
  prolong_centred(coarse, centred_from, fine, centred_to);
  int checked = 0, wrong = 0;
  for (int c = 0; c < nc; ++c) {
    each_owned(fine, to[c], [&](const Index4& g, double& v) {
      // Faces next to a fixed boundary face use the wall's zero flux or one side only: not compared.
      if (g[c] <= 1 || g[c] >= fine.cells(c) - 1) return;
      ++checked;
      if (std::abs(v - (0.3 + 1.7 * coordinate(fine, c, g[c], true))) > 1e-13) ++wrong;
    });
    each_owned(fine, centred_to[c], [&](const Index4& g, double& v) {
      ++checked;
      if (v != g[0] / 2 + 10.0 * (g[1] / 2) + 100.0 * (g[2] / 2) + 1000.0 * (g[3] / 2) + c) ++wrong;
    });
  }
  EXPECT_GT(checked, 0);
  EXPECT_EQ(wrong, 0);
}

INSTANTIATE_TEST_SUITE_P(Dims, DynamicOtLevelTransfer, ::testing::Values(1, 2, 3));

// Translated bump on 24²×12, τ = 10, ρ = 1.8, tolerance 2e-4: the two-level solve (12²×6 first) lands on
// the single-level W2² within the tolerance's reach and needs fewer fine iterations.
TEST(DynamicOtMultilevel, SameGeodesicInFewerFineIterations) {
  auto run = [](int levels) {
    DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3}, {0.7, 0.6}, {24, 24, 1}, 12, Method::PrimalDual);
    c.tolerance = 2e-4;
    c.max_iterations = 2000;
    c.step = 10.0;
    c.relaxation = 1.8;
    c.levels = levels;
    c.lagrangian = false;
    c.cross_w2 = false;
    auto model = build_dynamic_ot_model(c, MPI_COMM_WORLD);
    return static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
  };
  const SolveStats one = run(1), two = run(2);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("single level: %d iterations, W2² %.8f; two levels: %d fine + %lld coarse (%.1f fine-equivalent), W2² %.8f\n",
                one.iterations, one.w2sq, two.iterations, two.coarse_iterations, two.coarse_work, two.w2sq);
  ASSERT_TRUE(one.converged);
  ASSERT_TRUE(two.converged);
  EXPECT_EQ(two.coarse_levels, 1);
  EXPECT_NEAR(two.w2sq, one.w2sq, 1e-3 * one.w2sq);
  EXPECT_NEAR(two.w2sq, 0.25, 7e-3 * 0.25);  // exact |s|² = 0.25 (the 24²×12 regression's bound)
  EXPECT_LT(two.iterations + two.coarse_work, one.iterations);
}
