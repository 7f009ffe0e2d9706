// Small helpers on yaml-cpp nodes shared by the deck loader and validator (private to src/deck).
#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace mf::deck_detail {

// A value as the user would write it on one line: 3, [1, 2], [[1, 0], [0, 1]], {a: 1}.
std::string flow(const YAML::Node& n);
// 1-based line of a parsed node; 0 for nodes made in code (defaults, overrides).
int line_of(const YAML::Node& n);
std::vector<std::string> split_dotted(const std::string& key);
// The node at a dotted path (numbers index lists); an undefined node when any part is missing.
YAML::Node find_path(const YAML::Node& root, const std::string& key);
std::string join(const std::vector<std::string>& items, const std::string& sep);
size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `name` if it is close enough to be a plausible typo.
std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& candidates);
// A real as the shortest text that reads back to the same double (0.4, not 0.40000000000000002).
YAML::Node real_node(double x);
// A copy built in code, so it carries no line numbers (values from --set overrides have no deck line).
YAML::Node without_marks(const YAML::Node& n);
// Scalar conversions that do not throw: nothing when the node is not such a scalar.
std::optional<double> as_real(const YAML::Node& n);
std::optional<long long> as_integer(const YAML::Node& n);
std::optional<bool> as_bool(const YAML::Node& n);

}  // namespace mf::deck_detail
