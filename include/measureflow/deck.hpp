// A validated input deck: the resolved YAML (defaults filled in) with typed accessors by dotted path.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "measureflow/small_matrix.hpp"

namespace mf {

class Schema;

class Deck {
 public:
  Deck() = default;  // empty until assigned a loaded deck
  Deck(std::string path, YAML::Node resolved);

  const std::string& path() const { return path_; }  // deck file as given
  std::string name() const;                           // file stem ("quickstart")
  std::string model() const;
  // Keys are dotted paths ("initial.cov", "domain.cells"); a list item is a number ("initial.components.0.mean").
  bool has(const std::string& key) const;
  // Accessors on a missing key or a value of another kind throw std::logic_error: validation already ran,
  // so this is a programming error, not a user's.
  double real(const std::string& key) const;
  long long integer(const std::string& key) const;
  bool flag(const std::string& key) const;
  std::string text(const std::string& key) const;
  std::vector<double> vec(const std::string& key) const;
  std::vector<long long> ivec(const std::string& key) const;
  Matrix mat(const std::string& key) const;
  YAML::Node node(const std::string& key) const;  // a deep copy of the sub-tree
  std::string resolved_yaml() const;
  // A file path written in the deck, taken relative to the deck's folder unless absolute.
  std::string resolve_path(const std::string& p) const;

 private:
  YAML::Node at(const std::string& key) const;
  std::string path_;
  YAML::Node root_;
};

// Parse the file, apply overrides "a.b.c=VALUE" (VALUE in YAML syntax), validate against the schema
// of the deck's `model:` and fill defaults. Throws mf::InputError listing every problem, one a line.
Deck load_deck(const std::string& path, const std::vector<std::string>& overrides = {});
// The same from text; pretend_path names the deck in messages and anchors relative paths.
Deck deck_from_string(const std::string& yaml_text, const std::string& pretend_path,
                      const std::vector<std::string>& overrides = {});
// Validation against a given schema (not from the registry); for tests and tools.
Deck deck_from_string(const std::string& yaml_text, const std::string& pretend_path, const Schema& schema,
                      const std::vector<std::string>& overrides = {});

}  // namespace mf
