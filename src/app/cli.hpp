// The command line: CLI11 defines every sub-command with its documented flags (`--help` on each),
// and PETSc options (-log_view, -ksp_type cg, ...) are split off first and go to PetscInitialize.
#pragma once
#include <string>
#include <vector>

#include "app/commands.hpp"

namespace mf::cli {

struct Split {
  std::vector<std::string> ours;   // argv[1..] that belong to MeasureFlow
  std::vector<std::string> petsc;  // argv[0] + PETSc options with their values
};

// `--name value` pairs for flags listed in `with_value` stay ours; any other single-dash token (not a
// negative number, not -h) starts a PETSc option, and a following token that does not start with '-'
// is its value.
Split split_arguments(int argc, char** argv, const std::vector<std::string>& with_value);

// The long flags of every sub-command that take a value (read from the CLI11 definitions, so the
// split above cannot drift from them).
std::vector<std::string> flags_with_value();

}  // namespace mf::cli

namespace mf::app {

// Parses `words` (the command line after the program name, PETSc options removed) and runs the chosen
// command. Returns the exit status: --help and --version 0, a bad command line or bad input 2 (the
// message names the flag or the deck key), a numerical failure 3. Collective over MPI_COMM_WORLD;
// only rank 0 prints.
int run_cli(const std::vector<std::string>& words, const BuildInfo& build);

}  // namespace mf::app
