// A time-dependent velocity field v(t, x) on R^d evaluated at a batch of points: the shared layer between
// the models that produce a field (prescribed, flow matching's exact / score / learned fields, a field
// recovered from observed densities) and the two transports that consume one (FV on grid faces, ODE
// integrators for particles). Implementations live in src/fields/ or in the model that owns the field.
#pragma once
#include <mpi.h>

#include <Kokkos_Core.hpp>

namespace mf {

// Rows are points (n_local × dim), row-major; the same layout as particle positions and tokens.
using FieldPoints = Kokkos::View<double**, Kokkos::LayoutRight>;

class VelocityField {
 public:
  virtual ~VelocityField() = default;
  virtual int dim() const = 0;
  // out(i, :) = v(t, x(i, :)) for every local row i. Collective over the field's communicator: a field
  // that sums over a distributed data set passes it around the ranks, so every rank must call evaluate
  // the same number of times (with its own, possibly empty, batch of points).
  virtual void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const = 0;
};

}  // namespace mf
