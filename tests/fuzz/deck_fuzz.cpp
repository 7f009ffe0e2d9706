// libFuzzer target: the deck loader (YAML parse, --set overrides, validation against a schema, defaults).
// Any input must end in a Deck or an mf::InputError; a crash, a hang, another exception type or a
// sanitizer report is a bug. The schema is the core keys with the continuity model's key groups plus a
// `target:` measure and a list, so every kind of key (variant, list, matrix, enum, file) is reached.
// Input: the deck text; lines after a line "#--set" are overrides key=value, one a line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"

namespace {

const mf::Schema& fuzz_schema() {
  static const mf::Schema schema = [] {
    mf::Schema s;
    mf::declare_core_keys(s);
    // The key groups and a variant as a model declares them (a model's own declare function pulls in
    // its views and PETSc, which stay out of this target).
    mf::declare_time_end(s);
    mf::declare_explicit_time_step(s);
    mf::declare_eulerian_switch(s);
    mf::declare_limiter(s);
    mf::declare_particle_integrator(s);
    mf::declare_particle_substep(s);
    mf::VariantRef velocity = s.variant("velocity", mf::Optional, "a field");
    mf::Schema& linear = velocity.option("linear", "v = A x + b");
    linear.matrix_zero_default("A", "matrix");
    linear.vector_zero_default("b", "vector");
    velocity.option("swirl", "swirl").real("period", 1.0, "period").positive();
    mf::declare_measure(s, "target", false);
    mf::Schema& layer = s.list("layers", mf::Optional, "a list of sections");
    layer.matrix("Q", mf::Optional, "matrix");
    layer.real("until", mf::Optional, "end").positive();
    return s;
  }();
  return schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  const std::string marker = "\n#--set\n";
  if (const auto at = text.find(marker); at != std::string::npos) {
    std::string rest = text.substr(at + marker.size());
    text.resize(at);
    for (std::size_t start = 0; start <= rest.size();) {
      const std::size_t end = std::min(rest.find('\n', start), rest.size());
      if (end > start) overrides.push_back(rest.substr(start, end - start));
      start = end + 1;
    }
  }
  try {
    const mf::Deck deck = mf::deck_from_string(text, "/nonexistent/fuzz.yaml", fuzz_schema(), overrides);
    (void)deck.resolved_yaml();
  } catch (const mf::InputError&) {
    // The expected answer to a bad deck.
  }
  return 0;
}
