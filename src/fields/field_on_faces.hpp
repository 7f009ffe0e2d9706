// Any VelocityField as the face velocities of the finite-volume transport: the field is evaluated at
// the centres of this rank's owned faces (one batch per axis), so FvAdvection can carry a density with
// a field given only pointwise (flow matching's exact, score and learned fields, recovered fields).
#pragma once
#include "measureflow/fv_advection.hpp"
#include "measureflow/velocity_field.hpp"

namespace mf::fields {

class FieldOnFaces {
 public:
  // Both must outlive this object.
  FieldOnFaces(const Grid& grid, const VelocityField& field);
  // Normal components at every face of every used axis at time t. Collective over the field's
  // communicator (one evaluate per axis on every rank).
  void fill(double t, FaceVelocities& faces);
  // The adaptor as FvAdvection's fill callback.
  FaceVelocityFill as_fill();

 private:
  void build_points(const FaceVelocities& faces);
  const Grid& grid_;
  const VelocityField& field_;
  FieldPoints points_[3], values_[3];
  bool built_ = false;
};

}  // namespace mf::fields
