// Deck validation: walks the schema and the parsed YAML together, collecting every problem.
#include "deck/validate.hpp"

#include <filesystem>
#include <map>
#include <sstream>

#include "deck/yaml_util.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::deck_detail {
namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Why x is outside the key's range, or nothing when inside.
std::optional<std::string> out_of_range(const Key& k, double x) {
  const bool low = k.min && (k.min_exclusive ? !(x > *k.min) : !(x >= *k.min));
  const bool high = k.max && (k.max_exclusive ? !(x < *k.max) : !(x <= *k.max));
  if (!low && !high) return std::nullopt;
  std::string allowed;
  if (k.min && k.max)
    allowed = std::string("in ") + (k.min_exclusive ? "(" : "[") + number(*k.min) + ", " + number(*k.max) +
              (k.max_exclusive ? ")" : "]");
  else if (k.min)
    allowed = std::string(k.min_exclusive ? "> " : ">= ") + number(*k.min);
  else
    allowed = std::string(k.max_exclusive ? "< " : "<= ") + number(*k.max);
  return "must be " + allowed;
}

std::string kind_name(const Key& k) {
  switch (k.kind) {
    case Kind::Real: return "a real number";
    case Kind::Integer: return "an integer";
    case Kind::Bool: return "true or false";
    case Kind::String: return "a string";
    case Kind::Enum: return "one of: " + join(k.allowed, ", ");
    case Kind::Vector: return "a list of reals";
    case Kind::IntVector: return "a list of integers";
    case Kind::Matrix: return "a matrix [[a, b], [c, d]]";
    case Kind::Section: return "a section";
    case Kind::List: return "a list of sections";
    case Kind::Variant: return "a section with a type";
  }
  return "a value";
}

std::string display_path(const std::string& prefix, const std::string& name) { return prefix + name; }

class Validator {
 public:
  Validator(YAML::Node root, const std::string& deck_path, Errors& errors)
      : root_(root), deck_path_(deck_path), errors_(errors) {
    const auto parent = std::filesystem::path(deck_path).parent_path();
    deck_dir_ = parent.string();
    auto d = as_integer(find_path(root, "domain.dim"));
    dim_ = (d && *d >= 1 && *d <= 3) ? static_cast<int>(*d) : 0;
    errors_.set_dim(dim_);
  }

  void run(const Schema& schema) {
    if (!root_.IsMap()) {
      errors_.add_message("the deck must be a map of keys (model:, domain:, ...), got " + flow(root_), root_);
      return;
    }
    section(schema, root_, "", {});
    for (auto& p : pending_) {
      YAML::Node v = p.key->computed_default(root_, deck_path_);
      if (!v.IsDefined() || v.IsNull()) continue;
      p.parent[p.key->name] = v;
      check_value(*p.key, v, p.path);
    }
    for (auto& h : hooks_) {
      errors_.set_scope(h.scope);
      try {
        (*h.check)(h.section, errors_);
      } catch (const YAML::Exception&) {
        // A value the hook reads was malformed; that was already reported where it was checked.
      }
    }
    errors_.set_scope("");
    for (auto& o : visited_) reorder(o.node, *o.schema, o.extra);
  }

 private:
  struct Pending {
    YAML::Node parent;
    const Key* key;
    std::string path;
  };
  struct Visited {
    YAML::Node node;
    const Schema* schema;
    std::vector<std::string> extra;
  };
  // The resolved deck lists keys in declaration order (a variant's `type` first), whatever order
  // the user wrote them and defaults were filled in.
  static void reorder(YAML::Node node, const Schema& s, const std::vector<std::string>& extra) {
    std::vector<std::string> order = extra;
    for (const auto& n : s.key_names()) order.push_back(n);
    std::vector<std::pair<std::string, YAML::Node>> kept;
    const YAML::Node& cnode = node;
    for (const auto& name : order)
      if (cnode[name].IsDefined()) kept.emplace_back(name, cnode[name]);
    if (kept.size() != node.size()) return;  // unknown keys present: an error was reported anyway
    for (const auto& kv : kept) node.remove(kv.first);
    for (const auto& kv : kept) node[kv.first] = kv.second;
  }
  struct Hook {
    YAML::Node section;
    std::string scope;
    const SectionCheck* check;
  };

  // " for model 'gradient_flow'": which keys are allowed depends on the model (a key some other
  // model reads is unknown to this one).
  std::string model_clause() const {
    const YAML::Node& croot = root_;
    const YAML::Node m = croot["model"];
    return m.IsDefined() && m.IsScalar() ? " for model '" + m.Scalar() + "'" : std::string();
  }

