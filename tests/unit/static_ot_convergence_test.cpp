// The static_ot views against the Gaussian closed forms (one rank): the grid view's W2² estimates
// converge to the Bures W2² at second order in h (ε = h² tied to the grid), its entropic cost to the
// entropic closed form at fixed ε, and the particle view's divergence at the Monte Carlo rate n^-1/2.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "static_ot_cases.hpp"
#include "models/static_ot/static_ot_views.hpp"

using namespace mf;
using namespace mf::static_ot;

namespace {

Metrics run(const StaticOtConfig& c) {
  auto model = build_static_ot_model(c, MPI_COMM_WORLD);
  Metrics m;
  model->add_metrics(0.0, m);
  return m;
}

double order(double coarse_error, double fine_error) { return std::log2(coarse_error / fine_error); }

}  // namespace

// ε = h²: the plan's primal cost carries the entropic blur (d/2)ε = h² and the cell quantisation O(h²);
// the debiased S_ε cancels the blur to O(ε²) and keeps the quantisation alone. Both are second order.
TEST(StaticOtGrid, W2sqConvergesToBuresAtSecondOrderInH) {
  std::vector<double> primal, debiased;
  double exact = 0.0;
  for (PetscInt cells : {12, 24, 48}) {
    StaticOtConfig c = mf::testing::two_gaussians(cells);
    c.lagrangian_enabled = false;
    const Metrics m = run(c);
    exact = m.at("closed_form.w2sq");
    primal.push_back(std::abs(m.at("static.w2sq") - exact));
    debiased.push_back(std::abs(m.at("static.divergence") - exact));
    std::printf("cells %3d  eps %.3e  w2sq %.10f  S_eps %.10f  exact %.10f  errors %.3e %.3e  iterations %g\n",
                static_cast<int>(cells), m.at("static.eps"), m.at("static.w2sq"), m.at("static.divergence"), exact,
                primal.back(), debiased.back(), m.at("static.iterations"));
    EXPECT_LT(m.at("static.marginal_error"), 1e-7);
  }
  const double p1 = order(primal[0], primal[1]), p2 = order(primal[1], primal[2]);
  const double d1 = order(debiased[0], debiased[1]), d2 = order(debiased[1], debiased[2]);
  std::printf("observed orders: primal %.2f %.2f, debiased %.2f %.2f\n", p1, p2, d1, d2);
  EXPECT_NEAR(p2, 2.0, 0.3);
  EXPECT_NEAR(d2, 2.0, 0.4);
  EXPECT_LT(debiased.back(), 2e-3 * exact);
}

// Why the 256² deck's S_ε error fell only 1.5× from 256² to 512² (docs/static_ot.md, "The grid view's error
// budget"): the box cuts the Gaussians' tails, the solver renormalises the cut mass, and the cut measures'
// smaller covariances move S_ε by an amount no finer grid removes. The deck's pair at the same h in a wide
// box (±1.2: ≥ 5.8 standard deviations to every face, nothing cut) and a tight one (±0.8: α's lower x face
// 3.5 σ away), cell centres aligned: the wide box's error is the cells' quantisation, second order in h;
// the tight box's excess over it is the same at both h (predicted −1.28e-3 relative by the Bures formula on
// the cut measures' moments), so its own error converges to that floor, not to zero.
TEST(StaticOtGrid, BoxTruncationIsAFloorNotAnOrderOfH) {
  std::vector<double> wide, excess;
  for (PetscInt tight_cells : {32, 64}) {
    const PetscInt wide_cells = tight_cells * 3 / 2;  // the same h = 1.6 / tight_cells = 2.4 / wide_cells
    const Metrics w = run(mf::testing::deck_gaussians(1.2, wide_cells));
    const Metrics t = run(mf::testing::deck_gaussians(0.8, tight_cells));
    const double scale = w.at("closed_form.w2sq");
    EXPECT_DOUBLE_EQ(w.at("static.eps"), t.at("static.eps"));
    wide.push_back((w.at("static.divergence") - w.at("closed_form.divergence")) / scale);
    excess.push_back((t.at("static.divergence") - w.at("static.divergence")) / scale);
    std::printf("h %.4f  wide box S_eps error %.4e  tight box excess %.4e (relative to W2sq)\n", 1.6 / tight_cells,
                wide.back(), excess.back());
  }
  std::printf("wide box order %.2f; tight box excess changed %.2e relative from h to h/2\n",
              order(std::abs(wide[0]), std::abs(wide[1])), std::abs(excess[1] / excess[0] - 1.0));
  EXPECT_NEAR(order(std::abs(wide[0]), std::abs(wide[1])), 2.0, 0.3);
  EXPECT_NEAR(excess[1], excess[0], 0.05 * std::abs(excess[0]));  // a floor: independent of h
  EXPECT_GT(std::abs(excess[1]), 5.0 * std::abs(wide[1]));          // and at h/2 it dominates the error
}

