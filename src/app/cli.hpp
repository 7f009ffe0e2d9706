// Command-line splitting: MeasureFlow's own arguments (commands, positionals, --flags) versus PETSc
// options (-log_view, -ksp_type cg, ...), which go to PetscInitialize untouched.
#pragma once
#include <string>
#include <vector>

namespace mf::cli {

struct Split {
  std::vector<std::string> ours;   // argv[1..] that belong to MeasureFlow
  std::vector<std::string> petsc;  // argv[0] + PETSc options with their values
};

// `--name value` pairs for flags listed in `with_value`; a single-dash token starts a PETSc option and
// a following token that does not start with '-' is its value.
Split split_arguments(int argc, char** argv, const std::vector<std::string>& with_value);

}  // namespace mf::cli
