#include <cstdio>

#include <string>
#include <vector>

#include "app/ot_command.hpp"
#include "measureflow/environment.hpp"
#include "measureflow_version.hpp"

int main(int argc, char** argv) {
  mf::Environment env(argc, argv);
  if (argc > 1 && std::string(argv[1]) == "ot") return mf::ot_command(std::vector<std::string>(argv + 2, argv + argc));
  if (env.rank() == 0) std::printf("measureflow %s (git %s)\n", MF_VERSION, MF_GIT_REVISION);
  return 0;
}
