// Declared deck keys (kinds, defaults, ranges, docs) and the registry of each model's schema.
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mf {

enum class Kind { Real, Integer, Bool, String, Enum, Vector, IntVector, Matrix, Section, Variant, List };

// Whether a key must be given. A key with a default is optional and gets the default when absent.
enum class Presence { Required, Optional };
constexpr Presence Required = Presence::Required;
constexpr Presence Optional = Presence::Optional;

// Every problem found in one deck, one line each: "<file>[:<line>]: key '<path>': <what>".
// Validation hooks add to it with keys relative to the section they were declared on.
class Errors {
 public:
  explicit Errors(std::string file_label) : file_(std::move(file_label)) {}

  void add(const std::string& key, const std::string& what, const YAML::Node& at = YAML::Node());
  // A message that is not about one key's value (unknown keys, syntax, reading the file).
  void add_message(const std::string& what, const YAML::Node& at = YAML::Node());

  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  std::string joined() const;  // one message per line

  std::string full_key(const std::string& relative) const;
  // Set by the validator: the section a hook is looking at, and domain.dim (0 while unknown/invalid).
  void set_scope(std::string prefix) { scope_ = std::move(prefix); }
  const std::string& scope() const { return scope_; }
  int dim() const { return dim_; }
  void set_dim(int d) { dim_ = d; }
  const std::string& file() const { return file_; }

 private:
  std::string where(const YAML::Node& at) const;
  std::string file_;
  std::string scope_;
  int dim_ = 0;
  std::vector<std::string> messages_;
};

// A check on a whole section after defaults are filled (e.g. upper > lower). `section` is the
// resolved map the hook was declared on; report with errors.add(relative_key, ...).
using SectionCheck = std::function<void(const YAML::Node& section, Errors& errors)>;
// A check on one key's (already type-checked) value; returns an error text, or nothing if fine.
// deck_dir is the folder of the deck file, for keys naming files.
using ValueCheck = std::function<std::optional<std::string>(const YAML::Node& value, const std::string& deck_dir)>;
// A default computed from the resolved deck (e.g. output.every = time.end / 10); returns a null node
// to leave the key absent. deck_path is the deck file as given.
using ComputedDefault = std::function<YAML::Node(const YAML::Node& root, const std::string& deck_path)>;

class Schema;

// One declared key. Built through Schema's fluent methods; read by the validator and the help text.
struct Key {
  std::string name;
  Kind kind = Kind::Real;
  std::string doc;
  Presence presence = Presence::Required;
  YAML::Node default_value;        // defined when the key has a fixed default
  ComputedDefault computed_default;
  std::string default_shown;       // how help text shows a computed default
  std::optional<double> min, max;  // Real, Integer, IntVector elements
  bool min_exclusive = false, max_exclusive = false;
  std::vector<std::string> allowed;  // Enum
  int length = 0;                    // Vector/IntVector: > 0 fixed length, 0 = domain.dim
  bool string_list = false;          // String: a non-empty list of strings (checks apply to each)
  bool spd = false, symmetric = false;  // Matrix
  std::vector<ValueCheck> checks;
  std::shared_ptr<Schema> section;   // Section, List element
  std::vector<std::pair<std::string, std::shared_ptr<Schema>>> variants;  // Variant: type -> keys
  std::vector<std::string> variant_docs;
};

// Fluent modifiers of the key just declared. Holds its schema and index (the key vector may grow).
class KeyRef {
 public:
  KeyRef(Schema* s, size_t i) : s_(s), i_(i) {}
  KeyRef& positive();                  // > 0
  KeyRef& non_negative();              // >= 0
  KeyRef& min(double v);               // >= v
  KeyRef& greater_than(double v);      // > v
  KeyRef& max(double v);               // <= v
  KeyRef& less_than(double v);         // < v
  KeyRef& length(int n);               // vectors: fixed length instead of domain.dim (< 0: any length)
  KeyRef& spd();                       // matrices: symmetric positive definite
  KeyRef& symmetric();                 // matrices: symmetric
  KeyRef& check(ValueCheck c);
  KeyRef& computed_default(ComputedDefault f, std::string shown);
  KeyRef& hdf5_file();                 // strings: an existing, readable HDF5 file (relative to the deck)
  Key& key();

 private:
  Schema* s_;
  size_t i_;
};

// A Variant key: a section whose `type` selects one of several sub-schemas.
class VariantRef {
 public:
  VariantRef(Schema* s, size_t i) : s_(s), i_(i) {}
  Schema& option(const std::string& type, const std::string& doc);  // the keys of that type

 private:
  Schema* s_;
  size_t i_;
};

// The declared keys of one section (the root section for a model), in declaration order.
class Schema {
 public:
  KeyRef real(const std::string& name, Presence p, const std::string& doc);
  KeyRef real(const std::string& name, double def, const std::string& doc);
  KeyRef integer(const std::string& name, Presence p, const std::string& doc);
  KeyRef integer(const std::string& name, long long def, const std::string& doc);
  KeyRef flag(const std::string& name, Presence p, const std::string& doc);
  KeyRef flag(const std::string& name, bool def, const std::string& doc);
  KeyRef string(const std::string& name, Presence p, const std::string& doc);
  KeyRef string(const std::string& name, const std::string& def, const std::string& doc);
  KeyRef string(const std::string& name, const char* def, const std::string& doc);
  KeyRef string_list(const std::string& name, Presence p, const std::string& doc);  // [a, b, ...]
  KeyRef enumeration(const std::string& name, std::vector<std::string> allowed, Presence p, const std::string& doc);
  KeyRef enumeration(const std::string& name, std::vector<std::string> allowed, const std::string& def,
                     const std::string& doc);
  KeyRef enumeration(const std::string& name, std::vector<std::string> allowed, const char* def,
                     const std::string& doc);
  KeyRef vector(const std::string& name, Presence p, const std::string& doc);  // length domain.dim
  KeyRef vector(const std::string& name, std::vector<double> def, const std::string& doc);
  KeyRef int_vector(const std::string& name, Presence p, const std::string& doc);
  KeyRef matrix(const std::string& name, Presence p, const std::string& doc);  // dim × dim
  KeyRef matrix_zero_default(const std::string& name, const std::string& doc);  // default: zero dim × dim
  KeyRef vector_zero_default(const std::string& name, const std::string& doc);  // default: zero, length dim
  // A nested map, always present in the resolved deck (absent = all defaults). Declaring a section
  // again returns the existing one, so a model can add keys to a core section.
  Schema& section(const std::string& name, const std::string& doc = "");
  // A list of sections (at least one item when present).
  Schema& list(const std::string& name, Presence p, const std::string& doc = "");
  VariantRef variant(const std::string& name, Presence p, const std::string& doc = "");
  // A check across keys of this section, run after every default is filled in.
  Schema& cross_check(SectionCheck c);

  const std::vector<Key>& keys() const { return keys_; }
  const std::vector<SectionCheck>& cross_checks() const { return cross_checks_; }
  const Key* find(const std::string& name) const;
  std::vector<std::string> key_names() const;

 private:
  friend class KeyRef;
  friend class VariantRef;
  KeyRef add(Key k);
  std::vector<Key> keys_;
  std::vector<SectionCheck> cross_checks_;
};

// The keys every model reads (pinned in DESIGN.md): model, domain, initial, the time section (empty),
// lagrangian.{enabled, particles, seed}, output.{dir, quiet, checkpoint_*}, diagnostics.
void declare_core_keys(Schema& s);
// Keys only some models read; a model declares each group its views read, so that a key the chosen
// model never reads is an unknown-key error (e.g. eulerian.limiter in a gradient_flow deck).
void declare_time_end(Schema& s);             // time.end (required), output.every (default time.end / 10)
void declare_fixed_time_step(Schema& s);      // time.dt
void declare_explicit_time_step(Schema& s);   // time.cfl (default 0.4) or time.dt, not both
void declare_eulerian_switch(Schema& s);      // eulerian.enabled; the grid keys are required when true
void declare_limiter(Schema& s);              // eulerian.limiter
void declare_particle_integrator(Schema& s);  // lagrangian.integrator
void declare_particle_substep(Schema& s);     // lagrangian.dt
// For cross-checks of models that need the grid: domain.lower/upper/cells/boundary present and
// domain.dim <= 3; `why` ends the message ("... is required (why)").
void require_grid_keys(const YAML::Node& root, Errors& e, const std::string& why);
// The measure variant (gaussian, mixture, uniform_box, uniform_ball, bump, barenblatt, file), used
// for `initial:` and `target:`.
void declare_measure(Schema& s, const std::string& section_name, bool required = true);
// The keys of a Gaussian option (mean; cov, SPD) and of a Gaussian-mixture option (components: weight > 0,
// mean, cov), shared by the measure variant and by models whose own variants take these measures.
void declare_gaussian_keys(Schema& gaussian);
void declare_mixture_keys(Schema& mixture);

// Registry: each model declares its own keys once (the core keys are added by model_schema).
void register_model_schema(const std::string& model, std::function<void(Schema&)> declare,
                           const std::string& one_line_doc);
std::vector<std::string> registered_models();
std::string model_doc(const std::string& model);  // the one-line doc it was registered with
Schema model_schema(const std::string& model);    // core keys + the model's; InputError if unknown
std::string schema_help(const std::string& model);
std::string schema_help(const Schema& schema, const std::string& title);

}  // namespace mf
