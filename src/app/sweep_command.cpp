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

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/commands.hpp"
#include "app/json_text.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/io/summary.hpp"

namespace fs = std::filesystem;

namespace mf::app {

namespace {

bool is_root() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r == 0;
}

std::string flow_text(const YAML::Node& n) {
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
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
    char name[16];
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

int sweep_command(const std::vector<std::string>& args) {
  const DeckArguments a = parse_deck_arguments(args, {"--out"});
  std::string out_dir;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--out") out_dir = args[i + 1];
  if (out_dir.empty()) throw InputError("measureflow sweep needs --out DIR");
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
    YAML::Node index;
    index["deck"] = fs::absolute(a.deck).string();
    index["mode"] = sweep["mode"] ? sweep["mode"].as<std::string>() : "product";
    for (const auto& kv : sweep["values"]) index["keys"].push_back(kv.first.as<std::string>());
    for (size_t i = 0; i < variants.size(); ++i) {
      const fs::path vdir = dir / variants[i].name;
      fs::create_directories(vdir);
      io::write_text_atomically((vdir / "deck.yaml").string(), resolved[i]);
      YAML::Node entry;
      entry["id"] = static_cast<long long>(i);
      entry["name"] = variants[i].name;
      for (const auto& [key, value] : variants[i].values) entry["values"][key] = value;
      entry["deck"] = (vdir / "deck.yaml").string();
      entry["output_dir"] = (vdir / "out").string();
      index["variants"].push_back(entry);
    }
    io::write_text_atomically((dir / "sweep.json").string(), to_json(index) + "\n");
    std::printf("sweep: %zu variants written to %s\n", variants.size(), dir.c_str());
    std::printf("run locally:   for d in %s/v*/; do mpirun -n 2 measureflow run \"$d/deck.yaml\"; done\n", dir.c_str());
    std::printf("or on SLURM:   sbatch --array=0-%zu jobs/sweep.sbatch %s\n", variants.size() - 1, dir.c_str());
    std::printf("then collect:  measureflow sweep-collect %s\n", dir.c_str());
  }
  return 0;
}

int sweep_collect_command(const std::vector<std::string>& args) {
  if (args.size() != 1) throw InputError("usage: measureflow sweep-collect DIR");
  const fs::path dir = args[0];
  YAML::Node index;
  try {
    index = YAML::LoadFile((dir / "sweep.json").string());
  } catch (const YAML::Exception&) {
    throw InputError((dir / "sweep.json").string() + ": cannot read the sweep index (run `measureflow sweep` first)");
  }
  if (!is_root()) return 0;
  std::vector<std::string> keys;
  for (const auto& k : index["keys"]) keys.push_back(k.as<std::string>());
  struct Row {
    std::string name, status;
    long long id;
    std::vector<std::string> values;
    std::map<std::string, double> metrics;
  };
  std::vector<Row> rows;
  std::set<std::string> metric_names;
  std::vector<std::string> missing, failed;
  for (const auto& v : index["variants"]) {
    Row r;
    r.id = v["id"].as<long long>();
    r.name = v["name"].as<std::string>();
    for (const auto& k : keys) r.values.push_back(flow_text(v["values"][k]));
    const fs::path summary = fs::path(v["output_dir"].as<std::string>()) / "summary.json";
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
  std::ostringstream csv, json;
  csv.precision(17);
  csv << "id,name";
  for (const auto& k : keys) csv << "," << k;
  csv << ",status";
  for (const auto& m : metric_names) csv << "," << m;
  csv << "\n";
  json.precision(17);
  json << "{\n  \"keys\": [";
  for (size_t i = 0; i < keys.size(); ++i) json << (i ? ", " : "") << json_quote(keys[i]);
  json << "],\n  \"rows\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    csv << r.id << "," << r.name;
    for (const auto& v : r.values) csv << ",\"" << v << "\"";
    csv << "," << r.status;
    for (const auto& m : metric_names) {
      csv << ",";
      auto it = r.metrics.find(m);
      if (it != r.metrics.end()) csv << it->second;
    }
    csv << "\n";
    json << (i ? "," : "") << "\n    {\"id\": " << r.id << ", \"name\": " << json_quote(r.name) << ", \"status\": "
         << json_quote(r.status) << ", \"values\": {";
    for (size_t k = 0; k < keys.size(); ++k) json << (k ? ", " : "") << json_quote(keys[k]) << ": " << r.values[k];
    json << "}, \"metrics\": {";
    bool first = true;
    for (const auto& [name, value] : r.metrics) {
      json << (first ? "" : ", ") << json_quote(name) << ": ";
      if (std::isfinite(value)) json << value; else json << "null";
      first = false;
    }
    json << "}}";
  }
  json << "\n  ],\n  \"missing\": [";
  for (size_t i = 0; i < missing.size(); ++i) json << (i ? ", " : "") << json_quote(missing[i]);
  json << "],\n  \"failed\": [";
  for (size_t i = 0; i < failed.size(); ++i) json << (i ? ", " : "") << json_quote(failed[i]);
  json << "]\n}\n";
  io::write_text_atomically((dir / "collected.csv").string(), csv.str());
  io::write_text_atomically((dir / "collected.json").string(), json.str());
  std::printf("sweep-collect: %zu variants, %zu ok, %zu missing, %zu failed -> %s, %s\n", rows.size(),
              rows.size() - missing.size() - failed.size(), missing.size(), failed.size(),
              (dir / "collected.csv").c_str(), (dir / "collected.json").c_str());
  for (const auto& m : missing) std::printf("  missing: %s (no summary.json)\n", m.c_str());
  for (const auto& f : failed) std::printf("  failed:  %s (run did not complete)\n", f.c_str());
  return 0;
}

}  // namespace mf::app
