// `measureflow sweep DECK --out DIR`: expands a deck's `sweep:` section into one validated deck per
// variant plus DIR/sweep.json; `measureflow sweep-collect DIR` gathers the variants' summaries.
//
//   sweep:
//     mode: product            # product (cartesian, last key fastest) | zip (lists of equal length)
//     values:
//       domain.cells: [[32, 32], [64, 64]]
//       lagrangian.particles: [10000, 40000]
#include <mpi.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "app/commands.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/summary.hpp"

namespace fs = std::filesystem;

namespace mf::app {

namespace {

std::string flow_text(const YAML::Node& n) {
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// A deck value as JSON: scalars that read as integers, reals or booleans become numbers and booleans
// (unless quoted in the YAML source), everything else strings.
nlohmann::ordered_json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // explicitly quoted
      if (s == "true" || s == "false") return s == "true";
      long long i = 0;
      double d = 0.0;
      if (YAML::convert<long long>::decode(node, i)) return i;
      if (s.find_first_of("0123456789") != std::string::npos && YAML::convert<double>::decode(node, d)) return d;
      return s;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& e : node) out.push_back(yaml_to_json(e));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::ordered_json out = nlohmann::ordered_json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return out;
    }
  }
  return nullptr;
}

struct Variant {
  std::string name;
  std::vector<std::pair<std::string, YAML::Node>> values;
};

std::vector<Variant> expand(const std::string& deck_path, const YAML::Node& sweep) {
  const std::string where = deck_path + ": key 'sweep";
  for (const auto& kv : sweep) {
    const std::string k = kv.first.as<std::string>();
    if (k != "mode" && k != "values")
      throw InputError(where + "." + k + "': unknown key (allowed: mode, values)");
  }
  const std::string mode = sweep["mode"] ? sweep["mode"].as<std::string>() : "product";
  if (mode != "product" && mode != "zip")
    throw InputError(where + ".mode': '" + mode + "' is not one of: product, zip");
  const YAML::Node values = sweep["values"];
  if (!values || !values.IsMap() || values.size() == 0)
    throw InputError(where + ".values': expected a map of dotted key paths to lists of values");
  std::vector<std::pair<std::string, std::vector<YAML::Node>>> axes;
  for (const auto& kv : values) {
    const std::string key = kv.first.as<std::string>();
    if (!kv.second.IsSequence() || kv.second.size() == 0)
      throw InputError(where + ".values." + key + "': expected a non-empty list of values, got " + flow_text(kv.second));
    std::vector<YAML::Node> list;
    for (const auto& v : kv.second) list.push_back(v);
    axes.emplace_back(key, list);
  }
  std::vector<Variant> out;
  size_t total = 1;
  if (mode == "zip") {
    total = axes.front().second.size();
    for (const auto& [key, list] : axes)
      if (list.size() != total)
        throw InputError(where + ".values." + key + "': zip mode needs lists of equal length (" +
                         std::to_string(list.size()) + " here, " + std::to_string(total) + " for " +
                         axes.front().first + ")");
  } else {
    for (const auto& axis : axes) total *= axis.second.size();
  }
  for (size_t i = 0; i < total; ++i) {
    Variant v;
    char name[32];
    std::snprintf(name, sizeof name, "v%04zu", i);
    v.name = name;
    // Product: mixed-radix digits of i, last key fastest. Zip: the i-th entry of every list.
    size_t rem = i;
    std::vector<size_t> pick(axes.size(), i);
    if (mode == "product")
      for (size_t a = axes.size(); a-- > 0;) {
        pick[a] = rem % axes[a].second.size();
        rem /= axes[a].second.size();
      }
    for (size_t a = 0; a < axes.size(); ++a) v.values.emplace_back(axes[a].first, axes[a].second[pick[a]]);
    out.push_back(v);
  }
  return out;
}

}  // namespace

