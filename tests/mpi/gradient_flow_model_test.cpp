// The assembled gradient_flow model: views advanced side by side as the Driver would, metrics present
// and accurate, the two views approaching each other as both refine, and input validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "gradient_flow_fixtures.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/diagnostics.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/errors.hpp"
#include "models/gradient_flow/gradient_flow_model.hpp"

using namespace mf;
using namespace mf::gradient_flow;

namespace {

std::string deck_path(const std::string& name) {
  const char* root = std::getenv("MF_SOURCE_DIR");
  return std::string(root ? root : ".") + "/inputs/gradient_flow/" + name;
}

GradientFlowConfig porous(PetscInt cells, long long lattice) {
  auto c = mf::testing::gf_config(2, 1.5, cells);
  mf::testing::set_barenblatt(c, 2.0, 0.05);
  c.t_end = 0.1;
  c.dt = 0.1 / 16.0 * 24.0 / cells;
  c.particles = lattice;
  return c;
}

// Advances every view to t_end in output intervals, as the Driver does; returns the final metrics and
// the L1 distance between the blob density and the grid density.
Metrics run(const GradientFlowConfig& c, double& cross_l1) {
  auto model = build_gradient_flow_model(c, MPI_COMM_WORLD);
  const int outputs = 2;
  for (int k = 0; k < outputs; ++k) {
    const double t = k * c.t_end / outputs, dt = c.t_end / outputs;
    model->eulerian->advance(t, dt);
    model->lagrangian->advance(t, dt);
  }
  Metrics m;
  model->add_metrics(c.t_end, m);
  auto* lag = dynamic_cast<GradientFlowLagrangian*>(model->lagrangian.get());
  const Grid& g = model->eulerian->grid();
  VecHandle blob = g.create_global();
  blob_density_on_grid(g, lag->particles(), lag->mollifier(), blob);
  cross_l1 = relative_l1(blob, model->eulerian->density());
  return m;
}

}  // namespace

TEST(GradientFlowModel, PorousMediumMetricsAndViewsAgreeMoreAsBothRefine) {
  double cross_coarse = 0, cross_fine = 0;
  const Metrics coarse = run(porous(24, 2500), cross_coarse);
  const Metrics fine = run(porous(48, 10000), cross_fine);
  for (const char* key : {"eulerian.energy_monotone", "eulerian.newton_iterations_mean", "eulerian.support_radius_error",
                          "lagrangian.l1_error", "lagrangian.support_radius_error", "lagrangian.halo_particles"})
    EXPECT_EQ(fine.count(key), 1u) << key;
  EXPECT_EQ(fine.at("eulerian.energy_monotone"), 1.0);
  EXPECT_GT(fine.at("eulerian.newton_iterations_mean"), 0.0);
  EXPECT_LT(fine.at("eulerian.newton_iterations_mean"), 10.0);
  EXPECT_LT(fine.at("eulerian.support_radius_error"), 0.06);
  EXPECT_LT(fine.at("lagrangian.l1_error"), coarse.at("lagrangian.l1_error"));
  EXPECT_LT(cross_fine, cross_coarse);
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size > 1) EXPECT_GT(fine.at("lagrangian.halo_particles"), 0.0);
  if (mf::world_rank() == 0)
    std::printf("model porous2d: cross L1 blob-grid %.4e -> %.4e; lagrangian L1 %.4e -> %.4e; support radius err grid "
                "%.4f blob %.4f; newton %.2f\n",
                cross_coarse, cross_fine, coarse.at("lagrangian.l1_error"), fine.at("lagrangian.l1_error"),
                fine.at("eulerian.support_radius_error"), fine.at("lagrangian.support_radius_error"),
                fine.at("eulerian.newton_iterations_mean"));
}

TEST(GradientFlowModel, OneDimensionalW2ErrorsShrinkAsBothViewsRefine) {
  // Porous m = 2 in 1D, Barenblatt t0 = 0.05 → t0 + 0.1; W2 exact by quantiles in 1D.
  std::vector<double> eu, la, cr;
  for (int level = 0; level < 3; ++level) {
    const PetscInt cells = 50 << level;
    auto c = mf::testing::gf_config(1, 1.5, cells);
    mf::testing::set_barenblatt(c, 2.0, 0.05);
    c.t_end = 0.1;
    c.dt = 0.004 / (1 << level);
    c.particles = 100LL << level;
    auto model = build_gradient_flow_model(c, MPI_COMM_WORLD);
    model->eulerian->advance(0.0, c.t_end);
    model->lagrangian->advance(0.0, c.t_end);
    Metrics m;
    model->add_metrics(c.t_end, m);
    eu.push_back(m.at("eulerian.w2_error"));
    la.push_back(m.at("lagrangian.w2_error"));
    cr.push_back(m.at("cross.w2_eulerian_lagrangian"));
    if (mf::world_rank() == 0)
      std::printf("1D porous: cells %ld lattice %lld: W2 grid-exact %.3e, particles-exact %.3e, grid-particles %.3e\n",
                  (long)cells, c.particles, eu.back(), la.back(), cr.back());
  }
  for (int k = 0; k < 2; ++k) {
    EXPECT_GE(mf::testing::observed_order(eu[k], eu[k + 1]), 0.8) << eu[k] << " " << eu[k + 1];
    EXPECT_GE(mf::testing::observed_order(la[k], la[k + 1]), 0.8) << la[k] << " " << la[k + 1];
    EXPECT_LT(cr[k + 1], cr[k]);
  }
}

// Every rule is checked where the deck is read (the schema and its cross-checks), before any compute,
// and the message names the key and what is allowed.
TEST(GradientFlowModel, RejectsUnsupportedInputWithTheKeyName) {
  register_all_models();
  auto error_of = [](const std::string& deck, const std::vector<std::string>& sets) -> std::string {
    try {
      load_deck(deck_path(deck), sets);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of("porous_barenblatt_2d.yaml", {}), "");
  const std::string periodic = error_of("porous_barenblatt_2d.yaml", {"domain.boundary=periodic"});
  EXPECT_NE(periodic.find("domain.boundary"), std::string::npos) << periodic;
  EXPECT_NE(periodic.find("noflux"), std::string::npos) << periodic;
  EXPECT_NE(error_of("porous_barenblatt_2d.yaml", {"energy.internal={type: porous, m: 1.0}"}).find("energy.internal.m"),
            std::string::npos);
  const std::string stochastic = error_of("porous_barenblatt_2d.yaml", {"lagrangian.method=stochastic"});
  EXPECT_NE(stochastic.find("lagrangian.method"), std::string::npos) << stochastic;  // porous has no Brownian form
  EXPECT_NE(stochastic.find("entropy"), std::string::npos) << stochastic;
  const std::string disk_1d = error_of("aggregation_interval_1d.yaml", {"energy.interaction={type: log_quadratic}"});
  EXPECT_NE(disk_1d.find("energy.interaction.type"), std::string::npos) << disk_1d;
  EXPECT_NE(disk_1d.find("2D only"), std::string::npos) << disk_1d;
  const std::string big = error_of("aggregation_disk_2d.yaml", {"domain.cells=[300, 300]"});
  EXPECT_NE(big.find("domain.cells"), std::string::npos) << big;
  EXPECT_EQ(error_of("aggregation_disk_2d.yaml", {"domain.cells=[300, 300]", "eulerian.enabled=false"}), "");
}
