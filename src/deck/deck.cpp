// Loading a deck: parse, apply --set overrides, validate against the model's schema, typed access.
#include "measureflow/deck.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "deck/validate.hpp"
#include "deck/yaml_util.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"

namespace mf {

using deck_detail::find_path;
using deck_detail::flow;

// ---- Deck ----

Deck::Deck(std::string path, YAML::Node resolved) : path_(std::move(path)), root_(std::move(resolved)) {}

std::string Deck::name() const { return std::filesystem::path(path_).stem().string(); }
std::string Deck::model() const { return text("model"); }
bool Deck::has(const std::string& key) const { return find_path(root_, key).IsDefined(); }

YAML::Node Deck::at(const std::string& key) const {
  YAML::Node n = find_path(root_, key);
  if (!n.IsDefined()) throw std::logic_error("deck " + path_ + " has no key '" + key + "'");
  return n;
}

[[noreturn]] static void wrong_kind(const std::string& path, const std::string& key, const std::string& want,
                                    const YAML::Node& n) {
  throw std::logic_error("deck " + path + ": key '" + key + "' is " + flow(n) + ", not " + want);
}

double Deck::real(const std::string& key) const {
  const YAML::Node n = at(key);
  if (auto v = deck_detail::as_real(n)) return *v;
  wrong_kind(path_, key, "a real number", n);
}

long long Deck::integer(const std::string& key) const {
  const YAML::Node n = at(key);
  if (auto v = deck_detail::as_integer(n)) return *v;
  wrong_kind(path_, key, "an integer", n);
}

bool Deck::flag(const std::string& key) const {
  const YAML::Node n = at(key);
  if (auto v = deck_detail::as_bool(n)) return *v;
  wrong_kind(path_, key, "a bool", n);
}

std::string Deck::text(const std::string& key) const {
  const YAML::Node n = at(key);
  if (n.IsScalar()) return n.Scalar();
  wrong_kind(path_, key, "a string", n);
}

std::vector<double> Deck::vec(const std::string& key) const {
  const YAML::Node n = at(key);
  std::vector<double> out;
  if (!n.IsSequence()) wrong_kind(path_, key, "a vector of reals", n);
  for (const auto& e : n) {
    auto v = deck_detail::as_real(e);
    if (!v) wrong_kind(path_, key, "a vector of reals", n);
    out.push_back(*v);
  }
  return out;
}

std::vector<long long> Deck::ivec(const std::string& key) const {
  const YAML::Node n = at(key);
  std::vector<long long> out;
  if (!n.IsSequence()) wrong_kind(path_, key, "a vector of integers", n);
  for (const auto& e : n) {
    auto v = deck_detail::as_integer(e);
    if (!v) wrong_kind(path_, key, "a vector of integers", n);
    out.push_back(*v);
  }
  return out;
}

Matrix Deck::mat(const std::string& key) const {
  const YAML::Node n = at(key);
  std::vector<std::vector<double>> rows;
  if (!n.IsSequence() || n.size() == 0) wrong_kind(path_, key, "a matrix", n);
  for (const auto& r : n) {
    if (!r.IsSequence() || r.size() != n[0].size()) wrong_kind(path_, key, "a matrix", n);
    rows.emplace_back();
    for (const auto& e : r) {
      auto v = deck_detail::as_real(e);
      if (!v) wrong_kind(path_, key, "a matrix", n);
      rows.back().push_back(*v);
    }
  }
  return Matrix::from_rows(rows);
}

YAML::Node Deck::node(const std::string& key) const { return YAML::Clone(at(key)); }

std::string Deck::resolved_yaml() const {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);  // vectors and matrices on one line, as users write them
  out << root_;
  return std::string(out.c_str()) + "\n";
}

std::string Deck::resolve_path(const std::string& p) const {
  namespace fs = std::filesystem;
  const fs::path given(p);
  if (given.is_absolute()) return p;
  const fs::path dir = fs::path(path_).parent_path();
  return dir.empty() ? p : (dir / given).string();
}

// ---- loading ----

