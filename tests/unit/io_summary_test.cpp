// summary.json: exact round trip of numbers (17 digits), NaN/inf as null, escaping, atomic write, bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "measureflow/errors.hpp"
#include "measureflow/io/summary.hpp"

namespace fs = std::filesystem;
using namespace mf::io;

namespace {
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("mf_io_" + tag + "_" + std::to_string(getpid()))) {
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Summary example() {
  Summary s;
  s.model = "continuity";
  s.ranks = 4;
  s.steps = 12345678901LL;
  s.final_time = 0.1 + 0.2;  // not 0.3: needs all 17 digits to survive
  s.wall_seconds = 1.0 / 3.0;
  s.version = "0.1.0";
  s.git_revision = "deadbeef";
  s.host = "node\"01\"\\x";
  s.started = "2026-01-01T00:00:00Z";
  s.finished = "2026-01-01T00:01:00Z";
  s.deck_path = "inputs/a b/deck.yaml\nsecond line\ttab";
  s.metrics["eulerian.l1_error"] = 1.2345678901234567e-300;
  s.metrics["lagrangian.cov_error"] = 5e-324;  // smallest subnormal
  s.metrics["cross.w2_eulerian_lagrangian"] = -7.0;
  s.metrics["closed_form.blowup_time"] = std::numeric_limits<double>::infinity();
  s.metrics["eulerian.mass_drift"] = std::numeric_limits<double>::quiet_NaN();
  return s;
}
}  // namespace

TEST(IoSummary, RoundTripIsExactAndNonFiniteBecomesNull) {
  TempDir dir("summary");
  const fs::path path = dir.path / "run" / "summary.json";  // parent folder created on demand
  write_summary(path.string(), example());
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  const std::string text = slurp(path);
  EXPECT_NE(text.find("\"closed_form.blowup_time\": null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"eulerian.mass_drift\": null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"final_time\": 0.30000000000000004"), std::string::npos) << text;
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);

  Summary want = example(), got = read_summary(path.string());
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.ranks, want.ranks);
  EXPECT_EQ(got.steps, want.steps);
  EXPECT_EQ(got.final_time, want.final_time);
  EXPECT_EQ(got.wall_seconds, want.wall_seconds);
  EXPECT_EQ(got.version, want.version);
  EXPECT_EQ(got.git_revision, want.git_revision);
  EXPECT_EQ(got.host, want.host);
  EXPECT_EQ(got.started, want.started);
  EXPECT_EQ(got.finished, want.finished);
  EXPECT_EQ(got.deck_path, want.deck_path);
  ASSERT_EQ(got.metrics.size(), want.metrics.size());
  EXPECT_EQ(got.metrics["eulerian.l1_error"], want.metrics["eulerian.l1_error"]);
  EXPECT_EQ(got.metrics["lagrangian.cov_error"], want.metrics["lagrangian.cov_error"]);
  EXPECT_EQ(got.metrics["cross.w2_eulerian_lagrangian"], -7.0);
  EXPECT_TRUE(std::isnan(got.metrics["closed_form.blowup_time"]));
  EXPECT_TRUE(std::isnan(got.metrics["eulerian.mass_drift"]));
}

TEST(IoSummary, PythonJsonParserAgrees) {
  TempDir dir("summary_py");
  const fs::path path = dir.path / "summary.json";
  write_summary(path.string(), example());
  // Strict JSON (no NaN extension) and exact values as Python parses them.
  const std::string cmd = "/usr/bin/python3 -c \"import json,sys\n"
                          "def no_const(c): raise ValueError(c)\n"
                          "d = json.load(open(sys.argv[1]), parse_constant=no_const)\n"
                          "assert d['final_time'] == 0.1 + 0.2, d['final_time']\n"
                          "assert d['steps'] == 12345678901\n"
                          "assert d['metrics']['eulerian.mass_drift'] is None\n"
                          "assert d['metrics']['lagrangian.cov_error'] == 5e-324\n"
                          "assert d['deck'] == 'inputs/a b/deck.yaml\\\\nsecond line\\\\ttab', repr(d['deck'])\n"
                          "\" " + path.string();
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(IoSummary, EmptyMetricsAndBadFiles) {
  TempDir dir("summary_bad");
  fs::create_directories(dir.path);
  Summary s;
  s.model = "static_ot";
  write_summary((dir.path / "empty.json").string(), s);
  EXPECT_TRUE(read_summary((dir.path / "empty.json").string()).metrics.empty());

  EXPECT_THROW(read_summary((dir.path / "missing.json").string()), mf::InputError);
  std::ofstream(dir.path / "garbage.json") << "{ \"model\": [unclosed";
  EXPECT_THROW(read_summary((dir.path / "garbage.json").string()), mf::InputError);
  std::ofstream(dir.path / "nokeys.json") << "{\"model\": \"x\"}";
  try {
    read_summary((dir.path / "nokeys.json").string());
    ADD_FAILURE() << "summary without ranks accepted";
  } catch (const mf::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("`ranks` missing"), std::string::npos) << e.what();
  }
  std::ofstream(dir.path / "badnum.json")
      << "{\"model\": \"x\", \"ranks\": \"many\", \"steps\": 1, \"final_time\": 0, \"wall_seconds\": 0, "
         "\"version\": \"v\", \"metrics\": {}}";
  EXPECT_THROW(read_summary((dir.path / "badnum.json").string()), mf::InputError);
}

TEST(IoSummary, WriteTextAtomicallyReplacesWholeFile) {
  TempDir dir("atomic");
  const fs::path path = dir.path / "a" / "b.txt";
  write_text_atomically(path.string(), "first version, longer\n");
  write_text_atomically(path.string(), "second\n");
  EXPECT_EQ(slurp(path), "second\n");
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}
