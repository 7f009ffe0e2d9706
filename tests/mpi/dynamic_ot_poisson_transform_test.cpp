// The continuity projection by fast transforms (PoissonTransform: DCT-II in time and at walls, real DFT
// on periodic axes, FFTW's MPI slabs) against the Krylov solve of the same assembled D Dᵀ, on 1, 2 and 4
// ranks: the projected fields agree to 1e-10 (relative), the transform's field obeys continuity to
// round-off, and it does not depend on the rank count. Then a whole primal-dual run: same W2².
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <tuple>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/boundary_densities.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"
#include "models/dynamic_ot/projections.hpp"
#include "models/dynamic_ot/space_time_field.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

struct Case {
  int dim;
  std::array<PetscInt, 3> cells;
  PetscInt time_cells;
  Boundary boundary;
};

GridSpec space_of(const Case& c) {
  GridSpec s;
  s.dim = c.dim;
  s.cells = c.cells;
  s.boundary = c.boundary;
  return s;
}

// A rank-independent staggered field: a smooth-plus-oscillating function of the global index, zero in
// the unused boundary slots (slot 0 of a non-periodic axis).
void fill(const SpaceTimeGrid& g, Field& V) {
  const Box4& o = g.owned();
  for (int c = 0; c < static_cast<int>(V.size()); ++c) {
    StBlockWrite w(V[c], o);
    for (PetscInt k = 0; k < o.count[2]; ++k)
      for (PetscInt j = 0; j < o.count[1]; ++j)
        for (PetscInt i = 0; i < o.count[0]; ++i)
          for (PetscInt t = 0; t < o.count[3]; ++t) {
            const std::array<PetscInt, 4> l{i, j, k, t};
            std::array<double, 4> x{};
            for (int a = 0; a < 4; ++a) x[a] = static_cast<double>(o.start[a] + l[a]);
            const bool unused = !g.periodic(c) && o.start[c] + l[c] == 0;
            w.at(l) = unused ? 0.0
                             : std::sin(1.3 * x[0] + 0.7 * x[1] - 0.4 * x[2] + 0.9 * x[3] + c) +
                                   0.5 * std::cos(2.9 * x[0] * x[1] + 1.7 * x[3] - c);
          }
  }
}

// Rank-independent scalar summaries of a field: its norm, its dot product with a fixed field W, ‖W‖.
std::array<double, 3> summary(const SpaceTimeGrid& g, StaggeredOps& ops, const Field& V) {
  Field W = ops.make_field();
  fill(g, W);
  double dot = 0.0;
  for (std::size_t c = 0; c < V.size(); ++c) {
    PetscScalar d;
    PetscCallThrow(VecDot(V[c], W[c], &d));
    dot += d;
  }
  return {norm(V), dot, norm(W)};
}

struct Projected {
  double relative_difference;   // ‖V_fft − V_ksp‖ / ‖V_ksp‖
  double fft_residual;          // ‖D V_fft‖ / ‖D(0)‖
  double ksp_residual;
  std::array<double, 3> fft_summary;
};

Projected project_both(MPI_Comm comm, const Case& c) {
  SpaceTimeGrid grid(comm, space_of(c), c.time_cells);
  StaggeredOps ops(grid, boundary_density(grid, [](const double* x) { return 1.0 + x[0]; }),
                   boundary_density(grid, [](const double* x) { return 2.0 - x[0] * x[0]; }));
  // The reference: CG + GAMG driven far below its default 1e-10 (the transform is exact).
  PetscCallThrow(PetscOptionsSetValue(nullptr, "-dot_ksp_rtol", "1e-14"));
  PetscCallThrow(PetscOptionsSetValue(nullptr, "-dot_ksp_max_it", "5000"));
  ContinuityProjection ksp(ops, PoissonMethod::Krylov);
  PetscCallThrow(PetscOptionsClearValue(nullptr, "-dot_ksp_rtol"));
  PetscCallThrow(PetscOptionsClearValue(nullptr, "-dot_ksp_max_it"));
  ContinuityProjection fft(ops, PoissonMethod::Transform);
  EXPECT_EQ(fft.method(), PoissonMethod::Transform);
  Field a = ops.make_field(), b = ops.make_field();
  fill(grid, a);
  fill(grid, b);
  fft.apply(a);
  ksp.apply(b);
  return {norm_diff(a, b) / norm(b), fft.relative_residual(a), ksp.relative_residual(b), summary(grid, ops, a)};
}

}  // namespace