namespace {

bool is_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

// Applies "a.b.c=VALUE"; a null VALUE (`~`, `null`) removes the key. Problems go to errors.
void apply_override(YAML::Node root, const std::string& text, Errors& errors) {
  const std::string where = "override '" + text + "'";
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    errors.add_message(where + ": expected KEY=VALUE, e.g. domain.cells=[64, 64] or time.end=0.5");
    return;
  }
  const std::string key = text.substr(0, eq), value_text = text.substr(eq + 1);
  const auto parts = deck_detail::split_dotted(key);
  for (const auto& p : parts)
    if (!is_name(p)) {
      errors.add_message(where + ": '" + key + "' is not a dotted key path (names of letters, digits, _ and -, "
                                               "joined by '.')");
      return;
    }
  if (value_text.find_first_not_of(" \t") == std::string::npos) {
    errors.add_message(where + ": no value after '=' (write KEY=null to remove a key)");
    return;
  }
  YAML::Node value;
  try {
    value = deck_detail::without_marks(YAML::Load(value_text));
  } catch (const YAML::ParserException& ex) {
    errors.add_message(where + ": value is not valid YAML: " + ex.msg);
    return;
  }
  if (!root.IsMap()) return;  // the deck itself is malformed; validation reports it
  YAML::Node cur = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next;
    if (cur.IsSequence()) {
      char* end = nullptr;
      const unsigned long idx = std::strtoul(parts[i].c_str(), &end, 10);
      if (*end != '\0' || idx >= cur.size()) {
        errors.add_message(where + ": '" + parts[i] + "' is not an index of the list at '" +
                           deck_detail::join({parts.begin(), parts.begin() + i}, ".") + "' (" +
                           std::to_string(cur.size()) + " items)");
        return;
      }
      next.reset(cur[idx]);
    } else if (cur.IsMap()) {
      const YAML::Node& ccur = cur;
      if (!ccur[parts[i]].IsDefined() || ccur[parts[i]].IsNull()) cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next.reset(cur[parts[i]]);
    } else {
      errors.add_message(where + ": '" + deck_detail::join({parts.begin(), parts.begin() + i}, ".") + "' is " +
                         flow(cur) + ", not a section");
      return;
    }
    cur.reset(next);
  }
  const std::string& last = parts.back();
  if (cur.IsSequence()) {
    char* end = nullptr;
    const unsigned long idx = std::strtoul(last.c_str(), &end, 10);
    if (*end != '\0' || idx >= cur.size()) {
      errors.add_message(where + ": '" + last + "' is not an index of a " + std::to_string(cur.size()) + "-item list");
      return;
    }
    cur[idx] = value;
  } else if (cur.IsMap()) {
    if (value.IsNull())
      cur.remove(last);
    else
      cur[last] = value;
  } else {
    errors.add_message(where + ": the parent of '" + last + "' is " + flow(cur) + ", not a section");
  }
}

YAML::Node parse(const std::string& yaml_text, const std::string& label) {
  try {
    return YAML::Load(yaml_text);
  } catch (const YAML::ParserException& ex) {
    throw InputError(label + ":" + std::to_string(ex.mark.line + 1) + ":" + std::to_string(ex.mark.column + 1) +
                     ": YAML syntax error: " + ex.msg);
  }
}

void throw_if_any(const Errors& errors) {
  if (!errors.empty()) throw InputError(errors.joined());
}

Deck validated(YAML::Node root, const std::string& path, const Schema& schema, Errors& errors) {
  deck_detail::validate_deck(schema, root, path, errors);
  throw_if_any(errors);
  return Deck(path, root);
}

}  // namespace

Deck deck_from_string(const std::string& yaml_text, const std::string& pretend_path, const Schema& schema,
                      const std::vector<std::string>& overrides) {
  YAML::Node root = parse(yaml_text, pretend_path);
  Errors errors(pretend_path);
  for (const auto& o : overrides) apply_override(root, o, errors);
  return validated(root, pretend_path, schema, errors);
}

Deck deck_from_string(const std::string& yaml_text, const std::string& pretend_path,
                      const std::vector<std::string>& overrides) {
  YAML::Node root = parse(yaml_text, pretend_path);
  Errors errors(pretend_path);
  for (const auto& o : overrides) apply_override(root, o, errors);
  throw_if_any(errors);
  if (!root.IsMap()) {
    errors.add_message(root.IsDefined() && !root.IsNull()
                           ? "the deck must be a map of keys (model:, domain:, ...), got " + flow(root)
                           : "the deck is empty",
                       root);
    throw_if_any(errors);
  }
  const YAML::Node model = root.IsMap() ? YAML::Node(static_cast<const YAML::Node&>(root)["model"]) : YAML::Node();
  if (!model.IsDefined() || !model.IsScalar()) {
    const auto known = registered_models();
    errors.add_message("missing required key 'model' (one of: " + deck_detail::join(known, ", ") + ")", root);
    throw_if_any(errors);
  }
  Schema schema;
  try {
    schema = model_schema(model.Scalar());
  } catch (const InputError& ex) {
    errors.add("model", ex.what(), model);
    throw_if_any(errors);
  }
  return validated(root, pretend_path, schema, errors);
}

Deck load_deck(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read file: " + std::strerror(errno));
  if (std::filesystem::is_directory(path)) throw InputError(path + ": cannot read file: it is a directory");
  std::ostringstream text;
  text << in.rdbuf();
  return deck_from_string(text.str(), path, overrides);
}

}  // namespace mf
