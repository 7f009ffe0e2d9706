// The Schema builder's modifiers (lengths, symmetry, custom checks, optional keys) on a small custom schema.
#include <gtest/gtest.h>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"

namespace mf {
namespace {

// A schema without the core keys: no domain.dim, so lengths come from the keys themselves.
Schema small_schema() {
  Schema s;
  s.string("model", Required, "model name");
  auto& p = s.section("probe", "a probe");
  p.vector("origin", std::vector<double>{0.0, 0.0, 0.0}, "where").length(3);
  p.int_vector("shape", Required, "samples per axis").length(2).min(2);
  p.matrix("metric", Optional, "any symmetric matrix").symmetric();
  p.real("gain", 1.0, "gain").non_negative().less_than(10.0);
  p.string("label", Optional, "a label");
  p.integer("even", 2LL, "an even number").check([](const YAML::Node& v, const std::string&) -> std::optional<std::string> {
    if (v.as<long long>() % 2 != 0) return v.Scalar() + " is odd";
    return std::nullopt;
  });
  return s;
}

std::string rejection(const std::string& text, const Schema& s) {
  try {
    deck_from_string(text, "s.yaml", s);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "message:\n" << (msg)

TEST(DeckSchema, DefaultsAndOptionalKeys) {
  const Deck d = deck_from_string("model: x\nprobe: {shape: [4, 5]}\n", "s.yaml", small_schema());
  EXPECT_EQ(d.vec("probe.origin"), (std::vector<double>{0, 0, 0}));
  EXPECT_DOUBLE_EQ(d.real("probe.gain"), 1.0);
  EXPECT_EQ(d.integer("probe.even"), 2);
  EXPECT_FALSE(d.has("probe.label"));   // optional without default stays absent
  EXPECT_FALSE(d.has("probe.metric"));
}

TEST(DeckSchema, FixedLengthsAndElementRanges) {
  const Schema s = small_schema();
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 5, 6]}\n", s), "key 'probe.shape': expected 2 integers, got [4, 5, 6]");
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 1]}\n", s), "entry 1 of [4, 1] is out of range: each must be >= 2");
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], origin: [1, 2]}\n", s),
             "key 'probe.origin': expected 3 reals, got [1, 2]");
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], origin: [1, x, 2]}\n", s), "expected 3 reals, got [1, x, 2]");
}

TEST(DeckSchema, BoundsAreInclusiveOrExclusiveAsDeclared) {
  const Schema s = small_schema();
  EXPECT_NO_THROW(deck_from_string("model: x\nprobe: {shape: [4, 4], gain: 0}\n", "s.yaml", s));
  EXPECT_NO_THROW(deck_from_string("model: x\nprobe: {shape: [4, 4], gain: 9.999}\n", "s.yaml", s));
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], gain: 10}\n", s), "10 is out of range: must be in [0, 10)");
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], gain: -0.001}\n", s), "must be in [0, 10)");
}

TEST(DeckSchema, MatricesWithoutDomainDimMustBeSquare) {
  const Schema s = small_schema();
  const Deck d = deck_from_string("model: x\nprobe: {shape: [4, 4], metric: [[1, 2, 3], [2, 1, 0], [3, 0, 5]]}\n",
                                  "s.yaml", s);
  EXPECT_EQ(d.mat("probe.metric").rows(), 3);
  EXPECT_DOUBLE_EQ(d.mat("probe.metric")(2, 0), 3.0);
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], metric: [[1, 2], [3, 1]]}\n", s),
             "key 'probe.metric': [[1, 2], [3, 1]] is not symmetric");
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], metric: [[1, 2], [3]]}\n", s), "key 'probe.metric': expected a square matrix of reals written as rows");
}

TEST(DeckSchema, CustomValueChecksRunAfterTheKindCheck) {
  const Schema s = small_schema();
  EXPECT_HAS(rejection("model: x\nprobe: {shape: [4, 4], even: 3}\n", s), "s.yaml:2: key 'probe.even': 3 is odd");
  // A value of the wrong kind is reported once, by the kind check, before the custom check could throw.
  const std::string msg = rejection("model: x\nprobe: {shape: [4, 4], even: two}\n", s);
  EXPECT_HAS(msg, "key 'probe.even': expected an integer, got two");
  EXPECT_EQ(msg.find("odd"), std::string::npos);
}

TEST(DeckSchema, IntegersMayBeWrittenAsWholeReals) {
  Schema s;
  s.integer("n", Required, "a count").min(1);
  EXPECT_EQ(deck_from_string("n: 1e5\n", "s.yaml", s).integer("n"), 100000);
  EXPECT_EQ(deck_from_string("n: 12\n", "s.yaml", s).integer("n"), 12);
  EXPECT_HAS(rejection("n: 1.5e0\n", s), "key 'n': expected an integer, got 1.5e0");
  EXPECT_HAS(rejection("n: 0.0\n", s), "key 'n': 0.0 is out of range: must be >= 1");
}

TEST(DeckSchema, ModelsCanAddKeysToCoreSections) {
  register_model_schema(
      "schema_test_blob", [](Schema& s) { s.section("lagrangian").real("blob_eps", 0.05, "blob width").positive(); },
      "adds a key to lagrangian");
  const Schema s = model_schema("schema_test_blob");
  const Key* lag = s.find("lagrangian");
  ASSERT_NE(lag, nullptr);
  EXPECT_NE(lag->section->find("blob_eps"), nullptr);
  EXPECT_NE(lag->section->find("particles"), nullptr);
  EXPECT_NE(schema_help("schema_test_blob").find("lagrangian.blob_eps  (real > 0; default 0.05)"), std::string::npos);
}

TEST(DeckSchema, DeclaringAKeyTwiceIsAProgrammingError) {
  Schema s;
  s.real("a", 1.0, "a");
  EXPECT_THROW(s.integer("a", Required, "again"), std::logic_error);
}

// Registered from a static initialiser, before main() and before any test runs.
const bool static_registration = [] {
  register_model_schema("schema_test_static", [](Schema& s) { s.flag("extra", false, "a model key"); },
                        "registered statically");
  return true;
}();

TEST(DeckSchema, StaticRegistrationIsVisible) {
  ASSERT_TRUE(static_registration);
  const auto models = registered_models();
  EXPECT_NE(std::find(models.begin(), models.end(), "schema_test_static"), models.end());
  EXPECT_NE(model_schema("schema_test_static").find("extra"), nullptr);
}

TEST(DeckSchema, ReregisteringAModelReplacesIt) {
  register_model_schema("schema_test_model", [](Schema& s) { s.real("k", 1.0, "first"); }, "first");
  register_model_schema("schema_test_model", [](Schema& s) { s.real("k", 2.0, "second"); }, "second");
  EXPECT_EQ(model_doc("schema_test_model"), "second");
  const Schema s = model_schema("schema_test_model");
  ASSERT_NE(s.find("k"), nullptr);
  EXPECT_EQ(s.find("k")->doc, "second");
  EXPECT_NE(s.find("domain"), nullptr);  // core keys come with every model
}

}  // namespace
}  // namespace mf
