// solver.method: the multiscale solver (bin hierarchy, truncated kernel) gives the dense log-domain
// Sinkhorn's answer to the solver tolerance on one grid: every metric, the potentials on every cell (the
// zero-mass cells of uniform discs included, where the multiscale solver itself has no point and the
// potentials are its soft c-transforms) and the barycentric map, in both views.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>

#include "static_ot_cases.hpp"
#include "static_ot_fields.hpp"

using namespace mf;
using namespace mf::static_ot;

namespace {

struct Run {
  std::unique_ptr<Model> model;
  Metrics metrics;
  std::map<std::string, std::vector<double>> fields;
  StaticOtModel& view() { return static_cast<StaticOtModel&>(*model); }
};

Run run(StaticOtConfig c, StaticMethod method) {
  c.method = method;
  Run r;
  r.model = build_static_ot_model(c, MPI_COMM_WORLD);
  r.model->add_metrics(0.0, r.metrics);
  r.fields = mf::testing::static_ot_fields(r.view());
  return r;
}

// Σ_i w_i |a_i − b_i| / Σ_i w_i: a difference weighted by a measure. Sinkhorn fixes a potential at a
// point to about ε·tol / (the point's mass) (the marginal violation is an L1 norm of mass), so a cell of
// mass 1e-30 in a Gaussian's tail has a potential neither solver determines; the measure-weighted
// difference is what the tolerance bounds.
double weighted_difference(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& w) {
  double s = 0.0, total = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    s += w[i] * std::abs(a[i] - b[i]);
    total += w[i];
  }
  return s / total;
}

// Both solvers on the same configuration: the metrics to metric_rtol; the potentials (in units of ε) and
// the map (in units of h) weighted by their measure to weighted_tol, and at the zero-mass cells (where
// they are the extension alone) to max_tol at every cell.
void expect_same_answer(const StaticOtConfig& c, double metric_rtol, double weighted_tol, double max_tol) {
  Run dense = run(c, StaticMethod::Dense), ms = run(c, StaticMethod::Multiscale);
  EXPECT_EQ(dense.metrics.at("static.multiscale"), 0.0);
  EXPECT_EQ(ms.metrics.at("static.multiscale"), 1.0);
  const double eps = dense.metrics.at("static.eps");
  const double h = (c.domain.upper[0] - c.domain.lower[0]) / static_cast<double>(c.domain.cells[0]);
  const char* prefixes[2] = {"static", "lagrangian"};
  for (const char* p : prefixes) {
    if (!dense.metrics.count(std::string(p) + ".w2sq")) continue;
    for (const char* what : {".w2sq", ".entropic_cost", ".divergence"}) {
      const std::string name = std::string(p) + what;
      const double a = dense.metrics.at(name), b = ms.metrics.at(name);
      std::printf("%-26s dense %.12f multiscale %.12f  rel %.2e\n", name.c_str(), a, b, std::abs(a - b) / std::abs(a));
      EXPECT_NEAR(b, a, metric_rtol * std::abs(a)) << name;
    }
    EXPECT_LT(ms.metrics.at(std::string(p) + ".marginal_error"), c.tolerance);
  }
  const auto& alpha = dense.fields.at("density");
  const auto& beta = dense.fields.at("target_density");
  const auto &fd = dense.fields.at("potential_f"), &fm = ms.fields.at("potential_f");
  const auto &gd = dense.fields.at("potential_g"), &gm = ms.fields.at("potential_g");
  const double wf = weighted_difference(fd, fm, alpha) / eps, wg = weighted_difference(gd, gm, beta) / eps;
  double wmap = 0.0;
  for (const char* axis : {"map_x", "map_y"})
    wmap = std::max(wmap, weighted_difference(dense.fields.at(axis), ms.fields.at(axis), alpha) / h);
  auto empty_alpha = [&](std::size_t i) { return !(alpha[i] > 0.0); };
  auto empty_beta = [&](std::size_t i) { return !(beta[i] > 0.0); };
  const double f0 = mf::testing::max_difference(fd, fm, empty_alpha) / eps;
  const double g0 = mf::testing::max_difference(gd, gm, empty_beta) / eps;
  double map0 = 0.0;
  for (const char* axis : {"map_x", "map_y"})
    map0 = std::max(map0, mf::testing::max_difference(dense.fields.at(axis), ms.fields.at(axis), empty_alpha) / h);
  long long zero_a = 0, zero_b = 0;
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    zero_a += empty_alpha(i);
    zero_b += empty_beta(i);
  }
  std::printf("weighted |f_dense - f_ms| / eps %.2e, |g| %.2e, map / h %.2e; zero-mass cells (%lld of alpha, %lld of "
              "beta): max %.2e, %.2e, map %.2e\n", wf, wg, wmap, zero_a, zero_b, f0, g0, map0);
  EXPECT_LT(wf, weighted_tol);
  EXPECT_LT(wg, weighted_tol);
  EXPECT_LT(wmap, weighted_tol);
  EXPECT_LT(f0, max_tol);
  EXPECT_LT(g0, max_tol);
  EXPECT_LT(map0, max_tol);
}

}  // namespace

TEST(StaticOtSolvers, MultiscaleGivesTheDenseAnswerOnGaussians) {
  StaticOtConfig c = mf::testing::two_gaussians(32);
  c.particles = 500;
  expect_same_answer(c, 1e-7, 1e-6, 1e-6);
}

// Uniform discs: most cells of either grid carry no mass, so the potentials there are the extension.
TEST(StaticOtSolvers, MultiscaleGivesTheDenseAnswerOnZeroMassCells) {
  StaticOtConfig c = mf::testing::two_gaussians(32);
  c.initial = mf::testing::ball_2d(-0.35, 0.1, 0.3);
  c.target = mf::testing::ball_2d(0.3, -0.15, 0.4);
  c.lagrangian_enabled = false;
  expect_same_answer(c, 1e-7, 1e-6, 1e-5);
}
