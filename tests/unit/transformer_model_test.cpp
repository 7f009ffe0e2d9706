// The transformer model as the Driver sees it: views built from the config, the closed form's moments,
// the model's own metrics (blow-up times, clusters, entropy, sphere inner product) and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow/moments.hpp"
#include "models/transformer/transformer_views.hpp"

using namespace mf;
using namespace mf::transformer;

namespace {

TransformerConfig blowup_config() {
  TransformerConfig c;
  AttentionLayer l;
  l.Q = Matrix::from_rows({{3.0, 0.0}, {0.0, 1.0}});
  l.K = Matrix::identity(2);
  l.V = Matrix::identity(2);
  c.layers = {l};
  c.initial.type = "gaussian";
  c.initial.dim = 2;
  c.initial.mean = {0.0, 0.0};
  c.initial.cov = Matrix::from_rows({{0.1, 0.0}, {0.0, 0.1}});
  c.domain.dim = 2;
  for (int a = 0; a < 2; ++a) {
    c.domain.lower[a] = -2.0;
    c.domain.upper[a] = 2.0;
    c.domain.cells[a] = 24;
  }
  c.domain.boundary = Boundary::NoFlux;
  c.particles = 500;
  c.dt = 0.05;
  return c;
}

}  // namespace

TEST(TransformerModel, BuildsViewsAndReportsItsMetrics) {
  const TransformerConfig c = blowup_config();
  auto model = build_transformer_model(c, MPI_COMM_SELF);
  ASSERT_TRUE(model->eulerian && model->lagrangian && model->closed_form);
  // t* = 1/λ_max(Lᵀ(M+Mᵀ)L) = 1/(0.1 · 6) for M = diag(3, 1), Σ0 = 0.1 I.
  Metrics m;
  model->add_metrics(0.0, m);
  EXPECT_NEAR(m.at("closed_form.blowup_time"), 1.0 / 0.6, 1e-12);
  EXPECT_EQ(m.count("lagrangian.blowup_time"), 0u);  // needs three samples
  EXPECT_GE(m.at("lagrangian.clusters"), 100.0);      // 500 spread tokens, radius 0.01
  EXPECT_GT(m.at("lagrangian.attention_entropy"), 0.0);
  EXPECT_LT(m.at("lagrangian.attention_entropy"), std::log(500.0));
  for (int k = 1; k <= 3; ++k) {
    model->lagrangian->advance(0.05 * (k - 1), 0.05);
    model->eulerian->advance(0.05 * (k - 1), 0.05);
    m.clear();
    model->add_metrics(0.05 * k, m);
  }
  // Wiring only (500 tokens, 24² cells): the 2 % accuracy is tested in mpi/transformer_ring_test.
  EXPECT_NEAR(m.at("lagrangian.blowup_time"), 1.0 / 0.6, 0.15 / 0.6);
  EXPECT_NEAR(m.at("eulerian.blowup_time"), 1.0 / 0.6, 0.15 / 0.6);
  const auto exact = model->closed_form->moments(0.15);
  ASSERT_TRUE(exact.has_value());
  // Σ(t) = (Σ0⁻¹ − t(M+Mᵀ))⁻¹ = diag(1/(10 − 6t), 1/(10 − 2t)).
  EXPECT_NEAR(exact->cov(0, 0), 1.0 / (10.0 - 0.9), 1e-12);
  EXPECT_NEAR(exact->cov(1, 1), 1.0 / (10.0 - 0.3), 1e-12);
  EXPECT_FALSE(model->closed_form->moments(1.7).has_value());  // past t*
}

TEST(TransformerModel, SphereVariantStartsOnTheSphereAndClusters) {
  TransformerConfig c = blowup_config();
  c.variant = Variant::Sphere;
  c.beta = 4.0;
  c.eulerian_enabled = false;
  c.initial.cov = Matrix::identity(2);
  c.particles = 64;
  c.cluster_radius = 0.05;
  auto model = build_transformer_model(c, MPI_COMM_SELF);
  EXPECT_FALSE(model->closed_form);
  Metrics m0, m1;
  model->add_metrics(0.0, m0);
  const auto& x = model->lagrangian->particles().positions;
  for (std::size_t i = 0; i < x.extent(0); ++i) ASSERT_NEAR(x(i, 0) * x(i, 0) + x(i, 1) * x(i, 1), 1.0, 1e-14);
  model->lagrangian->advance(0.0, 10.0);
  model->add_metrics(10.0, m1);
  EXPECT_GT(m1.at("lagrangian.mean_inner_product"), m0.at("lagrangian.mean_inner_product"));
  EXPECT_LT(m1.at("lagrangian.clusters"), m0.at("lagrangian.clusters"));
  for (std::size_t i = 0; i < x.extent(0); ++i) ASSERT_NEAR(x(i, 0) * x(i, 0) + x(i, 1) * x(i, 1), 1.0, 1e-6);
}

// The rules live in the deck schema (transformer_deck.cpp): a bad deck is rejected before anything is
// built, with the key named.
TEST(TransformerModel, RejectsInconsistentInput) {
  register_all_models();
  auto error_of = [](const std::vector<std::string>& sets) -> std::string {
    const char* root = std::getenv("MF_SOURCE_DIR");
    try {
      load_deck(std::string(root ? root : ".") + "/inputs/transformer/blowup_2d.yaml", sets);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of({}), "");
  const std::string q3 = error_of({"attention.Q=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]"});
  EXPECT_NE(q3.find("attention.Q"), std::string::npos) << q3;
  const std::string sphere = error_of({"variant=sphere"});  // sphere has no grid view
  EXPECT_NE(sphere.find("variant"), std::string::npos) << sphere;
  EXPECT_NE(sphere.find("eulerian.enabled: false"), std::string::npos) << sphere;
  EXPECT_EQ(error_of({"variant=sphere", "eulerian.enabled=false"}), "");
  const std::string none = error_of({"attention=null"});
  EXPECT_NE(none.find("attention"), std::string::npos) << none;
  EXPECT_THROW(parse_variant("softmx"), std::invalid_argument);
}
