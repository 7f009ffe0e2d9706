// The registry of model schemas: each model declares its keys once, `model:` picks them.
#include <map>

#include "deck/yaml_util.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"

namespace mf {
namespace {

struct Entry {
  std::function<void(Schema&)> declare;
  std::string doc;
};

// Function-local so models may register from static initialisers in any translation unit.
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> models;
  return models;
}

}  // namespace

void register_model_schema(const std::string& model, std::function<void(Schema&)> declare,
                           const std::string& one_line_doc) {
  // Registering again replaces: static registration and an explicit register_all_models() may both run.
  registry()[model] = Entry{std::move(declare), one_line_doc};
}

std::vector<std::string> registered_models() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry()) names.push_back(name);
  return names;
}

static const Entry& entry(const std::string& model) {
  auto it = registry().find(model);
  if (it != registry().end()) return it->second;
  const auto known = registered_models();
  std::string msg = "unknown model '" + model + "'";
  if (auto best = deck_detail::closest(model, known)) msg += "; did you mean '" + *best + "'?";
  msg += " (known models: " + (known.empty() ? std::string("none registered") : deck_detail::join(known, ", ")) + ")";
  throw InputError(msg);
}

std::string model_doc(const std::string& model) { return entry(model).doc; }

Schema model_schema(const std::string& model) {
  const Entry& e = entry(model);
  Schema s;
  declare_core_keys(s);
  e.declare(s);
  return s;
}

std::string schema_help(const std::string& model) {
  const Schema s = model_schema(model);
  return schema_help(s, "model " + model + ": " + model_doc(model) + "\nkeys (path  (type; default)  meaning):");
}

}  // namespace mf
