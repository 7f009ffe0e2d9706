// The same geodesic on any rank count: W2², the density at every time face and the particle view
// agree between the decomposed run (MPI_COMM_WORLD) and a serial run (MPI_COMM_SELF) in one process.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dynamic_ot_cases.hpp"
#include "models/dynamic_ot/dynamic_ot_views.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

DynamicOtConfig bump_config(int dim, Method method) {
  // 3D: 8³ × 4 (time is the dof there; ranks split space only).
  const std::array<PetscInt, 3> cells =
      dim == 3 ? std::array<PetscInt, 3>{8, 8, 8} : std::array<PetscInt, 3>{16, dim == 2 ? 16 : 1, 1};
  DynamicOtConfig c = mf::testing::translated_bump(Vector(dim, 0.3), Vector(dim, 0.65), cells, dim == 3 ? 4 : 8, method);
  c.tolerance = 0.0;  // a fixed iteration count: the comparison is between identical algorithms
  c.max_iterations = 60;
  c.particles = 300;
  return c;
}

void compare(const DynamicOtConfig& c) {
  auto par = build_dynamic_ot_model(c, MPI_COMM_WORLD);
  auto ser = build_dynamic_ot_model(c, MPI_COMM_SELF);
  auto* p = static_cast<DynamicOtModel*>(par.get());
  auto* s = static_cast<DynamicOtModel*>(ser.get());
  const double wp = p->grid_view->stats().w2sq, ws = s->grid_view->stats().w2sq;
  EXPECT_EQ(p->grid_view->stats().iterations, s->grid_view->stats().iterations);
  EXPECT_NEAR(wp, ws, 1e-8 * ws);
  double worst = 0.0, scale = 0.0;
  for (PetscInt k = 0; k <= c.time_cells; ++k) {
    const auto a = p->grid_view->slice_density(k), b = s->grid_view->slice_density(k);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, std::abs(a[i] - b[i]));
      scale = std::max(scale, std::abs(b[i]));
    }
  }
  EXPECT_LT(worst, 1e-7 * scale);
  // Particles: the exact coupling is computed identically on every rank (same bits); the entropic one is
  // a distributed Sinkhorn whose sums change order with the rank count (agreement to ~1e-10 asked).
  const double lp = p->particle_view->w2sq(), ls = s->particle_view->w2sq();
  if (p->particle_view->coupling() == Coupling::Exact) {
    EXPECT_DOUBLE_EQ(lp, ls);
  } else {
    EXPECT_NEAR(lp, ls, 1e-10 * ls);
    EXPECT_NEAR(p->particle_view->kinetic_energy(), s->particle_view->kinetic_energy(),
                1e-10 * s->particle_view->kinetic_energy());
    const auto ep = p->particle_view->positions_at(1.0), es = s->particle_view->positions_at(1.0);
    double worst_end = 0.0;
    for (std::size_t i = 0; i < ep.size(); ++i) worst_end = std::max(worst_end, std::abs(ep[i] - es[i]));
    EXPECT_LT(worst_end, 1e-10);
    int r0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r0);
    if (r0 == 0)
      std::printf("entropic coupling dim %d: lagrangian.w2sq world %.15e self %.15e (rel %.1e), max |ΔT(x)| %.1e, "
                  "%d iterations, %.3f s\n",
                  c.space.dim, lp, ls, std::abs(lp - ls) / ls, worst_end, p->particle_view->coupling_iterations(),
                  p->particle_view->coupling_seconds());
  }
  p->particle_view->move_to(0.5);
  EXPECT_EQ(global_count(p->particle_view->particles(), MPI_COMM_WORLD), c.particles);
  // Cross-view W2 over every face (2D, 3D: debiased Sinkhorn on the reduced clouds, which do not depend
  // on the decomposition): differences come from the Poisson tolerance and summation order only.
  double cross_p = -1.0, cross_s = -1.0;
  if (c.space.dim >= 2) {
    Metrics mp, ms;
    p->add_metrics(0.5, mp);
    s->add_metrics(0.5, ms);
    cross_p = mp.at("cross.w2_eulerian_lagrangian");
    cross_s = ms.at("cross.w2_eulerian_lagrangian");
    EXPECT_NEAR(cross_p, cross_s, 1e-8 * cross_s);
  }
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0 && c.space.dim >= 2) std::printf("cross W2 world %.12e self %.12e\n", cross_p, cross_s);
  if (rank == 0)
    std::printf("dim %d method %s: W2² world %.12e self %.12e, max |Δα_t| / max α = %.2e\n", c.space.dim,
                to_string(c.method).c_str(), wp, ws, worst / scale);
}

}  // namespace

TEST(DynamicOtRanks, Bump1DPrimalDual) { compare(bump_config(1, Method::PrimalDual)); }
TEST(DynamicOtRanks, Bump2DPrimalDual) { compare(bump_config(2, Method::PrimalDual)); }
TEST(DynamicOtRanks, Bump2DDouglasRachford) { compare(bump_config(2, Method::DouglasRachford)); }
TEST(DynamicOtRanks, Bump3DPrimalDual) { compare(bump_config(3, Method::PrimalDual)); }
TEST(DynamicOtRanks, Bump1DAlg2) { compare(bump_config(1, Method::Alg2)); }
// The entropic coupling forced in 1D (auto is exact there); 2D above already uses it by default.
TEST(DynamicOtRanks, Bump1DEntropicCoupling) {
  DynamicOtConfig c = bump_config(1, Method::PrimalDual);
  c.coupling = Coupling::Entropic;
  compare(c);
}
