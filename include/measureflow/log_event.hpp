// PETSc log events named like the Kokkos kernel labels (mf::<module>::<verb>), all under one PETSc class
// "MeasureFlow", so `-log_view` lists the library's phases beside PETSc's own (KSP, SNES, VecScatter).
#pragma once
#include <petsclog.h>

namespace mf {

// The event registered under `name` (registered on first use; later calls return the same event).
// Not thread-safe on first use of a name; call from the host thread that drives MPI.
PetscLogEvent log_event(const char* name);

// Begins `name`'s event on construction and ends it on destruction (also when an exception leaves).
class ScopedLogEvent {
 public:
  explicit ScopedLogEvent(const char* name);
  ~ScopedLogEvent();
  ScopedLogEvent(const ScopedLogEvent&) = delete;
  ScopedLogEvent& operator=(const ScopedLogEvent&) = delete;

 private:
  PetscLogEvent event_;
};

}  // namespace mf
