// summary.json writer/reader (nlohmann/json) and atomic text publication.
#include "measureflow/io/summary.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "measureflow/errors.hpp"

namespace mf::io {

void write_text_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  auto parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot open " + tmp + " for writing");
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("writing " + tmp + " failed");
  }
  fs::rename(tmp, path);
}

void write_summary(const std::string& path, const Summary& s) {
  // ordered_json keeps the pinned key order; nlohmann writes doubles with the shortest text that reads
  // back to the same bits, and non-finite numbers as null (strict JSON has no NaN).
  nlohmann::ordered_json j;
  j["model"] = s.model;
  j["ranks"] = s.ranks;
  j["steps"] = s.steps;
  j["final_time"] = s.final_time;
  j["wall_seconds"] = s.wall_seconds;
  j["version"] = s.version;
  j["git_revision"] = s.git_revision;
  j["host"] = s.host;
  j["started"] = s.started;
  j["finished"] = s.finished;
  j["deck"] = s.deck_path;
  j["metrics"] = nlohmann::ordered_json::object();
  for (const auto& [name, value] : s.metrics) j["metrics"][name] = value;
  write_text_atomically(path, j.dump(2) + "\n");
}

Summary read_summary(const std::string& path) {
  nlohmann::json root;
  {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot read summary (no such file); expected a summary.json written by a run");
    try {
      root = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(path + ": cannot read summary (" + e.what() + "); expected a summary.json written by a run");
    }
  }
  if (!root.is_object()) throw InputError(path + ": not a JSON object; expected a summary.json written by a run");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto text = [&](const char* key) { return root.contains(key) && root[key].is_string() ? root[key].get<std::string>() : ""; };
  auto real = [&](const nlohmann::json& n) { return n.is_null() ? nan : n.get<double>(); };
  Summary s;
  try {
    for (const char* key : {"model", "ranks", "steps", "final_time", "wall_seconds", "version", "metrics"})
      if (!root.contains(key)) throw InputError(path + ": key `" + key + "` missing from summary");
    s.model = text("model");
    s.ranks = root["ranks"].get<int>();
    s.steps = root["steps"].get<long long>();
    s.final_time = real(root["final_time"]);
    s.wall_seconds = real(root["wall_seconds"]);
    s.version = text("version");
    s.git_revision = text("git_revision");
    s.host = text("host");
    s.started = text("started");
    s.finished = text("finished");
    s.deck_path = text("deck");
    const nlohmann::json& metrics = root["metrics"];
    if (!metrics.is_object()) throw InputError(path + ": `metrics` must be an object of name -> number");
    for (const auto& [name, value] : metrics.items()) s.metrics[name] = real(value);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": malformed summary value (" + e.what() + ")");
  }
  return s;
}

}  // namespace mf::io
