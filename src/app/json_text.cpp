#include "app/json_text.hpp"

#include <cstdlib>
#include <sstream>

namespace mf::app {

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {
bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0' && s != "." && s.find_first_of("xXnN") == std::string::npos;
}
}  // namespace

std::string to_json(const YAML::Node& node, int indent) {
  const std::string pad(indent + 2, ' '), close(indent, ' ');
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return json_quote(s);  // explicitly quoted in the YAML source
      if (s == "true" || s == "false") return s;
      if (is_number(s)) return s;
      return json_quote(s);
    }
    case YAML::NodeType::Sequence: {
      bool flat = true;
      for (const auto& e : node) flat = flat && e.IsScalar();
      std::string out = "[";
      bool first = true;
      for (const auto& e : node) {
        out += first ? "" : ",";
        out += flat ? (first ? "" : " ") : "\n" + pad;
        out += to_json(e, indent + 2);
        first = false;
      }
      return out + (flat || first ? "]" : "\n" + close + "]");
    }
    case YAML::NodeType::Map: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : node) {
        out += (first ? "\n" : ",\n") + pad + json_quote(kv.first.as<std::string>()) + ": " + to_json(kv.second, indent + 2);
        first = false;
      }
      return out + (first ? "}" : "\n" + close + "}");
    }
  }
  return "null";
}

}  // namespace mf::app