  void section(const Schema& s, YAML::Node node, const std::string& prefix, const std::vector<std::string>& extra) {
    std::vector<std::string> allowed = s.key_names();
    allowed.insert(allowed.end(), extra.begin(), extra.end());
    std::map<std::string, int> seen;
    std::map<std::string, YAML::Node> key_nodes;  // a null value has no line of its own; its key does
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) {
        errors_.add_message("a key under '" + prefix + "' is not a name: " + flow(it->first), it->first);
        continue;
      }
      const std::string name = it->first.Scalar();
      const std::string path = display_path(prefix, name);
      auto [pos, fresh] = seen.emplace(name, line_of(it->first));
      key_nodes.emplace(name, it->first);
      if (!fresh) {
        errors_.add_message("key '" + path + "' given twice (lines " + std::to_string(pos->second) + " and " +
                                std::to_string(line_of(it->first)) + ")",
                            it->first);
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      std::string msg = "unknown key '" + path + "'";
      if (auto best = closest(name, allowed)) msg += "; did you mean '" + display_path(prefix, *best) + "'?";
      msg += " (allowed keys" + std::string(prefix.empty() ? "" : " in '" + prefix.substr(0, prefix.size() - 1) + "'") +
             model_clause() + ": " + join(allowed, ", ") + ")";
      errors_.add_message(msg, it->first);
    }

