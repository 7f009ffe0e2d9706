// A trained field that is linear in its parameters: v(t, x) = Σ_a W_a φ_a(t, x) (affine, random features).
#pragma once
#include "fields/learned/linear_basis.hpp"
#include "measureflow/velocity_field.hpp"

namespace mf::fields::detail {

class LinearField : public VelocityField {
 public:
  LinearField(LinearBasis basis, Kokkos::View<double**, Kokkos::LayoutRight> weights)
      : basis_(std::move(basis)), weights_(std::move(weights)) {}
  int dim() const override { return basis_.dim; }
  // Local: no communication (the weights are the same on every rank).
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override;

 private:
  LinearBasis basis_;
  Kokkos::View<double**, Kokkos::LayoutRight> weights_;  // features × dim
};

}  // namespace mf::fields::detail
