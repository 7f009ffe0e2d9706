// The Schema builder, the error collector, and the help text that lists every declared key.
#include "measureflow/schema.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "deck/yaml_util.hpp"

namespace mf {

using deck_detail::flow;
using deck_detail::join;
using deck_detail::line_of;

// ---- Errors ----

std::string Errors::where(const YAML::Node& at) const {
  const int line = line_of(at);
  return line > 0 ? file_ + ":" + std::to_string(line) : file_;
}

std::string Errors::full_key(const std::string& relative) const {
  if (scope_.empty()) return relative;
  if (relative.empty()) return scope_;
  return scope_ + "." + relative;
}

void Errors::add(const std::string& key, const std::string& what, const YAML::Node& at) {
  messages_.push_back(where(at) + ": key '" + full_key(key) + "': " + what);
}

void Errors::add_message(const std::string& what, const YAML::Node& at) {
  messages_.push_back(where(at) + ": " + what);
}

std::string Errors::joined() const { return join(messages_, "\n"); }

// ---- KeyRef ----

Key& KeyRef::key() { return s_->keys_[i_]; }
KeyRef& KeyRef::positive() { return greater_than(0.0); }
KeyRef& KeyRef::non_negative() { return min(0.0); }
KeyRef& KeyRef::min(double v) {
  key().min = v;
  key().min_exclusive = false;
  return *this;
}
KeyRef& KeyRef::greater_than(double v) {
  key().min = v;
  key().min_exclusive = true;
  return *this;
}
KeyRef& KeyRef::max(double v) {
  key().max = v;
  key().max_exclusive = false;
  return *this;
}
KeyRef& KeyRef::less_than(double v) {
  key().max = v;
  key().max_exclusive = true;
  return *this;
}
KeyRef& KeyRef::length(int n) {
  key().length = n;
  return *this;
}
KeyRef& KeyRef::spd() {
  key().spd = true;
  return *this;
}
KeyRef& KeyRef::symmetric() {
  key().symmetric = true;
  return *this;
}
KeyRef& KeyRef::check(ValueCheck c) {
  key().checks.push_back(std::move(c));
  return *this;
}
KeyRef& KeyRef::computed_default(ComputedDefault f, std::string shown) {
  key().presence = Presence::Optional;
  key().computed_default = std::move(f);
  key().default_shown = std::move(shown);
  return *this;
}

KeyRef& KeyRef::hdf5_file() {
  return check([](const YAML::Node& node, const std::string& deck_dir) -> std::optional<std::string> {
    namespace fs = std::filesystem;
    // A string list (string_list) checks every entry; a plain string is a list of one.
    std::vector<YAML::Node> items;
    if (node.IsSequence())
      for (const auto& e : node) items.push_back(e);
    else
      items.push_back(node);
    for (const YAML::Node& v : items) {
      fs::path p(v.Scalar());
      if (p.is_relative() && !deck_dir.empty()) p = fs::path(deck_dir) / p;
      const std::string shown = "'" + v.Scalar() + "'" + (p.string() != v.Scalar() ? " (" + p.string() + ")" : "");
      if (::access(p.c_str(), R_OK) != 0) return "cannot read file " + shown + ": " + std::strerror(errno);
      if (fs::is_directory(p)) return shown + " is a directory, not an HDF5 file";
      htri_t is_h5 = -1;
      // H5Fis_hdf5 prints an error stack on failure; the message we return says it better.
      H5E_BEGIN_TRY { is_h5 = H5Fis_hdf5(p.c_str()); }
      H5E_END_TRY;
      if (is_h5 <= 0) return shown + " is not an HDF5 file";
    }
    return std::nullopt;
  });
}

// ---- Schema ----

Schema& VariantRef::option(const std::string& type, const std::string& doc) {
  Key& k = s_->keys_[i_];
  k.variants.emplace_back(type, std::make_shared<Schema>());
  k.variant_docs.push_back(doc);
  return *k.variants.back().second;
}

KeyRef Schema::add(Key k) {
  for (const auto& existing : keys_)
    if (existing.name == k.name) throw std::logic_error("schema declares key '" + k.name + "' twice");
  keys_.push_back(std::move(k));
  return KeyRef(this, keys_.size() - 1);
}

static Key make(const std::string& name, Kind kind, Presence p, const std::string& doc) {
  Key k;
  k.name = name;
  k.kind = kind;
  k.presence = p;
  k.doc = doc;
  return k;
}

template <class T>
static Key with_default(const std::string& name, Kind kind, const T& def, const std::string& doc) {
  Key k = make(name, kind, Presence::Optional, doc);
  k.default_value = YAML::Node(def);
  return k;
}

KeyRef Schema::real(const std::string& n, Presence p, const std::string& d) { return add(make(n, Kind::Real, p, d)); }
KeyRef Schema::real(const std::string& n, double def, const std::string& d) {
  Key k = make(n, Kind::Real, Presence::Optional, d);
  k.default_value = deck_detail::real_node(def);
  return add(std::move(k));
}
KeyRef Schema::integer(const std::string& n, Presence p, const std::string& d) {
  return add(make(n, Kind::Integer, p, d));
}
KeyRef Schema::integer(const std::string& n, long long def, const std::string& d) {
  return add(with_default(n, Kind::Integer, def, d));
}
KeyRef Schema::flag(const std::string& n, Presence p, const std::string& d) { return add(make(n, Kind::Bool, p, d)); }
KeyRef Schema::flag(const std::string& n, bool def, const std::string& d) {
  return add(with_default(n, Kind::Bool, def, d));
}
KeyRef Schema::string(const std::string& n, Presence p, const std::string& d) {
  return add(make(n, Kind::String, p, d));
}
KeyRef Schema::string(const std::string& n, const std::string& def, const std::string& d) {
  return add(with_default(n, Kind::String, def, d));
}
KeyRef Schema::string(const std::string& n, const char* def, const std::string& d) {
  return string(n, std::string(def), d);
}
KeyRef Schema::string_list(const std::string& n, Presence p, const std::string& d) {
  Key k = make(n, Kind::String, p, d);
  k.string_list = true;
  return add(std::move(k));
}
KeyRef Schema::enumeration(const std::string& n, std::vector<std::string> allowed, Presence p, const std::string& d) {
  Key k = make(n, Kind::Enum, p, d);
  k.allowed = std::move(allowed);
  return add(std::move(k));
}
KeyRef Schema::enumeration(const std::string& n, std::vector<std::string> allowed, const std::string& def,
                           const std::string& d) {
  Key k = with_default(n, Kind::Enum, def, d);
  k.allowed = std::move(allowed);
  return add(std::move(k));
}
KeyRef Schema::enumeration(const std::string& n, std::vector<std::string> allowed, const char* def,
                           const std::string& d) {
  return enumeration(n, std::move(allowed), std::string(def), d);
}
KeyRef Schema::vector(const std::string& n, Presence p, const std::string& d) {
  return add(make(n, Kind::Vector, p, d));
}
KeyRef Schema::vector(const std::string& n, std::vector<double> def, const std::string& d) {
  Key k = make(n, Kind::Vector, Presence::Optional, d);
  k.default_value = YAML::Node(YAML::NodeType::Sequence);
  for (double x : def) k.default_value.push_back(deck_detail::real_node(x));
  k.length = static_cast<int>(def.size());
  return add(std::move(k));
}
KeyRef Schema::int_vector(const std::string& n, Presence p, const std::string& d) {
  return add(make(n, Kind::IntVector, p, d));
}
KeyRef Schema::matrix(const std::string& n, Presence p, const std::string& d) {
  return add(make(n, Kind::Matrix, p, d));
}

// Zero defaults depend on domain.dim, so they are computed once dim is known.
static YAML::Node zeros_of_dim(const YAML::Node& root, bool square) {
  auto dim = deck_detail::as_integer(deck_detail::find_path(root, "domain.dim"));
  if (!dim || *dim < 1 || *dim > 3) return YAML::Node();
  YAML::Node out(YAML::NodeType::Sequence);
  for (long long i = 0; i < *dim; ++i) {
    if (!square) {
      out.push_back(deck_detail::real_node(0.0));
      continue;
    }
    YAML::Node row(YAML::NodeType::Sequence);
    for (long long j = 0; j < *dim; ++j) row.push_back(deck_detail::real_node(0.0));
    out.push_back(row);
  }
  return out;
}

KeyRef Schema::matrix_zero_default(const std::string& n, const std::string& d) {
  return matrix(n, Presence::Optional, d).computed_default(
      [](const YAML::Node& root, const std::string&) { return zeros_of_dim(root, true); }, "zero matrix");
}
KeyRef Schema::vector_zero_default(const std::string& n, const std::string& d) {
  return vector(n, Presence::Optional, d).computed_default(
      [](const YAML::Node& root, const std::string&) { return zeros_of_dim(root, false); }, "zero vector");
}

Schema& Schema::section(const std::string& n, const std::string& d) {
  // Reopening a section lets a model add its keys to a core section (e.g. lagrangian.blob_eps).
  for (auto& k : keys_)
    if (k.name == n && k.kind == Kind::Section) return *k.section;
  Key k = make(n, Kind::Section, Presence::Optional, d);
  k.section = std::make_shared<Schema>();
  Schema* child = k.section.get();
  add(std::move(k));
  return *child;
}

Schema& Schema::list(const std::string& n, Presence p, const std::string& d) {
  Key k = make(n, Kind::List, p, d);
  k.section = std::make_shared<Schema>();
  Schema* child = k.section.get();
  add(std::move(k));
  return *child;
}

VariantRef Schema::variant(const std::string& n, Presence p, const std::string& d) {
  KeyRef r = add(make(n, Kind::Variant, p, d));
  (void)r;
  return VariantRef(this, keys_.size() - 1);
}

Schema& Schema::cross_check(SectionCheck c) {
  cross_checks_.push_back(std::move(c));
  return *this;
}

const Key* Schema::find(const std::string& name) const {
  for (const auto& k : keys_)
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<std::string> Schema::key_names() const {
  std::vector<std::string> names;
  for (const auto& k : keys_) names.push_back(k.name);
  return names;
}

// ---- help text ----

static std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

static std::string range_text(const Key& k) {
  if (k.min && k.max)
    return std::string(k.min_exclusive ? " in (" : " in [") + number(*k.min) + ", " + number(*k.max) +
           (k.max_exclusive ? ")" : "]");
  if (k.min) return std::string(k.min_exclusive ? " > " : " >= ") + number(*k.min);
  if (k.max) return std::string(k.max_exclusive ? " < " : " <= ") + number(*k.max);
  return "";
}

static std::string kind_text(const Key& k) {
  const std::string len = k.length > 0 ? std::to_string(k.length) : "dim";
  switch (k.kind) {
    case Kind::Real: return "real" + range_text(k);
    case Kind::Integer: return "integer" + range_text(k);
    case Kind::Bool: return "bool";
    case Kind::String: return k.string_list ? "list of strings" : "string";
    case Kind::Enum: return "one of: " + join(k.allowed, ", ");
    case Kind::Vector: return "vector[" + len + "] of reals" + range_text(k);
    case Kind::IntVector: return "vector[" + len + "] of integers" + (k.min || k.max ? ", each" + range_text(k) : "");
    case Kind::Matrix:
      return std::string("matrix[dim x dim]") + (k.spd ? ", symmetric positive definite" : k.symmetric ? ", symmetric" : "");
    case Kind::Section: return "section";
    case Kind::Variant: return "section selected by type";
    case Kind::List: return "list of sections";
  }
  return "?";
}

static std::string default_text(const Key& k) {
  if (k.default_value.IsDefined() && !k.default_value.IsNull()) return "default " + flow(k.default_value);
  if (k.computed_default) return "default " + k.default_shown;
  if (k.kind == Kind::Section) return "";
  return k.presence == Presence::Required ? "required" : "optional";
}

static void help_lines(const Schema& s, const std::string& prefix, std::ostringstream& out) {
  for (const auto& k : s.keys()) {
    const std::string path = prefix + k.name;
    const std::string def = default_text(k);
    out << "  " << path << "  (" << kind_text(k) << (def.empty() ? "" : "; " + def) << ")  " << k.doc << "\n";
    if (k.kind == Kind::Section) help_lines(*k.section, path + ".", out);
    if (k.kind == Kind::List) help_lines(*k.section, path + "[i].", out);
    if (k.kind == Kind::Variant) {
      std::vector<std::string> types;
      for (const auto& v : k.variants) types.push_back(v.first);
      out << "  " << path << ".type  (one of: " << join(types, ", ") << "; required)  which kind of " << k.name << "\n";
      for (size_t i = 0; i < k.variants.size(); ++i) {
        out << "    " << path << ".type: " << k.variants[i].first << "  " << k.variant_docs[i] << "\n";
        help_lines(*k.variants[i].second, path + ".", out);
      }
    }
  }
}

std::string schema_help(const Schema& schema, const std::string& title) {
  std::ostringstream out;
  out << title << "\n";
  help_lines(schema, "", out);
  return out.str();
}

}  // namespace mf