    const YAML::Node& cnode = node;
    for (const Key& k : s.keys()) {
      const std::string path = display_path(prefix, k.name);
      YAML::Node v = cnode[k.name];
      // An empty section header (`eulerian:` with every line below commented out) means all defaults.
      const bool empty_section = k.kind == Kind::Section && v.IsDefined() && v.IsNull();
      if (!v.IsDefined() || empty_section) {
        if (k.kind == Kind::Section) {
          node[k.name] = YAML::Node(YAML::NodeType::Map);
          YAML::Node child = node[k.name];
          section(*k.section, child, path + ".", {});
        } else if (k.default_value.IsDefined() && !k.default_value.IsNull()) {
          node[k.name] = YAML::Clone(k.default_value);
        } else if (k.computed_default) {
          pending_.push_back({node, &k, path});
        } else if (k.presence == Presence::Required) {
          std::string what = k.doc;
          // A missing measure or field says which types it could be.
          if (k.kind == Kind::Variant) {
            std::vector<std::string> types;
            for (const auto& opt : k.variants) types.push_back(opt.first);
            what += "; a section with type: one of " + join(types, ", ");
          }
          errors_.add_message("missing required key '" + path + "' (" + what + ")", node);
        }
        continue;
      }
      if (v.IsNull()) {
        errors_.add(path, "no value given (expected " + kind_name(k) + ")", key_nodes[k.name]);
        continue;
      }
      check_value(k, v, path);
    }
    visited_.push_back({node, &s, extra});
    for (const auto& c : s.cross_checks())
      hooks_.push_back({node, prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1), &c});
  }

  std::string dim_note() const { return " (domain.dim = " + std::to_string(dim_) + ")"; }

  // Checks one present, non-null value; returns false when it has the wrong kind or range.
  bool check_value(const Key& k, const YAML::Node& v, const std::string& path) {
    const bool ok = check_kind(k, v, path);
    if (!ok) return false;
    for (const auto& c : k.checks)
      if (auto why = c(v, deck_dir_)) {
        errors_.add(path, *why, v);
        return false;
      }
    return true;
  }

  bool check_number(const Key& k, const YAML::Node& v, const std::string& path, bool integral) {
    std::optional<double> x;
    if (integral) {
      if (auto i = as_integer(v)) x = static_cast<double>(*i);
    } else {
      x = as_real(v);
    }
    if (!x) {
      errors_.add(path, std::string("expected ") + (integral ? "an integer" : "a finite real number") + ", got " + flow(v), v);
      return false;
    }
    if (auto why = out_of_range(k, *x)) {
      errors_.add(path, flow(v) + " is out of range: " + *why, v);
      return false;
    }
    return true;
  }

  bool check_vector(const Key& k, const YAML::Node& v, const std::string& path, bool integral) {
    // length > 0: fixed; 0: domain.dim; < 0: any length (e.g. a list of times).
    const int want = k.length > 0 ? k.length : (k.length < 0 ? 0 : dim_);
    const std::string what = std::string(integral ? "integer" : "real") + (want == 1 ? "" : "s");
    const std::string note = k.length > 0 ? "" : dim_note();
    bool shape_ok = v.IsSequence() && (want == 0 || static_cast<int>(v.size()) == want);
    if (shape_ok)
      for (const auto& e : v) shape_ok = shape_ok && (integral ? as_integer(e).has_value() : as_real(e).has_value());
    if (!shape_ok) {
      const std::string count = want > 0 ? std::to_string(want) + " " : "a list of ";
      errors_.add(path, "expected " + count + what + note + ", got " + flow(v), v);
      return false;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      const double x = integral ? static_cast<double>(*as_integer(v[i])) : *as_real(v[i]);
      if (auto why = out_of_range(k, x)) {
        errors_.add(path, "entry " + std::to_string(i) + " of " + flow(v) + " is out of range: each " + *why, v);
        return false;
      }
    }
    return true;
  }

  bool check_matrix(const Key& k, const YAML::Node& v, const std::string& path) {
    const int n = dim_ > 0 ? dim_ : (v.IsSequence() ? static_cast<int>(v.size()) : 0);
    bool ok = v.IsSequence() && n > 0 && static_cast<int>(v.size()) == n;
    std::vector<std::vector<double>> rows;
    if (ok)
      for (const auto& r : v) {
        ok = ok && r.IsSequence() && static_cast<int>(r.size()) == n;
        if (!ok) break;
        rows.emplace_back();
        for (const auto& e : r) {
          auto x = as_real(e);
          ok = ok && x.has_value();
          rows.back().push_back(x.value_or(0.0));
        }
      }
    if (!ok) {
      const std::string shape = dim_ > 0 ? "a " + std::to_string(n) + "x" + std::to_string(n) + " matrix" + dim_note()
                                         : std::string("a square matrix");
      errors_.add(path, "expected " + shape + " of reals written as rows [[a, b], [c, d]], got " + flow(v), v);
      return false;
    }
    const Matrix m = Matrix::from_rows(rows);
    if (k.spd && !is_spd(m)) {
      errors_.add(path, flow(v) + " is not symmetric positive definite", v);
      return false;
    }
    if (k.symmetric && !is_symmetric(m)) {
      errors_.add(path, flow(v) + " is not symmetric", v);
      return false;
    }
    return true;
  }

  bool check_kind(const Key& k, const YAML::Node& v, const std::string& path) {
    switch (k.kind) {
      case Kind::Real: return check_number(k, v, path, false);
      case Kind::Integer: return check_number(k, v, path, true);
      case Kind::Bool:
        if (as_bool(v)) return true;
        errors_.add(path, "expected true or false, got " + flow(v), v);
        return false;
      case Kind::String:
        if (k.string_list) {
          bool ok = v.IsSequence() && v.size() > 0;
          for (size_t i = 0; ok && i < v.size(); ++i) ok = v[i].IsScalar();
          if (ok) return true;
          errors_.add(path, "expected a non-empty list of strings [a, b, ...], got " + flow(v), v);
          return false;
        }
        if (v.IsScalar()) return true;
        errors_.add(path, "expected a string, got " + flow(v), v);
        return false;
      case Kind::Enum: return check_enum(path, v, k.allowed);
      case Kind::Vector: return check_vector(k, v, path, false);
      case Kind::IntVector: return check_vector(k, v, path, true);
      case Kind::Matrix: return check_matrix(k, v, path);
      case Kind::Section:
        if (!v.IsMap()) {
          errors_.add(path, "expected a section (a map of keys), got " + flow(v), v);
          return false;
        }
        section(*k.section, v, path + ".", {});
        return true;
      case Kind::List:
        if (!v.IsSequence() || v.size() == 0) {
          errors_.add(path, "expected a non-empty list of sections, got " + flow(v), v);
          return false;
        }
        for (size_t i = 0; i < v.size(); ++i) {
          YAML::Node item = v[i];
          const std::string item_path = path + "[" + std::to_string(i) + "]";
          if (!item.IsMap()) {
            errors_.add(item_path, "expected a section (a map of keys), got " + flow(item), item);
            continue;
          }
          section(*k.section, item, item_path + ".", {});
        }
        return true;
      case Kind::Variant: return check_variant(k, v, path);
    }
    return false;
  }

  bool check_enum(const std::string& path, const YAML::Node& v, const std::vector<std::string>& allowed) {
    if (v.IsScalar() && std::find(allowed.begin(), allowed.end(), v.Scalar()) != allowed.end()) return true;
    std::string msg = "'" + flow(v) + "' is not one of: " + join(allowed, ", ");
    if (v.IsScalar())
      if (auto best = closest(v.Scalar(), allowed)) msg += "; did you mean '" + *best + "'?";
    errors_.add(path, msg, v);
    return false;
  }

  bool check_variant(const Key& k, YAML::Node v, const std::string& path) {
    std::vector<std::string> types;
    for (const auto& opt : k.variants) types.push_back(opt.first);
    if (!v.IsMap()) {
      errors_.add(path, "expected a section with 'type: <" + join(types, "|") + ">' and its keys, got " + flow(v), v);
      return false;
    }
    const YAML::Node& cv = v;
    const YAML::Node type = cv["type"];
    if (!type.IsDefined() || type.IsNull()) {
      errors_.add_message("missing required key '" + path + ".type' (one of: " + join(types, ", ") + ")", v);
      return false;
    }
    if (!check_enum(path + ".type", type, types)) return false;
    for (const auto& opt : k.variants)
      if (opt.first == type.Scalar()) section(*opt.second, v, path + ".", {"type"});
    return true;
  }

  YAML::Node root_;
  std::string deck_path_;
  std::string deck_dir_;
  Errors& errors_;
  int dim_ = 0;
  std::vector<Pending> pending_;
  std::vector<Hook> hooks_;
  std::vector<Visited> visited_;
};

}  // namespace

void validate_deck(const Schema& schema, YAML::Node root, const std::string& deck_path, Errors& errors) {
  Validator(root, deck_path, errors).run(schema);
}

}  // namespace mf::deck_detail
