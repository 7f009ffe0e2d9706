#include <cstdio>

#include "measureflow/environment.hpp"
#include "measureflow_version.hpp"

int main(int argc, char** argv) {
  mf::Environment env(argc, argv);
  if (env.rank() == 0) std::printf("measureflow %s (git %s)\n", MF_VERSION, MF_GIT_REVISION);
  return 0;
}