int sweep_command(const SweepOptions& options) {
  const DeckOptions& a = options.deck;
  const std::string& out_dir = options.out;
  YAML::Node root;
  try {
    root = YAML::LoadFile(a.deck);
  } catch (const YAML::BadFile&) {
    throw InputError(a.deck + ": cannot read file");
  } catch (const YAML::ParserException& e) {
    throw InputError(a.deck + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": YAML syntax error: " + e.msg);
  }
  const YAML::Node sweep = root["sweep"];
  if (!sweep) throw InputError(a.deck + ": no `sweep:` section to expand");
  const std::vector<Variant> variants = expand(a.deck, sweep);
  root.remove("sweep");
  std::ostringstream base_text;
  base_text << root;
  const fs::path dir = fs::absolute(out_dir);

  // 1. Validate every variant before writing anything.
  std::vector<std::string> resolved;
  for (const Variant& v : variants) {
    std::vector<std::string> overrides = a.overrides;
    std::string label;
    for (const auto& [key, value] : v.values) {
      overrides.push_back(key + "=" + flow_text(value));
      label += (label.empty() ? "" : ", ") + key + "=" + flow_text(value);
    }
    overrides.push_back("output.dir=" + (dir / v.name / "out").string());
    try {
      const Deck deck = deck_from_string(base_text.str(), a.deck, overrides);
      // Files named in the deck are relative to the original deck; the variant deck lives elsewhere.
      std::vector<std::string> fixes;
      for (const char* section : {"initial", "target"})
        if (deck.has(std::string(section) + ".path"))
          fixes.push_back(std::string(section) + ".path=" + deck.resolve_path(deck.text(std::string(section) + ".path")));
      if (!fixes.empty()) {
        overrides.insert(overrides.end(), fixes.begin(), fixes.end());
        resolved.push_back(deck_from_string(base_text.str(), a.deck, overrides).resolved_yaml());
      } else {
        resolved.push_back(deck.resolved_yaml());
      }
    } catch (const InputError& e) {
      throw InputError("sweep variant " + v.name + " (" + label + ") is invalid:\n" + e.what());
    }
  }
  // 2. Write the variant decks and the index.
  if (is_root()) {
    nlohmann::ordered_json index;
    index["deck"] = fs::absolute(a.deck).string();
    index["mode"] = sweep["mode"] ? sweep["mode"].as<std::string>() : "product";
    index["keys"] = nlohmann::ordered_json::array();
    for (const auto& kv : sweep["values"]) index["keys"].push_back(kv.first.as<std::string>());
    index["variants"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < variants.size(); ++i) {
      const fs::path vdir = dir / variants[i].name;
      fs::create_directories(vdir);
      io::write_text_atomically((vdir / "deck.yaml").string(), resolved[i]);
      nlohmann::ordered_json entry;
      entry["id"] = static_cast<long long>(i);
      entry["name"] = variants[i].name;
      for (const auto& [key, value] : variants[i].values) entry["values"][key] = yaml_to_json(value);
      entry["deck"] = (vdir / "deck.yaml").string();
      entry["output_dir"] = (vdir / "out").string();
      index["variants"].push_back(entry);
    }
    io::write_text_atomically((dir / "sweep.json").string(), index.dump(2) + "\n");
    std::printf("sweep: %zu variants written to %s\n", variants.size(), dir.c_str());
    std::printf("run locally:   for d in %s/v*/; do mpirun -n 2 measureflow run \"$d/deck.yaml\"; done\n", dir.c_str());
    std::printf("or on SLURM:   sbatch --array=0-%zu jobs/sweep.sbatch %s\n", variants.size() - 1, dir.c_str());
    std::printf("then collect:  measureflow sweep-collect %s\n", dir.c_str());
  }
  return 0;
}

namespace {
nlohmann::ordered_json swept(const nlohmann::ordered_json& values, const std::string& key) {
  return values.is_object() && values.contains(key) ? values[key] : nlohmann::ordered_json();
}
}  // namespace

