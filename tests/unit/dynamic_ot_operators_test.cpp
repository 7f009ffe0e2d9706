// Discrete operators of the staggered space-time grid: adjointness, projections, the kinetic prox.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>

#include "models/dynamic_ot/space_time_field.hpp"
#include "models/dynamic_ot/boundary_densities.hpp"
#include "models/dynamic_ot/projections.hpp"

using namespace mf;
using namespace mf::dynamic_ot;

namespace {

// d = 2: time is the third DMDA axis; d = 3: time is the DMDA's dof (the other storage path).
GridSpec space(int dim, Boundary b) {
  GridSpec s;
  s.dim = dim;
  s.cells = dim == 2 ? std::array<PetscInt, 3>{8, 6, 1} : std::array<PetscInt, 3>{6, 4, 5};
  s.boundary = b;
  return s;
}

void randomise(Field& f, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (auto& v : f) {
    PetscInt n;
    PetscCallThrow(VecGetLocalSize(v, &n));
    double* a;
    PetscCallThrow(VecGetArray(v, &a));
    for (PetscInt i = 0; i < n; ++i) a[i] = u(rng);
    PetscCallThrow(VecRestoreArray(v, &a));
  }
}

double dotf(const Field& a, const Field& b) {
  double s = 0;
  for (std::size_t c = 0; c < a.size(); ++c) {
    PetscScalar d;
    PetscCallThrow(VecDot(a[c], b[c], &d));
    s += d;
  }
  return s;
}

// Zeroes the unused boundary slots of a staggered field (non-periodic axes, slot 0).
void clear_unused(const SpaceTimeGrid& g, Field& V) {
  const Box4& o = g.owned();
  for (int c = 0; c < static_cast<int>(V.size()); ++c) {
    if (g.periodic(c)) continue;
    StBlockWrite w(V[c], o);
    for (PetscInt k = 0; k < o.count[2]; ++k)
      for (PetscInt j = 0; j < o.count[1]; ++j)
        for (PetscInt i = 0; i < o.count[0]; ++i)
          for (PetscInt t = 0; t < o.count[3]; ++t) {
            const std::array<PetscInt, 4> l{i, j, k, t};
            if (o.start[c] + l[c] == 0) w.at(l) = 0.0;
          }
  }
}

struct Fixture {
  SpaceTimeGrid grid;
  StaggeredOps ops;
  Fixture(std::tuple<int, Boundary> p)
      : grid(MPI_COMM_SELF, space(std::get<0>(p), std::get<1>(p)), 5),
        ops(grid, boundary_density(grid, [](const double* x) { return 1.0 + x[0]; }),
            boundary_density(grid, [](const double* x) { return 2.0 - x[1]; })) {}
};

}  // namespace

class DynamicOtOperators : public ::testing::TestWithParam<std::tuple<int, Boundary>> {};

TEST_P(DynamicOtOperators, InterpolationAdjoint) {
  Fixture s(GetParam());
  Field V = s.ops.make_field(), U = s.ops.make_field(), IV = s.ops.make_field(), ItU = s.ops.make_field();
  randomise(V, 1);
  clear_unused(s.grid, V);
  randomise(U, 2);
  s.ops.interp(V, IV, false);
  s.ops.interp_adjoint(U, ItU);
  EXPECT_NEAR(dotf(IV, U), dotf(V, ItU), 1e-12 * std::abs(dotf(IV, U)) + 1e-13);
}

TEST_P(DynamicOtOperators, DivergenceAdjointIsMinusGradient) {
  Fixture s(GetParam());
  Field V = s.ops.make_field(), zero = s.ops.make_field(), G = s.ops.make_field();
  randomise(V, 3);
  clear_unused(s.grid, V);
  VecHandle phi = s.grid.create_global(), d = s.grid.create_global(), d0 = s.grid.create_global();
  PetscCallThrow(VecSetRandom(phi, nullptr));
  s.ops.divergence(V, d);
  s.ops.divergence(zero, d0);
  PetscCallThrow(VecAXPY(d, -1.0, d0));  // linear part D₀V
  s.ops.subtract_divergence_adjoint(phi, G);  // G = −Dᵀφ
  PetscScalar lhs;
  PetscCallThrow(VecDot(d, phi, &lhs));
  EXPECT_NEAR(lhs, -dotf(V, G), 1e-10 * std::abs(lhs));
}

