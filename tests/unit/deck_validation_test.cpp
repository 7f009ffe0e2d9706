// Every class of bad deck input is rejected with a message naming the file, line, key, value and what is allowed.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "deck_test_model.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"

namespace mf {
namespace {

using test::base_deck;
using test::with_line;

class DeckValidation : public ::testing::Test {
 protected:
  void SetUp() override { test::register_test_model(); }

  // The InputError message for a deck that must be rejected (fails the test if it is accepted).
  static std::string rejection(const std::string& text, const std::vector<std::string>& overrides = {}) {
    try {
      deck_from_string(text, "t.yaml", overrides);
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "deck was accepted:\n" << text;
    return "";
  }
  static size_t lines(const std::string& msg) { return std::count(msg.begin(), msg.end(), '\n') + 1; }
};

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "message:\n" << (msg)

TEST_F(DeckValidation, ValidDeckIsAccepted) {
  const Deck d = deck_from_string(base_deck(), "t.yaml");
  EXPECT_EQ(d.model(), "testflow");
}

TEST_F(DeckValidation, YamlSyntaxErrorGivesLineAndColumn) {
  // Line:column of the offending character, 1-based.
  EXPECT_EQ(rejection(with_line(5, "  upper: [1.0, 1.0]]")), "t.yaml:5:20: YAML syntax error: illegal flow end");
  EXPECT_EQ(rejection(with_line(5, " upper: [1.0, 1.0]")), "t.yaml:5:2: YAML syntax error: end of map not found");
  EXPECT_EQ(rejection(with_line(5, "\tupper: [1.0, 1.0]")), "t.yaml:5:2: YAML syntax error: end of map not found");
  // An unclosed bracket is noticed where the next line starts.
  EXPECT_EQ(rejection(with_line(5, "  upper: [1.0, 1.0")), "t.yaml:6:8: YAML syntax error: end of sequence flow not found");
}

TEST_F(DeckValidation, UnknownKeySuggestsTheClosestAllowedKey) {
  const std::string msg = rejection(base_deck() + "lagrangian:\n  particels: 500\n");
  EXPECT_HAS(msg, "t.yaml:18: unknown key 'lagrangian.particels'; did you mean 'lagrangian.particles'?");
  EXPECT_HAS(msg, "allowed keys in 'lagrangian' for model 'testflow': enabled, particles, seed, integrator, dt");
  const std::string top = rejection(base_deck() + "tmie: {end: 2}\n");
  EXPECT_HAS(top, "unknown key 'tmie'; did you mean 'time'?");
  const std::string far = rejection(base_deck() + "qwertyuiop: 1\n");
  EXPECT_HAS(far, "unknown key 'qwertyuiop'");
  EXPECT_EQ(far.find("did you mean"), std::string::npos) << far;
  // Keys of the other variant options are unknown for the chosen type.
  const std::string variant = rejection(with_line(14, "  period: 2.0"));
  EXPECT_HAS(variant, "t.yaml:14: unknown key 'velocity.period'");
}

TEST_F(DeckValidation, WrongKindsAreNamed) {
  EXPECT_HAS(rejection(with_line(16, "  end: soon")), "t.yaml:16: key 'time.end': expected a finite real number, got soon");
  EXPECT_HAS(rejection(with_line(3, "  dim: 2.5")), "t.yaml:3: key 'domain.dim': expected an integer, got 2.5");
  EXPECT_HAS(rejection(base_deck() + "eulerian: {enabled: maybe}\n"), "key 'eulerian.enabled': expected true or false, got maybe");
  EXPECT_HAS(rejection(base_deck(), {"domain=3"}), "key 'domain': expected a section (a map of keys), got 3");
  EXPECT_HAS(rejection(with_line(16, "  end: .nan")), "key 'time.end': expected a finite real number");
  EXPECT_HAS(rejection(with_line(16, "  end:")), "t.yaml:16: key 'time.end': no value given (expected a real number)");
}

TEST_F(DeckValidation, OutOfRangeValuesSayWhatIsAllowed) {
  EXPECT_HAS(rejection(base_deck() + "  cfl: 1.5\n"), "t.yaml:17: key 'time.cfl': 1.5 is out of range: must be in (0, 1]");
  EXPECT_HAS(rejection(base_deck() + "  cfl: 0\n"), "key 'time.cfl': 0 is out of range: must be in (0, 1]");
  EXPECT_HAS(rejection(with_line(16, "  end: -1")), "key 'time.end': -1 is out of range: must be > 0");
  EXPECT_HAS(rejection(base_deck() + "lagrangian: {particles: 0}\n"),
             "key 'lagrangian.particles': 0 is out of range: must be >= 1");
  EXPECT_HAS(rejection(with_line(6, "  cells: [32, 0]")), "key 'domain.cells': entry 1 of [32, 0] is out of range: each must be >= 1");
  const std::string dim = rejection(with_line(3, "  dim: 4"));
  EXPECT_HAS(dim, "key 'domain.dim': 4 is too large for a grid (1, 2 or 3");
}

TEST_F(DeckValidation, EnumValueNotAllowed) {
  EXPECT_HAS(rejection(base_deck() + "eulerian: {limiter: superbee}\n"),
             "t.yaml:17: key 'eulerian.limiter': 'superbee' is not one of: minmod, mc");
  EXPECT_HAS(rejection(with_line(9, "  type: gausian")),
             "t.yaml:9: key 'initial.type': 'gausian' is not one of: gaussian, mixture, uniform_box, uniform_ball, bump, "
             "barenblatt, file; did you mean 'gaussian'?");
}

TEST_F(DeckValidation, NonSpdCovarianceIsRejected) {
  EXPECT_HAS(rejection(with_line(11, "  cov: [[1, 2], [2, 1]]")),
             "t.yaml:11: key 'initial.cov': [[1, 2], [2, 1]] is not symmetric positive definite");
  EXPECT_HAS(rejection(with_line(11, "  cov: [[1, 0.5], [0, 1]]")), "is not symmetric positive definite");
  // Semi-definite is not enough for a density.
  EXPECT_HAS(rejection(with_line(11, "  cov: [[1, 1], [1, 1]]")), "is not symmetric positive definite");
}

TEST_F(DeckValidation, ShapesFollowDomainDim) {
  EXPECT_HAS(rejection(with_line(6, "  cells: [64]")),
             "t.yaml:6: key 'domain.cells': expected 2 integers (domain.dim = 2), got [64]");
  EXPECT_HAS(rejection(with_line(10, "  mean: [0, 0, 0]")),
             "key 'initial.mean': expected 2 reals (domain.dim = 2), got [0, 0, 0]");
  EXPECT_HAS(rejection(with_line(11, "  cov: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]")),
             "key 'initial.cov': expected a 2x2 matrix (domain.dim = 2)");
  EXPECT_HAS(rejection(with_line(14, "  A: [[0, 1]]")), "key 'velocity.A': expected a 2x2 matrix");
  // With dim 3 the whole 2-D deck is wrong: every dim-sized key is reported.
  const std::string all = rejection(with_line(3, "  dim: 3"));
  for (const char* key : {"domain.lower", "domain.upper", "domain.cells", "initial.mean", "initial.cov", "velocity.A"})
    EXPECT_HAS(all, std::string("key '") + key + "'");
  EXPECT_EQ(lines(all), 6u) << all;
  EXPECT_HAS(rejection(with_line(3, "  dim: 1")), "key 'domain.cells': expected 1 integer (domain.dim = 1), got [32, 32]");
}

TEST_F(DeckValidation, MissingRequiredKeys) {
  EXPECT_HAS(rejection(with_line(16, "  cfl: 0.3")), "missing required key 'time.end'");
  EXPECT_HAS(rejection(with_line(7, "")), "missing required key 'domain.boundary'");
  const std::string no_initial = rejection(with_line(8, "nitial:"));
  EXPECT_HAS(no_initial, "missing required key 'initial'");
  EXPECT_HAS(no_initial, "unknown key 'nitial'; did you mean 'initial'?");
  EXPECT_HAS(rejection(with_line(9, "  kind: gaussian")), "missing required key 'initial.type' (one of: gaussian,");
  EXPECT_HAS(rejection(with_line(11, "")), "missing required key 'initial.cov'");
}

TEST_F(DeckValidation, DeckMustBeANonEmptyMap) {
  EXPECT_EQ(rejection(""), "t.yaml: the deck is empty");
  EXPECT_EQ(rejection("# only a comment\n"), "t.yaml: the deck is empty");
  EXPECT_EQ(rejection("- a\n- b\n"), "t.yaml:1: the deck must be a map of keys (model:, domain:, ...), got [a, b]");
}

TEST_F(DeckValidation, OverriddenValuesHaveNoDeckLine) {
  // The bad value came from the command line, so no line of the file is blamed.
  EXPECT_HAS(rejection(base_deck(), {"time.end=-1"}), "t.yaml: key 'time.end': -1 is out of range");
}

TEST_F(DeckValidation, AllErrorsAreReportedOneALine) {
  std::string text = with_line(16, "  end: -2");
  text += "eulerian: {limiter: superbee}\nlagrangian: {particels: 3}\n";
  const std::string msg = rejection(text);
  EXPECT_EQ(lines(msg), 3u) << msg;
  EXPECT_HAS(msg, "time.end");
  EXPECT_HAS(msg, "eulerian.limiter");
  EXPECT_HAS(msg, "lagrangian.particels");
}

TEST_F(DeckValidation, CrossKeyChecks) {
  EXPECT_HAS(rejection(with_line(5, "  upper: [1.0, -1.0]")),
             "t.yaml:5: key 'domain.upper': [1.0, -1.0] must be greater than lower [-1.0, -1.0] on every axis (axis 1");
  EXPECT_HAS(rejection(base_deck() + "output: {every: 2.0}\n"), "key 'output.every': 2.0 must be <= time.end = 1.0");
  EXPECT_HAS(rejection(base_deck() + "  cfl: 0.5\n  dt: 0.01\n"), "give either time.cfl or time.dt, not both");
  const std::string box = "initial:\n  type: uniform_box\n  lower: [0, 0]\n  upper: [0.5, 0]\n";
  std::string text = base_deck();
  text.replace(text.find("initial:"), text.find("velocity:") - text.find("initial:"), box);
  EXPECT_HAS(rejection(text), "key 'initial.upper': [0.5, 0] must be greater than lower [0, 0] on every axis");
  // The model's own hook (registered with the test model's schema).
  std::string swirl = base_deck();
  swirl.replace(swirl.find("  type: linear"), std::string("  type: linear\n  A: [[0.0, -1.0], [1.0, 0.0]]").size(),
                "  type: swirl\n  period: 3.0");
  EXPECT_HAS(rejection(swirl), "key 'velocity.period': must be <= time.end");
}

TEST_F(DeckValidation, ListItemsAreCheckedWithTheirIndex) {
  const std::string mix =
      "initial:\n  type: mixture\n  components:\n"
      "    - {weight: 1.0, mean: [0, 0], cov: [[1, 0], [0, 1]]}\n"
      "    - {weight: -1.0, mean: [0, 0], cov: [[1, 0], [0, 1]], mena: 3}\n";
  std::string text = base_deck();
  text.replace(text.find("initial:"), text.find("velocity:") - text.find("initial:"), mix);
  const std::string msg = rejection(text);
  EXPECT_HAS(msg, "t.yaml:12: key 'initial.components[1].weight': -1.0 is out of range: must be > 0");
  EXPECT_HAS(msg, "unknown key 'initial.components[1].mena'; did you mean 'initial.components[1].mean'?");
  std::string empty = base_deck();
  empty.replace(empty.find("initial:"), empty.find("velocity:") - empty.find("initial:"),
                "initial:\n  type: mixture\n  components: []\n");
  EXPECT_HAS(rejection(empty), "key 'initial.components': expected a non-empty list of sections, got []");
}

TEST_F(DeckValidation, DuplicateKeysAreErrors) {
  EXPECT_HAS(rejection(base_deck() + "  end: 2.0\n"), "key 'time.end' given twice (lines 16 and 17)");
}

TEST_F(DeckValidation, UnknownOrMissingModel) {
  const std::string unknown = rejection(with_line(1, "model: testflw"));
  EXPECT_HAS(unknown, "t.yaml:1: key 'model': unknown model 'testflw'; did you mean 'testflow'? (known models:");
  EXPECT_HAS(unknown, "testflow");
  EXPECT_HAS(rejection(with_line(1, "")), "missing required key 'model'");
  EXPECT_THROW(model_schema("no_such_model"), InputError);
}

TEST_F(DeckValidation, BadOverrides) {
  EXPECT_HAS(rejection(base_deck(), {"time.end"}), "override 'time.end': expected KEY=VALUE");
  EXPECT_HAS(rejection(base_deck(), {"=3"}), "override '=3': '' is not a dotted key path");
  EXPECT_HAS(rejection(base_deck(), {"time..end=3"}), "is not a dotted key path");
  EXPECT_HAS(rejection(base_deck(), {"time.end="}), "override 'time.end=': no value after '='");
  EXPECT_HAS(rejection(base_deck(), {"domain.cells=[64,"}), "override 'domain.cells=[64,': value is not valid YAML");
  EXPECT_HAS(rejection(base_deck(), {"domain.dim.x=3"}), "override 'domain.dim.x=3': the parent of 'x' is 2, not a section");
  // Overrides may create keys; validation then judges them like any other key.
  EXPECT_HAS(rejection(base_deck(), {"lagrangian.particels=10"}), "unknown key 'lagrangian.particels'; did you mean");
  EXPECT_HAS(rejection(base_deck(), {"domain.cells=[64]"}), "key 'domain.cells': expected 2 integers (domain.dim = 2), got [64]");
}

// Decks naming an HDF5 snapshot: the file must exist, be readable and be HDF5, relative to the deck's folder.
class DeckFileMeasure : public DeckValidation {
 protected:
  void SetUp() override {
    DeckValidation::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("mf_deck_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "data");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write_deck(const std::string& path_value) {
    std::string text = base_deck();
    text.replace(text.find("initial:"), text.find("velocity:") - text.find("initial:"),
                 "initial:\n  type: file\n  path: " + path_value + "\n");
    const auto deck = dir_ / "deck.yaml";
    std::ofstream(deck) << text;
    return deck.string();
  }
  std::filesystem::path dir_;
};

TEST_F(DeckFileMeasure, MissingFile) {
  try {
    load_deck(write_deck("data/missing.h5"));
    FAIL() << "accepted a missing file";
  } catch (const InputError& e) {
    EXPECT_HAS(std::string(e.what()), "deck.yaml:10: key 'initial.path': cannot read file 'data/missing.h5'");
    EXPECT_HAS(std::string(e.what()), "No such file or directory");
  }
}

TEST_F(DeckFileMeasure, NotAnHdf5File) {
  std::ofstream(dir_ / "data" / "text.h5") << "not hdf5\n";
  try {
    load_deck(write_deck("data/text.h5"));
    FAIL() << "accepted a text file";
  } catch (const InputError& e) {
    EXPECT_HAS(std::string(e.what()), "key 'initial.path': 'data/text.h5'");
    EXPECT_HAS(std::string(e.what()), "is not an HDF5 file");
  }
}

TEST_F(DeckFileMeasure, RealHdf5FileRelativeToDeckFolder) {
  const std::string h5 = (dir_ / "data" / "snap.h5").string();
  const hid_t f = H5Fcreate(h5.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5Fclose(f);
  const Deck d = load_deck(write_deck("data/snap.h5"));
  EXPECT_EQ(d.text("initial.type"), "file");
  EXPECT_EQ(d.integer("initial.snapshot"), -1);
  EXPECT_EQ(std::filesystem::path(d.resolve_path(d.text("initial.path"))), std::filesystem::path(h5));
  // The same relative path from another working folder still resolves against the deck.
  EXPECT_TRUE(std::filesystem::exists(d.resolve_path(d.text("initial.path"))));
}

TEST_F(DeckFileMeasure, UnreadableDeckFile) {
  try {
    load_deck((dir_ / "nope.yaml").string());
    FAIL() << "loaded a missing deck";
  } catch (const InputError& e) {
    EXPECT_HAS(std::string(e.what()), "nope.yaml: cannot read file: No such file or directory");
  }
}

}  // namespace
}  // namespace mf
