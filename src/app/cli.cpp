#include "cli.hpp"

#include <algorithm>
#include <cctype>

namespace mf::cli {

namespace {
bool looks_numeric(const std::string& s) {
  return s.size() > 1 && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}
}  // namespace

Split split_arguments(int argc, char** argv, const std::vector<std::string>& with_value) {
  Split out;
  out.petsc.emplace_back(argc > 0 ? argv[0] : "measureflow");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      out.ours.push_back(a);
      const bool takes_value = std::find(with_value.begin(), with_value.end(), a) != with_value.end();
      if (takes_value && i + 1 < argc) out.ours.emplace_back(argv[++i]);
    } else if (a.size() > 1 && a[0] == '-' && !looks_numeric(a)) {
      out.petsc.push_back(a);
      if (i + 1 < argc && argv[i + 1][0] != '-') out.petsc.emplace_back(argv[++i]);
    } else {
      out.ours.push_back(a);
    }
  }
  return out;
}

}  // namespace mf::cli
