// Checked PETSc calls in C++ code: an error code becomes an exception naming the call site.
// Debian's PETSc is configured for C, so PETSc's own PetscCallThrow (C++ builds only) is absent; we
// provide the same macro with the same meaning.
#pragma once
#include <petscsys.h>

#include <string>

namespace mf {
[[noreturn]] void throw_petsc_error(PetscErrorCode code, const char* call, const char* file, int line);
}

#ifndef PetscCallThrow
#define PetscCallThrow(...)                                                               \
  do {                                                                                    \
    const PetscErrorCode mf_petsc_ierr_ = (__VA_ARGS__);                                  \
    if (PetscUnlikely(mf_petsc_ierr_))                                                    \
      ::mf::throw_petsc_error(mf_petsc_ierr_, #__VA_ARGS__, __FILE__, __LINE__);          \
  } while (0)
#endif
