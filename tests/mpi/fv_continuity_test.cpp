// Finite-volume continuity solver: accuracy against the exact push-forward (observed order), mass
// conservation, positivity, and independence of the domain decomposition.
#include <gtest/gtest.h>

#include <cmath>

#include "continuity_fixtures.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/grid_field.hpp"

using namespace mf;

namespace {

struct Outcome {
  double l1_error;
  double mass0, mass1;
  double min_density;
  std::vector<double> natural;  // rank 0 only
};

// Runs the Eulerian view from t = 0 to t_end and measures it against the exact solution.
Outcome run_fv(MPI_Comm comm, const GridSpec& spec, const MeasureSpec& initial, const fields::PrescribedField& v,
               Limiter limiter, double t_end, bool returns_to_start = false) {
  const double cfl = 0.4;
  auto measure = std::shared_ptr<const Measure>(make_measure(initial));
  continuity::ContinuityEulerian e(spec, comm, *measure, v, limiter, cfl);
  Outcome out{};
  PetscScalar s = 0;
  PetscCallThrow(VecSum(e.density(), &s));
  out.mass0 = s * e.grid().cell_volume();
  double t = 0.0;
  while (t < t_end - 1e-14) {
    double dt = std::min(e.stable_dt(t), t_end - t);
    e.advance(t, dt);
    t += dt;
  }
  PetscCallThrow(VecSum(e.density(), &s));
  out.mass1 = s * e.grid().cell_volume();
  PetscCallThrow(VecMin(e.density(), nullptr, &out.min_density));
  continuity::ContinuityClosedForm exact(continuity::AffineClosedForm(measure, v.A, v.b));
  VecHandle ref = e.grid().create_global();
  // A periodic translation by whole periods returns to the start (the affine map leaves the box).
  if (returns_to_start)
    fill_cell_averages(e.grid(), [&](const double* x) { return measure->density(x); }, ref);
  else
    exact.cell_averages(t_end, e.grid(), ref);
  out.l1_error = relative_l1(e.density(), ref);
  out.natural = gather_natural(e.grid(), e.density());
  return out;
}

double observed_order(double e_coarse, double e_fine) { return std::log2(e_coarse / e_fine); }

}  // namespace

TEST(FvContinuity, TranslationConvergesAtSecondOrder) {
  // 1D periodic translation of a smooth Gaussian, one full period: exact answer is the initial state.
  const auto v = mf::testing::linear_velocity(Matrix(1, 1, 0.0), {1.0});
  const auto init = mf::testing::gaussian_spec({0.0}, Matrix::from_rows({{0.01}}));
  std::vector<double> err;
  for (PetscInt n : {200, 400, 800}) {
    const Outcome o = run_fv(MPI_COMM_WORLD, mf::testing::box_grid(1, -0.5, 0.5, n, Boundary::Periodic), init, v,
                             Limiter::MC, 1.0, true);
    err.push_back(o.l1_error);
    // Round-off only: thousands of stage updates, each exactly conservative up to summation error.
    EXPECT_NEAR(o.mass1, o.mass0, 1e-12 * o.mass0);
    EXPECT_GE(o.min_density, 0.0);
  }
  if (mf::world_rank() == 0) std::printf("translation L1 errors %.3e %.3e %.3e\n", err[0], err[1], err[2]);
  const double p1 = observed_order(err[0], err[1]), p2 = observed_order(err[1], err[2]);
  RecordProperty("l1_errors", std::to_string(err[0]) + " " + std::to_string(err[1]) + " " + std::to_string(err[2]));
  EXPECT_GE(p1, 1.8) << "errors " << err[0] << " " << err[1] << " " << err[2];
  EXPECT_GE(p2, 1.8) << "errors " << err[0] << " " << err[1] << " " << err[2];
  EXPECT_LT(err[2], 5e-3);
}

