// A valid deck resolves: defaults filled in, overrides applied, typed accessors, help text.
#include <gtest/gtest.h>

#include <functional>

#include "deck_test_model.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"

namespace mf {
namespace {

using test::base_deck;
using test::with_line;

class DeckResolve : public ::testing::Test {
 protected:
  void SetUp() override { test::register_test_model(); }
};

TEST_F(DeckResolve, CoreDefaultsAreFilledIn) {
  const Deck d = deck_from_string(base_deck(), "decks/quick.yaml");
  EXPECT_DOUBLE_EQ(d.real("time.cfl"), 0.4);
  EXPECT_FALSE(d.has("time.dt"));
  EXPECT_TRUE(d.flag("eulerian.enabled"));
  EXPECT_EQ(d.text("eulerian.limiter"), "mc");
  EXPECT_TRUE(d.flag("lagrangian.enabled"));
  EXPECT_EQ(d.integer("lagrangian.particles"), 10000);
  EXPECT_EQ(d.text("lagrangian.integrator"), "rk4");
  EXPECT_EQ(d.integer("lagrangian.seed"), 42);
  EXPECT_FALSE(d.has("lagrangian.dt"));
  EXPECT_EQ(d.text("output.dir"), "out/quick");
  EXPECT_DOUBLE_EQ(d.real("output.every"), 0.1);
  EXPECT_FALSE(d.flag("output.quiet"));
  EXPECT_FALSE(d.has("target"));  // optional measure, absent
  // Model defaults sized by domain.dim.
  EXPECT_EQ(d.vec("velocity.b"), (std::vector<double>{0.0, 0.0}));
}

TEST_F(DeckResolve, ResolvedYamlIsAValidDeckWithTheSameValues) {
  const Deck d = deck_from_string(base_deck(), "decks/quick.yaml");
  const std::string text = d.resolved_yaml();
  EXPECT_NE(text.find("cfl: 0.4"), std::string::npos) << text;
  EXPECT_NE(text.find("particles: 10000"), std::string::npos) << text;
  EXPECT_NE(text.find("cfl: 0.4\n"), std::string::npos) << text;     // shortest round-trip text
  EXPECT_NE(text.find("every: 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("b: [0, 0]\n"), std::string::npos) << text;   // vectors on one line
  // Keys come in declaration order, however the user ordered them and defaults were added.
  EXPECT_LT(text.find("dir: out/quick"), text.find("every:")) << text;
  // output.every is declared by the models that read time.end (declare_time_end), after the core keys.
  EXPECT_LT(text.find("quiet:"), text.find("every:")) << text;
  EXPECT_LT(text.find("time:"), text.find("velocity:")) << text;
  // Re-loading the resolved deck under another name keeps every value (output.dir is now explicit).
  const Deck again = deck_from_string(text, "elsewhere/other.yaml");
  EXPECT_EQ(again.resolved_yaml(), text);
  EXPECT_EQ(again.text("output.dir"), "out/quick");
}

TEST_F(DeckResolve, EmptySectionHeaderMeansDefaults) {
  const Deck d = deck_from_string(base_deck() + "eulerian:\n  # limiter: minmod\n", "t.yaml");
  EXPECT_EQ(d.text("eulerian.limiter"), "mc");
  EXPECT_TRUE(d.flag("eulerian.enabled"));
}

TEST_F(DeckResolve, DtReplacesCfl) {
  const Deck d = deck_from_string(base_deck() + "  dt: 0.01\n", "t.yaml");
  EXPECT_DOUBLE_EQ(d.real("time.dt"), 0.01);
  EXPECT_FALSE(d.has("time.cfl"));
}

TEST_F(DeckResolve, OverridesAreApplied) {
  const Deck d = deck_from_string(base_deck(), "t.yaml",
                                  {"domain.cells=[64, 48]", "time.end=0.5", "lagrangian.integrator=euler",
                                   "output.quiet=true", "initial.cov=[[0.5, 0.1], [0.1, 0.5]]"});
  EXPECT_EQ(d.ivec("domain.cells"), (std::vector<long long>{64, 48}));
  EXPECT_DOUBLE_EQ(d.real("time.end"), 0.5);
  EXPECT_DOUBLE_EQ(d.real("output.every"), 0.05);  // the computed default follows the override
  EXPECT_EQ(d.text("lagrangian.integrator"), "euler");
  EXPECT_TRUE(d.flag("output.quiet"));
  EXPECT_DOUBLE_EQ(d.mat("initial.cov")(0, 1), 0.1);
  // Later overrides win; null removes a key (here so that dt may replace cfl).
  const Deck e = deck_from_string(base_deck() + "  cfl: 0.2\n", "t.yaml", {"time.end=2", "time.end=3", "time.cfl=null",
                                                                          "time.dt=0.001"});
  EXPECT_DOUBLE_EQ(e.real("time.end"), 3.0);
  EXPECT_FALSE(e.has("time.cfl"));
  EXPECT_DOUBLE_EQ(e.real("time.dt"), 0.001);
  // Overrides create sections and switch variants.
  const Deck f = deck_from_string(base_deck(), "t.yaml",
                                  {"target.type=uniform_ball", "target.center=[0, 0]", "target.radius=0.5"});
  EXPECT_EQ(f.text("target.type"), "uniform_ball");
  EXPECT_DOUBLE_EQ(f.real("target.radius"), 0.5);
}

TEST_F(DeckResolve, OverridesReachListItems) {
  std::string text = base_deck();
  text.replace(text.find("initial:"), text.find("velocity:") - text.find("initial:"),
               "initial:\n  type: mixture\n  components:\n"
               "    - {weight: 1.0, mean: [0, 0], cov: [[1, 0], [0, 1]]}\n"
               "    - {weight: 2.0, mean: [0.5, 0], cov: [[1, 0], [0, 2]]}\n");
  const Deck d = deck_from_string(text, "t.yaml", {"initial.components.1.weight=3"});
  EXPECT_DOUBLE_EQ(d.real("initial.components.1.weight"), 3.0);
  EXPECT_DOUBLE_EQ(d.real("initial.components.0.weight"), 1.0);
  EXPECT_EQ(d.node("initial.components").size(), 2u);
  EXPECT_THROW(deck_from_string(text, "t.yaml", {"initial.components.2.weight=3"}), InputError);
}

TEST_F(DeckResolve, TypedAccessors) {
  const Deck d = deck_from_string(base_deck(), "some/dir/quickstart.yaml");
  EXPECT_EQ(d.path(), "some/dir/quickstart.yaml");
  EXPECT_EQ(d.name(), "quickstart");
  EXPECT_EQ(d.model(), "testflow");
  EXPECT_EQ(d.integer("domain.dim"), 2);
  EXPECT_EQ(d.vec("domain.lower"), (std::vector<double>{-1.0, -1.0}));
  EXPECT_EQ(d.ivec("domain.cells"), (std::vector<long long>{32, 32}));
  const Matrix cov = d.mat("initial.cov");
  ASSERT_EQ(cov.rows(), 2);
  EXPECT_DOUBLE_EQ(cov(0, 0), 0.01);
  EXPECT_DOUBLE_EQ(cov(1, 1), 0.02);
  EXPECT_DOUBLE_EQ(cov(0, 1), 0.0);
  EXPECT_DOUBLE_EQ(d.mat("velocity.A")(1, 0), 1.0);
  EXPECT_DOUBLE_EQ(d.real("time.end"), 1.0);
  EXPECT_DOUBLE_EQ(d.real("domain.dim"), 2.0);  // an integer is also a real
  EXPECT_TRUE(d.has("initial.cov"));
  EXPECT_FALSE(d.has("initial.covv"));
  // node() is a copy: editing it leaves the deck alone.
  YAML::Node copy = d.node("domain");
  copy["dim"] = 7;
  EXPECT_EQ(d.integer("domain.dim"), 2);
  // Programming errors, not input errors.
  EXPECT_THROW(d.real("time.nothing"), std::logic_error);
  EXPECT_THROW(d.integer("time.cfl"), std::logic_error);  // 0.4 is no integer
  EXPECT_THROW(d.flag("domain.dim"), std::logic_error);
  EXPECT_THROW(d.vec("domain.dim"), std::logic_error);
  EXPECT_THROW(d.text("domain"), std::logic_error);
  EXPECT_THROW(d.mat("domain.lower"), std::logic_error);
}

TEST_F(DeckResolve, PathsResolveAgainstTheDeckFolder) {
  const Deck d = deck_from_string(base_deck(), "runs/a/deck.yaml");
  EXPECT_EQ(d.resolve_path("data/x.h5"), "runs/a/data/x.h5");
  EXPECT_EQ(d.resolve_path("/abs/x.h5"), "/abs/x.h5");
  const Deck here = deck_from_string(base_deck(), "deck.yaml");
  EXPECT_EQ(here.resolve_path("x.h5"), "x.h5");
}

TEST_F(DeckResolve, ValidationIsDeterministic) {
  const std::string bad = with_line(11, "  cov: [[1, 2], [2, 1]]") + "lagrangian: {seeed: 1}\n";
  std::string first;
  for (int i = 0; i < 3; ++i) try {
      deck_from_string(bad, "t.yaml");
      FAIL();
    } catch (const InputError& e) {
      if (i == 0) first = e.what();
      EXPECT_EQ(first, e.what());
    }
}

// Every declared key path (recursing into sections, lists and variant options).
void collect_paths(const Schema& s, const std::string& prefix, std::vector<std::string>& out) {
  for (const Key& k : s.keys()) {
    const std::string path = prefix + k.name;
    out.push_back(path);
    if (k.kind == Kind::Section) collect_paths(*k.section, path + ".", out);
    if (k.kind == Kind::List) collect_paths(*k.section, path + "[i].", out);
    if (k.kind == Kind::Variant)
      for (const auto& opt : k.variants) collect_paths(*opt.second, path + ".", out);
  }
}

TEST_F(DeckResolve, HelpListsEveryKeyWithDefaults) {
  const std::string help = schema_help("testflow");
  std::vector<std::string> paths;
  collect_paths(model_schema("testflow"), "", paths);
  EXPECT_GT(paths.size(), 40u);
  for (const auto& p : paths) EXPECT_NE(help.find("  " + p + "  ("), std::string::npos) << p << "\n" << help;
  for (const char* line : {"time.cfl  (real in (0, 1]; default 0.4 unless time.dt is given)",
                           "lagrangian.particles  (integer >= 1; default 10000)",
                           "eulerian.limiter  (one of: minmod, mc; default mc)",
                           "output.every  (real > 0; default time.end / 10)",
                           "domain.cells  (vector[dim] of integers, each >= 1; optional)  grid cells per axis (required with a grid)",
                           "initial.cov  (matrix[dim x dim], symmetric positive definite; required)",
                           "velocity.period  (real > 0; default 1)", "initial.type: barenblatt",
                           "target.type  (one of: gaussian,", "model testflow: test model for the deck system"})
    EXPECT_NE(help.find(line), std::string::npos) << line << "\n" << help;
}

TEST_F(DeckResolve, RegistryListsModels) {
  const auto models = registered_models();
  EXPECT_NE(std::find(models.begin(), models.end(), "testflow"), models.end());
  EXPECT_EQ(model_doc("testflow"), "test model for the deck system");
  try {
    model_schema("testflo");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'testflow'?"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mf