// At a fixed ε the grid view solves the same entropic problem on finer quadratures of the same measures:
// its OT_ε converges to the Janati et al. closed form at second order (2.7e-4 relative at 48²), and the
// Richardson extrapolation (4 E_48 − E_24) / 3 of the two grids removes the h² term: within 1e-5 of it.
TEST(StaticOtGrid, EntropicCostMatchesClosedFormAtFixedEps) {
  const double eps = 0.01;
  std::vector<double> errors, costs;
  double exact = 0.0;
  for (PetscInt cells : {24, 48}) {
    StaticOtConfig c = mf::testing::two_gaussians(cells, eps);
    c.lagrangian_enabled = false;
    const Metrics m = run(c);
    exact = m.at("closed_form.entropic_cost");
    costs.push_back(m.at("static.entropic_cost"));
    errors.push_back(std::abs(costs.back() - exact));
    std::printf("cells %3d  OT_eps %.12f  closed form %.12f  error %.3e  S_eps %.12f vs %.12f\n",
                static_cast<int>(cells), m.at("static.entropic_cost"), exact, errors.back(), m.at("static.divergence"),
                m.at("closed_form.divergence"));
  }
  const double extrapolated = (4.0 * costs[1] - costs[0]) / 3.0;
  std::printf("observed order %.2f; Richardson %.12f, relative error %.2e\n", order(errors[0], errors[1]),
              extrapolated, std::abs(extrapolated - exact) / exact);
  EXPECT_NEAR(order(errors[0], errors[1]), 2.0, 0.2);
  EXPECT_LT(errors.back(), 5e-4 * exact);
  EXPECT_LT(std::abs(extrapolated - exact), 1e-5 * exact);
}

// Independent samples of α and β (seeds s, s + 1): S_ε of the empirical measures converges to the
// Gaussians' S_ε at the rate n^-1/2 whatever the dimension (Genevay et al. 2019). RMS over 16 seed pairs
// at n = 64, 256, 1024: the observed slope of log RMS against log n (its own sampling spread is ≈ 0.1).
TEST(StaticOtParticles, DivergenceConvergesAtMonteCarloRate) {
  const double eps = 0.01;
  std::vector<double> rms;
  const std::vector<long long> sizes{64, 256, 1024};
  for (long long n : sizes) {
    double sum = 0.0;
    const int seeds = 16;
    for (int s = 0; s < seeds; ++s) {
      StaticOtConfig c = mf::testing::two_gaussians(8, eps);
      c.eulerian_enabled = false;
      c.particles = n;
      c.seed = 1000 + 2 * static_cast<std::uint64_t>(s);
      c.target_seed = c.seed + 1;
      const Metrics m = run(c);
      const double e = m.at("lagrangian.divergence") - m.at("closed_form.divergence");
      sum += e * e;
    }
    rms.push_back(std::sqrt(sum / seeds));
    std::printf("n %5lld  RMS |S_eps - exact| %.3e\n", n, rms.back());
  }
  const double slope = std::log(rms[2] / rms[0]) / std::log(static_cast<double>(sizes[2]) / sizes[0]);
  std::printf("observed Monte Carlo slope %.2f (expected -0.5)\n", slope);
  EXPECT_NEAR(slope, -0.5, 0.25);
}

// A pair outside the closed forms, checked against an independent exact answer: in 1D, W2² is the L²
// distance of the quantile functions. α = U[−0.5, 0.1] (F⁻¹(u) = −0.5 + 0.6u), β = N(0.3, s²)
// (G⁻¹(u) = 0.3 + s Φ⁻¹(u)): W2² = (m_α − m_β)² + 0.6²/12 + s² − 2 · 0.6 s E[Φ(Z) Z], and E[Φ(Z) Z] = E[φ(Z)]
// = 1/(2√π). The box's edges cut cells (its cell averages are exact), so S_ε at ε = h² still converges.
TEST(StaticOtGrid, OneDimensionalUniformToGaussianMatchesQuantileFormula) {
  const double s2 = 0.02, s = std::sqrt(s2);
  const double exact = 0.25 + 0.36 / 12.0 + s2 - 2.0 * 0.6 * s / (2.0 * std::sqrt(M_PI));
  std::vector<double> errors, primal;
  for (PetscInt cells : {50, 100, 200}) {
    StaticOtConfig c;
    c.domain.dim = 1;
    c.domain.lower = {-1.0, 0.0, 0.0};
    c.domain.upper = {1.0, 1.0, 1.0};
    c.domain.cells = {cells, 1, 1};
    c.domain.boundary = Boundary::NoFlux;
    MeasureSpec box;
    box.type = "uniform_box";
    box.dim = 1;
    box.lower = Vector{-0.5};
    box.upper = Vector{0.1};
    MeasureSpec g;
    g.type = "gaussian";
    g.dim = 1;
    g.mean = Vector{0.3};
    g.cov = Matrix(1, 1);
    g.cov(0, 0) = s2;
    c.initial = make_measure(box);
    c.target = make_measure(g);
    c.tolerance = 1e-9;
    c.lagrangian_enabled = false;
    const Metrics m = run(c);
    EXPECT_EQ(m.count("closed_form.w2sq"), 0u);  // not two Gaussians
    errors.push_back(std::abs(m.at("static.divergence") - exact));
    primal.push_back(std::abs(m.at("static.w2sq") - exact));
    std::printf("cells %3d  eps %.2e  S_eps %.10f  exact %.10f  error %.3e  <pi,C> %.10f\n", static_cast<int>(cells),
                m.at("static.eps"), m.at("static.divergence"), exact, errors.back(), m.at("static.w2sq"));
  }
  // The primal cost's error is the blur (d/2)ε = h²/2: second order. S_ε's signed error crosses zero
  // between 50 and 100 cells (7.7e-5 below, 5.3e-6 above) and is 3.0e-6 at 200 (1.2e-5 relative), so its
  // observed order means little; asserted: the 50 → 200 reduction and the bound.
  const double p1 = order(primal[0], primal[1]), p2 = order(primal[1], primal[2]);
  std::printf("primal orders %.2f %.2f; S_eps errors reduced %.1fx from 50 to 200 cells\n", p1, p2,
              errors[0] / errors[2]);
  EXPECT_NEAR(p2, 2.0, 0.3);
  EXPECT_LT(errors[2], errors[0] / 10.0);
  EXPECT_LT(errors.back(), 3e-5 * exact);
}