TEST(FvContinuity, RotationInNoFluxBoxConservesMassAndStaysPositive) {
  const auto v = mf::testing::linear_velocity(Matrix::from_rows({{0.0, -1.0}, {1.0, 0.0}}), {0.0, 0.0});
  const auto init = mf::testing::gaussian_spec({0.3, 0.0}, Matrix::from_rows({{0.01, 0.0}, {0.0, 0.02}}));
  std::vector<double> err;
  for (PetscInt n : {32, 64, 128}) {
    const Outcome o = run_fv(MPI_COMM_WORLD, mf::testing::box_grid(2, -1.0, 1.0, n, Boundary::NoFlux), init, v,
                             Limiter::MC, 0.5 * M_PI);
    err.push_back(o.l1_error);
    EXPECT_NEAR(o.mass1, o.mass0, 1e-13 * o.mass0);
    EXPECT_GE(o.min_density, 0.0);
  }
  if (mf::world_rank() == 0) std::printf("rotation L1 errors %.3e %.3e %.3e\n", err[0], err[1], err[2]);
  EXPECT_GE(observed_order(err[0], err[1]), 1.8) << err[0] << " " << err[1] << " " << err[2];
  EXPECT_GE(observed_order(err[1], err[2]), 1.8) << err[0] << " " << err[1] << " " << err[2];
  EXPECT_LT(err[2], 0.05);
}

TEST(FvContinuity, ContractionWithDivergenceMatchesPushForward) {
  // A non-normal field with divergence: the density concentrates, mass must not change.
  const auto v = mf::testing::linear_velocity(Matrix::from_rows({{-0.5, 0.8}, {0.0, -0.3}}), {0.1, 0.0});
  const auto init = mf::testing::gaussian_spec({0.0, 0.1}, Matrix::from_rows({{0.03, 0.01}, {0.01, 0.02}}));
  const Outcome o = run_fv(MPI_COMM_WORLD, mf::testing::box_grid(2, -1.0, 1.0, 96, Boundary::NoFlux), init, v,
                           Limiter::Minmod, 0.5);
  EXPECT_NEAR(o.mass1, o.mass0, 1e-13 * o.mass0);
  EXPECT_GE(o.min_density, 0.0);
  EXPECT_LT(o.l1_error, 0.06);
}

TEST(FvContinuity, SameDensityOnAnyRankCount) {
  // The decomposed run and a serial run in the same process must agree to 1e-12 (in fact bitwise:
  // the stencil update is pointwise and dt comes from an exact max-reduction).
  const auto v = mf::testing::linear_velocity(Matrix::from_rows({{0.0, -1.0}, {1.0, 0.2}}), {0.05, 0.0});
  const auto init = mf::testing::gaussian_spec({0.2, 0.1}, Matrix::from_rows({{0.02, 0.005}, {0.005, 0.01}}));
  for (Boundary bc : {Boundary::Periodic, Boundary::NoFlux}) {
    const auto spec = mf::testing::box_grid(2, -1.0, 1.0, 48, bc);
    const Outcome par = run_fv(MPI_COMM_WORLD, spec, init, v, Limiter::MC, 0.3);
    const Outcome ser = run_fv(MPI_COMM_SELF, spec, init, v, Limiter::MC, 0.3);
    if (mf::world_rank() == 0) {
      // EXPECT and continue, not ASSERT: returning from the test on rank 0 alone would leave the other
      // ranks waiting in the next boundary's collectives until the timeout.
      EXPECT_EQ(par.natural.size(), ser.natural.size());
      if (par.natural.size() != ser.natural.size()) continue;
      double worst = 0.0;
      for (size_t i = 0; i < ser.natural.size(); ++i) worst = std::max(worst, std::abs(par.natural[i] - ser.natural[i]));
      EXPECT_LE(worst, 1e-12) << "boundary " << to_string(bc);
    }
  }
}

TEST(FvContinuity, ThreeDimensionalLinearField) {
  Matrix A = Matrix::from_rows({{0.0, -1.0, 0.0}, {1.0, 0.0, 0.0}, {0.0, 0.0, -0.5}});
  const auto v = mf::testing::linear_velocity(A, {0.0, 0.0, 0.0});
  const auto init = mf::testing::gaussian_spec({0.2, 0.0, 0.1}, Matrix::from_rows({{0.02, 0, 0}, {0, 0.02, 0}, {0, 0, 0.03}}));
  std::vector<double> err;
  for (PetscInt n : {16, 32}) {
    const Outcome o = run_fv(MPI_COMM_WORLD, mf::testing::box_grid(3, -1.0, 1.0, n, Boundary::NoFlux), init, v,
                             Limiter::MC, 0.4);
    err.push_back(o.l1_error);
    EXPECT_NEAR(o.mass1, o.mass0, 1e-13 * o.mass0);
  }
  EXPECT_LT(err[1], err[0] / 2.5) << err[0] << " " << err[1];
}
