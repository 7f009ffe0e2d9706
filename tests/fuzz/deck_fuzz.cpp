// libFuzzer target: the deck loader (YAML parse, --set overrides, validation against a schema, defaults).
// Any input must end in a Deck or an mf::InputError; a crash, a hang, another exception type or a
// sanitizer report is a bug. The schema is the continuity model's (declared without PETSc) plus a
// `target:` measure and a list, so every kind of key (variant, list, matrix, enum, file) is reached.
// Input: the deck text; lines after a line "#--set" are overrides key=value, one a line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/schema.hpp"
#include "models/continuity/continuity_schema.hpp"

namespace {

const mf::Schema& fuzz_schema() {
  static const mf::Schema schema = [] {
    mf::Schema s;
    mf::declare_core_keys(s);
    mf::continuity::declare_continuity_keys(s);
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
