#include "measureflow/petsc_check.hpp"

#include <stdexcept>

namespace mf {

void throw_petsc_error(PetscErrorCode code, const char* call, const char* file, int line) {
  const char* text = nullptr;
  PetscErrorMessage(code, &text, nullptr);
  throw std::runtime_error(std::string("PETSc error ") + std::to_string(static_cast<int>(code)) + " (" +
                           (text ? text : "unknown") + ") in " + call + " at " + file + ":" + std::to_string(line));
}

}  // namespace mf