int sweep_collect_command(const std::string& dir_text) {
  const fs::path dir = dir_text;
  const std::string index_path = (dir / "sweep.json").string();
  // Every entry of the index is read (and its types checked) here, before anything is written: a
  // hand-edited or truncated sweep.json is bad input (exit 2) that names the file, not a crash.
  struct Entry {
    long long id;
    std::string name, output_dir;
    nlohmann::ordered_json values;  // key -> swept value, as in sweep.json
  };
  std::vector<std::string> keys;
  std::vector<Entry> entries;
  {
    std::ifstream in(index_path);
    try {
      if (!in) throw std::runtime_error("no such file");
      const nlohmann::ordered_json index = nlohmann::ordered_json::parse(in);
      if (!index.is_object() || !index.contains("keys") || !index["keys"].is_array() || !index.contains("variants") ||
          !index["variants"].is_array())
        throw std::runtime_error("not a sweep index: it needs the arrays \"keys\" and \"variants\"");
      for (const auto& k : index["keys"]) {
        if (!k.is_string()) throw std::runtime_error("\"keys\" must hold deck key names (strings), found " + k.dump());
        keys.push_back(k.get<std::string>());
      }
      for (const auto& v : index["variants"])
        entries.push_back({v.at("id").get<long long>(), v.at("name").get<std::string>(),
                           v.at("output_dir").get<std::string>(), v.at("values")});
    } catch (const std::exception& e) {
      throw InputError(index_path + ": cannot read the sweep index (" + e.what() +
                       "; each variant needs id, name, output_dir and values; run `measureflow sweep` first)");
    }
  }
  if (!is_root()) return 0;
  struct Row {
    std::string name, status;
    long long id;
    nlohmann::ordered_json values;
    std::map<std::string, double> metrics;
  };
  std::vector<Row> rows;
  std::set<std::string> metric_names;
  std::vector<std::string> missing, failed;
  for (const Entry& v : entries) {
    Row r;
    r.id = v.id;
    r.name = v.name;
    r.values = v.values;
    const fs::path summary = fs::path(v.output_dir) / "summary.json";
    if (!fs::exists(summary)) {
      r.status = "missing";
      missing.push_back(r.name);
    } else {
      const io::Summary s = io::read_summary(summary.string());
      r.metrics = s.metrics;
      auto done = s.metrics.find("run.completed");
      r.status = (done == s.metrics.end() || done->second == 1.0) ? "ok" : "failed";
      if (r.status == "failed") failed.push_back(r.name);
      for (const auto& [k, x] : s.metrics) metric_names.insert(k);
    }
    rows.push_back(r);
  }
  // CSV: one row per variant; swept values as JSON text in quotes (lists hold commas).
  std::ostringstream csv;
  csv.precision(17);
  csv << "id,name";
  for (const auto& k : keys) csv << "," << k;
  csv << ",status";
  for (const auto& m : metric_names) csv << "," << m;
  csv << "\n";
  nlohmann::ordered_json json;
  json["keys"] = keys;
  json["rows"] = nlohmann::ordered_json::array();
  for (const Row& r : rows) {
    csv << r.id << "," << r.name;
    for (const auto& k : keys) csv << ",\"" << swept(r.values, k).dump() << "\"";
    csv << "," << r.status;
    for (const auto& m : metric_names) {
      csv << ",";
      auto it = r.metrics.find(m);
      if (it != r.metrics.end()) csv << it->second;
    }
    csv << "\n";
    nlohmann::ordered_json row;
    row["id"] = r.id;
    row["name"] = r.name;
    row["status"] = r.status;
    row["values"] = nlohmann::ordered_json::object();
    for (const auto& k : keys) row["values"][k] = swept(r.values, k);
    row["metrics"] = nlohmann::ordered_json::object();
    for (const auto& [name, value] : r.metrics) row["metrics"][name] = value;  // NaN/inf written as null
    json["rows"].push_back(row);
  }
  json["missing"] = missing;
  json["failed"] = failed;
  io::write_text_atomically((dir / "collected.csv").string(), csv.str());
  io::write_text_atomically((dir / "collected.json").string(), json.dump(2) + "\n");
  std::printf("sweep-collect: %zu variants, %zu ok, %zu missing, %zu failed -> %s, %s\n", rows.size(),
              rows.size() - missing.size() - failed.size(), missing.size(), failed.size(),
              (dir / "collected.csv").c_str(), (dir / "collected.json").c_str());
  for (const auto& m : missing) std::printf("  missing: %s (no summary.json)\n", m.c_str());
  for (const auto& f : failed) std::printf("  failed:  %s (run did not complete)\n", f.c_str());
  return 0;
}

}  // namespace mf::app
