// Helpers on yaml-cpp nodes: one-line printing, dotted paths, typo distance, non-throwing conversions.
#include "deck/yaml_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mf::deck_detail {

std::string flow(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "null";
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  out << n;
  return out.c_str();
}

int line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  const int line = n.Mark().line;
  return line >= 0 ? line + 1 : 0;
}

std::vector<std::string> split_dotted(const std::string& key) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : key) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

static std::optional<size_t> as_index(const std::string& s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return static_cast<size_t>(std::stoull(s));
}

YAML::Node find_path(const YAML::Node& root, const std::string& key) {
  YAML::Node cur = root;
  for (const auto& part : split_dotted(key)) {
    if (!cur.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    if (cur.IsMap()) {
      const YAML::Node& c = cur;
      YAML::Node next = c[part];
      if (!next.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
      cur.reset(next);
    } else if (cur.IsSequence()) {
      auto idx = as_index(part);
      if (!idx || *idx >= cur.size()) return YAML::Node(YAML::NodeType::Undefined);
      const YAML::Node& c = cur;
      YAML::Node next = c[*idx];
      cur.reset(next);
    } else {
      return YAML::Node(YAML::NodeType::Undefined);
    }
  }
  return cur;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? sep : "") + items[i];
  return s;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  // Levenshtein distance with one rolling row; adjacent swaps count as two edits, fine for typos.
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_d = 0;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(name, c);
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  // Beyond about a third of the word changed, a suggestion misleads more than it helps.
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  if (best && best_d <= limit) return best;
  return std::nullopt;
}

YAML::Node real_node(double x) {
  char buf[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return YAML::Node(std::string(buf));
}

YAML::Node without_marks(const YAML::Node& n) {
  if (n.IsScalar()) return YAML::Node(n.Scalar());
  if (n.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& e : n) out.push_back(without_marks(e));
    return out;
  }
  if (n.IsMap()) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : n) out[kv.first.Scalar()] = without_marks(kv.second);
    return out;
  }
  return YAML::Node(n.Type());
}

std::optional<double> as_real(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  double v = 0;
  if (!YAML::convert<double>::decode(n, v) || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<long long> as_integer(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  long long v = 0;
  if (YAML::convert<long long>::decode(n, v)) return v;
  // Users write large counts as 1e5; a real with no fractional part is that integer.
  double x = 0;
  if (!YAML::convert<double>::decode(n, x) || !std::isfinite(x) || x != std::floor(x) || std::fabs(x) > 9.0e15)
    return std::nullopt;
  return static_cast<long long>(x);
}

std::optional<bool> as_bool(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  bool v = false;
  if (!YAML::convert<bool>::decode(n, v)) return std::nullopt;
  return v;
}

}  // namespace mf::deck_detail
