// measureflow: the command-line entry point (docs/cli.md; `measureflow --help`, `measureflow COMMAND --help`).
// Exit status: 0 ok, 1 unexpected, 2 bad input (nothing computed), 3 numerical failure (last good
// output kept), 4 stopped by a signal after a checkpoint.
#include <mpi.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow_version.hpp"

int main(int argc, char** argv) {
  mf::cli::Split args = mf::cli::split_arguments(argc, argv, mf::cli::flags_with_value());
  // PETSc sees only its own options (so -options_left reports nothing of ours).
  std::vector<char*> petsc_argv;
  for (auto& s : args.petsc) petsc_argv.push_back(s.data());
  petsc_argv.push_back(nullptr);
  int petsc_argc = static_cast<int>(args.petsc.size());
  char** petsc_args = petsc_argv.data();
  mf::Environment env(petsc_argc, petsc_args);
  try {
    mf::register_all_models();
    return mf::app::run_cli(args.ours, mf::app::BuildInfo{MF_VERSION, MF_GIT_REVISION});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "measureflow: rank %d: %s\n", env.rank(), e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, mf::kExitOther);
    return mf::kExitOther;
  }
}
