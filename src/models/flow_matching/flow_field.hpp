// What the sampling ODE and the grid transport need from a flow-matching field: the velocity, plus the
// denoiser E[X1 | x_t = x] = x + (1 − t)v_t(x), through which a field that is singular at t = 1 (the
// exact field of a point set) takes its last step.
#pragma once
#include <memory>

#include "measureflow/velocity_field.hpp"

namespace mf::flow_matching {

class FlowField : public VelocityField {
 public:
  // Default: x + (1 − t) v_t(x).
  virtual void posterior_mean(double t, const FieldPoints& x, const FieldPoints& out) const;
  // True when v_t blows up as t → 1 (point-set targets away from the data).
  virtual bool singular_at_one() const { return false; }
};

// Any VelocityField (e.g. a learned one) seen as a FlowField (regular at t = 1).
class WrappedField : public FlowField {
 public:
  explicit WrappedField(std::unique_ptr<VelocityField> field) : field_(std::move(field)) {}
  int dim() const override { return field_->dim(); }
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override { field_->evaluate(t, x, out); }

 private:
  std::unique_ptr<VelocityField> field_;
};

}  // namespace mf::flow_matching
