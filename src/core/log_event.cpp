#include "measureflow/log_event.hpp"

#include <map>
#include <string>

#include "measureflow/petsc_check.hpp"

namespace mf {

PetscLogEvent log_event(const char* name) {
  static PetscClassId cls = [] {
    PetscClassId c;
    PetscCallThrow(PetscClassIdRegister("MeasureFlow", &c));
    return c;
  }();
  static std::map<std::string, PetscLogEvent> events;
  auto it = events.find(name);
  if (it != events.end()) return it->second;
  PetscLogEvent e;
  PetscCallThrow(PetscLogEventRegister(name, cls, &e));
  events.emplace(name, e);
  return e;
}

ScopedLogEvent::ScopedLogEvent(const char* name) : event_(log_event(name)) {
  PetscCallThrow(PetscLogEventBegin(event_, 0, 0, 0, 0));
}

// A destructor must not throw: PetscCallVoid reports a failure through PETSc and returns.
ScopedLogEvent::~ScopedLogEvent() { PetscCallVoid(PetscLogEventEnd(event_, 0, 0, 0, 0)); }

}  // namespace mf
