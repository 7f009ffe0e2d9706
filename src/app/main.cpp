// measureflow: the command-line entry point.
//   measureflow run DECK.yaml [--set key.path=value]... [--quiet] [PETSc options, e.g. -log_view]
//   measureflow check DECK.yaml [--set ...]      validate, print the resolved deck, compute nothing
//   measureflow help [MODEL]                     list models / print a model's deck keys
//   measureflow ot A.h5 B.h5 [--method sinkhorn|exact] [--eps E] [--tol T] [--json] [--out result.h5]
//   measureflow --version
// Exit status: 0 ok, 1 unexpected, 2 bad input (nothing computed), 3 numerical failure (last good
// output kept), 4 stopped by a signal after a checkpoint.
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/ot_command.hpp"
#include "measureflow/environment.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow_version.hpp"

namespace {

const std::vector<std::string> kFlagsWithValue = {"--set", "--restart", "--out", "--method", "--eps",
                                                  "--tol", "--snapshot", "--max-iterations"};

void print_usage() {
  std::printf(
      "usage: measureflow COMMAND ...\n"
      "  run DECK.yaml [--set key.path=value]... [--quiet] [PETSc options]\n"
      "  check DECK.yaml [--set key.path=value]...\n"
      "  help [MODEL]\n"
      "  sweep DECK.yaml --out DIR [--set ...]   expand the deck's sweep: section\n"
      "  sweep-collect DIR                      gather every variant's summary.json\n"
      "  ot A.h5 B.h5 [--method sinkhorn|exact] [--eps E] [--tol T] [--json] [--out result.h5]\n"
      "  --version\n");
}

}  // namespace

int main(int argc, char** argv) {
  mf::cli::Split args = mf::cli::split_arguments(argc, argv, kFlagsWithValue);
  // PETSc sees only its own options (so -options_left reports nothing of ours).
  std::vector<char*> petsc_argv;
  for (auto& s : args.petsc) petsc_argv.push_back(s.data());
  petsc_argv.push_back(nullptr);
  int petsc_argc = static_cast<int>(args.petsc.size());
  char** petsc_args = petsc_argv.data();
  mf::Environment env(petsc_argc, petsc_args);
  const bool root = env.rank() == 0;

  if (args.ours.empty()) {
    if (root) print_usage();
    return mf::kExitInput;
  }
  const std::string command = args.ours.front();
  const std::vector<std::string> rest(args.ours.begin() + 1, args.ours.end());
  try {
    mf::register_all_models();
    if (command == "--version" || command == "version") {
      if (root) std::printf("measureflow %s (git %s)\n", MF_VERSION, MF_GIT_REVISION);
      return mf::kExitOk;
    }
    if (command == "help" || command == "--help" || command == "-h") return mf::app::help_command(rest);
    if (command == "check") return mf::app::check_command(rest);
    if (command == "run") return mf::app::run_command(rest, MF_VERSION, MF_GIT_REVISION);
    if (command == "ot") return mf::ot_command(rest);
    if (command == "sweep") return mf::app::sweep_command(rest);
    if (command == "sweep-collect") return mf::app::sweep_collect_command(rest);
    if (root) {
      std::fprintf(stderr, "measureflow: unknown command '%s'\n", command.c_str());
      print_usage();
    }
    return mf::kExitInput;
  } catch (const mf::InputError& e) {
    // Every rank reaches the same verdict (validation is deterministic); only rank 0 speaks.
    if (root) std::fprintf(stderr, "measureflow: input error:\n%s\n", e.what());
    return mf::kExitInput;
  } catch (const mf::SolverError& e) {
    if (root) std::fprintf(stderr, "measureflow: numerical failure: %s\n", e.what());
    return mf::kExitSolver;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "measureflow: rank %d: %s\n", env.rank(), e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, mf::kExitOther);
    return mf::kExitOther;
  }
}