class DynamicOtPoissonTransform : public ::testing::TestWithParam<Case> {};

TEST_P(DynamicOtPoissonTransform, EqualsKrylovSolveOnAnyRankCount) {
  const Case c = GetParam();
  const Projected world = project_both(MPI_COMM_WORLD, c);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("d=%d %s: |V_fft - V_ksp|/|V| = %.2e, continuity residual fft %.2e ksp %.2e\n", c.dim,
                c.boundary == Boundary::Periodic ? "periodic" : "walls", world.relative_difference, world.fft_residual,
                world.ksp_residual);
  EXPECT_LT(world.relative_difference, 1e-10);
  EXPECT_LT(world.fft_residual, 1e-12);
  // The same projection computed on this rank alone (MPI_COMM_SELF): slabs and blocks of any rank count
  // give the same field up to round-off.
  const Projected self = project_both(MPI_COMM_SELF, c);
  EXPECT_NEAR(world.fft_summary[0], self.fft_summary[0], 1e-12 * std::abs(self.fft_summary[0]));
  EXPECT_NEAR(world.fft_summary[1], self.fft_summary[1], 1e-12 * self.fft_summary[0] * self.fft_summary[2]);
}

// d = 1, 2 (time a DMDA axis) and d = 3 (time the dof); walls and periodic; sizes that do not divide by
// the rank count (5 time cells on 4 ranks leaves one slab empty).
INSTANTIATE_TEST_SUITE_P(
    Grids, DynamicOtPoissonTransform,
    ::testing::Values(Case{1, {12, 1, 1}, 8, Boundary::NoFlux}, Case{1, {10, 1, 1}, 6, Boundary::Periodic},
                      Case{2, {8, 6, 1}, 8, Boundary::NoFlux}, Case{2, {7, 9, 1}, 5, Boundary::NoFlux},
                      Case{2, {8, 6, 1}, 6, Boundary::Periodic}, Case{3, {6, 5, 4}, 4, Boundary::NoFlux},
                      Case{3, {6, 4, 8}, 3, Boundary::Periodic}));

// A whole solve: 30 primal-dual iterations of the translated bump on 24²×12 with each Poisson solver
// give the same W2² (the Krylov solve at its default 1e-10 tolerance).
TEST(DynamicOtPoissonTransformSolve, SameGeodesicAsKrylov) {
  auto run = [](const char* poisson) {
    DynamicOtConfig c = mf::testing::translated_bump({0.3, 0.3}, {0.7, 0.6}, {24, 24, 1}, 12, Method::PrimalDual);
    c.tolerance = 0.0;
    c.max_iterations = 30;
    c.lagrangian = false;
    c.cross_w2 = false;
    c.poisson = poisson;
    auto model = build_dynamic_ot_model(c, MPI_COMM_WORLD);
    return static_cast<DynamicOtModel*>(model.get())->grid_view->stats();
  };
  const SolveStats fft = run("fft"), ksp = run("ksp");
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("W2² fft %.12e ksp %.12e; Poisson time fft %.3f s ksp %.3f s\n", fft.w2sq, ksp.w2sq,
                fft.seconds_poisson, ksp.seconds_poisson);
  EXPECT_NEAR(fft.w2sq, ksp.w2sq, 1e-9 * ksp.w2sq);
  EXPECT_EQ(fft.poisson_iterations, 0);
  EXPECT_GT(ksp.poisson_iterations, 0);
  EXPECT_LT(fft.continuity_residual, 1e-12);
}
