// summary.json writer/reader (yaml-cpp reads JSON) and atomic text publication.
#include "measureflow/io/summary.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
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

namespace {
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

void write_summary(const std::string& path, const Summary& s) {
  std::ostringstream j;
  j << "{\n"
    << "  \"model\": " << quote(s.model) << ",\n"
    << "  \"ranks\": " << s.ranks << ",\n"
    << "  \"steps\": " << s.steps << ",\n"
    << "  \"final_time\": " << number(s.final_time) << ",\n"
    << "  \"wall_seconds\": " << number(s.wall_seconds) << ",\n"
    << "  \"version\": " << quote(s.version) << ",\n"
    << "  \"git_revision\": " << quote(s.git_revision) << ",\n"
    << "  \"host\": " << quote(s.host) << ",\n"
    << "  \"started\": " << quote(s.started) << ",\n"
    << "  \"finished\": " << quote(s.finished) << ",\n"
    << "  \"deck\": " << quote(s.deck_path) << ",\n"
    << "  \"metrics\": {";
  bool first = true;
  for (const auto& [name, value] : s.metrics) {
    j << (first ? "\n" : ",\n") << "    " << quote(name) << ": " << number(value);
    first = false;
  }
  j << (first ? "}\n" : "\n  }\n") << "}\n";
  write_text_atomically(path, j.str());
}

Summary read_summary(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    throw InputError(path + ": cannot read summary (" + e.what() + "); expected a summary.json written by a run");
  }
  if (!root.IsMap()) throw InputError(path + ": not a JSON object; expected a summary.json written by a run");
  auto nan = std::numeric_limits<double>::quiet_NaN();
  auto text = [&](const char* key) { return root[key] && root[key].IsScalar() ? root[key].as<std::string>() : ""; };
  auto real = [&](const YAML::Node& n) { return n && !n.IsNull() ? n.as<double>() : nan; };
  Summary s;
  try {
    for (const char* key : {"model", "ranks", "steps", "final_time", "wall_seconds", "version", "metrics"})
      if (!root[key]) throw InputError(path + ": key `" + key + "` missing from summary");
    s.model = text("model");
    s.ranks = root["ranks"].as<int>();
    s.steps = root["steps"].as<long long>();
    s.final_time = real(root["final_time"]);
    s.wall_seconds = real(root["wall_seconds"]);
    s.version = text("version");
    s.git_revision = text("git_revision");
    s.host = text("host");
    s.started = text("started");
    s.finished = text("finished");
    s.deck_path = text("deck");
    const YAML::Node metrics = root["metrics"];
    if (!metrics.IsMap()) throw InputError(path + ": `metrics` must be an object of name -> number");
    for (const auto& kv : metrics) s.metrics[kv.first.as<std::string>()] = real(kv.second);
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": malformed summary value (" + e.what() + ")");
  }
  return s;
}

}  // namespace mf::io
