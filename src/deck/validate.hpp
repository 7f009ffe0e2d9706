// Checks a parsed deck against a Schema and fills in defaults (private to src/deck).
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>

#include "measureflow/schema.hpp"

namespace mf::deck_detail {

// Validates `root` against `schema`, filling defaults into `root` in place (so parsed nodes keep their
// line numbers for messages). Every problem goes to `errors`; nothing throws for bad input.
void validate_deck(const Schema& schema, YAML::Node root, const std::string& deck_path, Errors& errors);

}  // namespace mf::deck_detail