TEST_P(DynamicOtOperators, ContinuityProjectionIsFeasibleAndOrthogonal) {
  Fixture s(GetParam());
  ContinuityProjection proj(s.ops);
  Field V = s.ops.make_field(), P = s.ops.make_field(), W = s.ops.make_field(), diff = s.ops.make_field();
  randomise(V, 4);
  clear_unused(s.grid, V);
  copy(V, P);
  proj.apply(P);
  EXPECT_LT(proj.relative_residual(P), 1e-8);
  EXPECT_GT(proj.relative_residual(V), 1e-2);
  // Projection onto an affine set: V − P is orthogonal to every feasible direction W − P.
  randomise(W, 5);
  clear_unused(s.grid, W);
  proj.apply(W);
  copy(V, diff);
  axpby(-1.0, P, 1.0, diff);
  axpby(-1.0, P, 1.0, W);
  EXPECT_NEAR(dotf(diff, W), 0.0, 1e-8 * norm(diff) * norm(W));
}

TEST_P(DynamicOtOperators, InterpolationProjectionIsNearestConsistentPair) {
  Fixture s(GetParam());
  InterpolationProjection proj(s.ops);
  Field U = s.ops.make_field(), V = s.ops.make_field(), U0 = s.ops.make_field(), V0 = s.ops.make_field();
  Field IV = s.ops.make_field();
  randomise(U0, 6);
  randomise(V0, 7);
  clear_unused(s.grid, V0);
  copy(U0, U);
  copy(V0, V);
  proj.apply(U, V);
  s.ops.interp(V, IV, true);
  EXPECT_LT(norm_diff(U, IV), 1e-12 * norm(U));
  // Optimality: for any direction δV, (U − U0)·I₀δV + (V − V0)·δV = 0.
  Field dV = s.ops.make_field(), IdV = s.ops.make_field();
  randomise(dV, 8);
  clear_unused(s.grid, dV);
  s.ops.interp(dV, IdV, false);
  axpby(-1.0, U0, 1.0, U);
  axpby(-1.0, V0, 1.0, V);
  EXPECT_NEAR(dotf(U, IdV) + dotf(V, dV), 0.0, 1e-9 * (norm(U) + norm(V)) * norm(dV));
}

INSTANTIATE_TEST_SUITE_P(DimsAndBoundaries, DynamicOtOperators,
                         ::testing::Combine(::testing::Values(2, 3),
                                            ::testing::Values(Boundary::Periodic, Boundary::NoFlux)));

// The kinetic prox is the minimiser of |m|²/(2ρ) + |(ρ, m) − (ρ0, m0)|²/(2γ): compare with a brute
// check of optimality against nearby feasible points, and the (0, 0) branch.
TEST(DynamicOtProx, MinimisesTheProxObjective) {
  GridSpec s;
  s.dim = 1;
  s.cells = {64, 1, 1};
  SpaceTimeGrid g(MPI_COMM_SELF, s, 4);
  StaggeredOps ops(g, boundary_density(g, [](const double*) { return 1.0; }),
                   boundary_density(g, [](const double*) { return 1.0; }));
  Field U = ops.make_field(), U0 = ops.make_field();
  randomise(U0, 9, -3.0, 3.0);
  copy(U0, U);
  const double gamma = 0.7;
  ops.prox_kinetic(U, gamma);
  StBlockRead r(U[1], g.owned()), m(U[0], g.owned()), r0(U0[1], g.owned()), m0(U0[0], g.owned());
  auto obj = [&](double rho, double mo, double a, double b) {
    const double f = rho > 0 ? mo * mo / (2 * rho) : (mo == 0 && rho == 0 ? 0.0 : INFINITY);
    return f + ((rho - a) * (rho - a) + (mo - b) * (mo - b)) / (2 * gamma);
  };
  int zeros = 0;
  for (PetscInt k = 0; k < 4; ++k)
    for (PetscInt i = 0; i < 64; ++i) {
      const std::array<PetscInt, 4> l{i, k, 0, 0};
      const double rho = r.at(l), mo = m.at(l), a = r0.at(l), b = m0.at(l);
      if (rho == 0.0) ++zeros;
      const double best = obj(rho, mo, a, b);
      ASSERT_TRUE(std::isfinite(best));
      for (double dr : {-1e-4, 0.0, 1e-4})
        for (double dm : {-1e-4, 0.0, 1e-4}) EXPECT_LE(best, obj(rho + dr, mo + dm, a, b) + 1e-12);
    }
  EXPECT_GT(zeros, 0);  // some inputs with ρ0 ≪ 0 land on (0, 0)
}
