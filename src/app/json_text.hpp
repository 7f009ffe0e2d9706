// YAML nodes written as JSON text (yaml-cpp parses JSON, but does not emit it). Scalars that parse as
// numbers or booleans are written bare, everything else as strings.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>

namespace mf::app {
std::string to_json(const YAML::Node& node, int indent = 0);
std::string json_quote(const std::string& s);
}  // namespace mf::app
