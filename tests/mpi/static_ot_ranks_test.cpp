// static_ot on any rank count: every metric, the potentials and the map of the grid view agree between
// the decomposed run (MPI_COMM_WORLD) and a serial run (MPI_COMM_SELF) in one process; and a translation
// has S_ε = |τ|² exactly in both views (the cost's cross term integrates to zero under any coupling).
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "static_ot_cases.hpp"
#include "models/static_ot/static_ot_views.hpp"

using namespace mf;
using namespace mf::static_ot;

namespace {

Metrics metrics_of(Model& model) {
  Metrics m;
  model.add_metrics(0.0, m);
  return m;
}

// Largest |a − b| over a grid field, gathered in natural order.
double field_difference(const Grid& ga, Vec a, const Grid& gb, Vec b) {
  const std::vector<double> x = gather_natural(ga, a), y = gather_natural(gb, b);  // rank 0 (and SELF)
  double worst = 0.0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  MPI_Bcast(&worst, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return worst;
}

}  // namespace

TEST(StaticOtRanks, SameAnswerOnAnyRankCount) {
  StaticOtConfig c = mf::testing::two_gaussians(20);
  c.particles = 400;
  auto par = build_static_ot_model(c, MPI_COMM_WORLD);
  auto ser = build_static_ot_model(c, MPI_COMM_SELF);
  const Metrics mp = metrics_of(*par), ms = metrics_of(*ser);
  for (const auto& [name, value] : ms) {
    if (name.find("seconds") != std::string::npos) continue;  // timings
    ASSERT_TRUE(mp.count(name)) << name;
    if (name.find("iterations") != std::string::npos) {
      EXPECT_EQ(mp.at(name), value) << name;
    } else if (name.find("marginal_error") != std::string::npos || name.find("difference") != std::string::npos ||
               name.find("_error") != std::string::npos) {
      EXPECT_NEAR(mp.at(name), value, 1e-10) << name;  // small numbers: absolute
    } else {
      EXPECT_NEAR(mp.at(name), value, 1e-10 * std::abs(value)) << name;
    }
  }
  auto* p = static_cast<StaticOtModel*>(par.get());
  auto* s = static_cast<StaticOtModel*>(ser.get());
  auto fp = p->grid_view->extra_fields(), fs = s->grid_view->extra_fields();
  ASSERT_EQ(fp.size(), fs.size());
  for (std::size_t k = 0; k < fp.size(); ++k) {
    const double diff = field_difference(p->grid_view->grid(), fp[k].second, s->grid_view->grid(), fs[k].second);
    EXPECT_LT(diff, 1e-9) << fp[k].first;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("static.w2sq world %.15e self %.15e, lagrangian.divergence world %.15e self %.15e\n",
                mp.at("static.w2sq"), ms.at("static.w2sq"), mp.at("lagrangian.divergence"),
                ms.at("lagrangian.divergence"));
}

// β = α translated by τ: OT_ε(α, β) = OT_ε(α, α) + |τ|² exactly (|x − y − τ|² differs from |x − y|² by
// |τ|² and a term linear in x and in y, whose integral is the same under every coupling), so S_ε = |τ|²
// for every ε. The grid translate is exact for τ a whole number of cells; the particles' for β's samples
// drawn from α's stream (x_i + τ).
TEST(StaticOtRanks, TranslationHasDivergenceExactlyTauSquared) {
  StaticOtConfig c = mf::testing::two_gaussians(32, 0.004);
  const double h = 2.0 / 32.0;
  const double tau[2] = {4 * h, -3 * h};
  c.initial = mf::testing::gaussian_2d(-0.1, 0.1, 0.012, 0.004, 0.01);
  c.target = mf::testing::gaussian_2d(-0.1 + tau[0], 0.1 + tau[1], 0.012, 0.004, 0.01);
  c.particles = 300;
  c.target_seed = c.seed;
  c.tolerance = 1e-10;
  auto model = build_static_ot_model(c, MPI_COMM_WORLD);
  const Metrics m = metrics_of(*model);
  const double exact = tau[0] * tau[0] + tau[1] * tau[1];
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("|tau|^2 %.15f  grid S_eps %.15f (rel %.1e)  particles S_eps %.15f (rel %.1e)  grid <pi,C> %.6f\n",
                exact, m.at("static.divergence"), std::abs(m.at("static.divergence") - exact) / exact,
                m.at("lagrangian.divergence"), std::abs(m.at("lagrangian.divergence") - exact) / exact, m.at("static.w2sq"));
  EXPECT_NEAR(m.at("static.divergence"), exact, 1e-8 * exact);
  EXPECT_NEAR(m.at("lagrangian.divergence"), exact, 1e-8 * exact);
  EXPECT_NEAR(m.at("closed_form.w2sq"), exact, 1e-14);
  // The primal cost is not exact: it adds the self plan's blur, about (d/2)ε.
  EXPECT_GT(m.at("static.w2sq") - exact, 0.5 * c.eps);
}
