// A small fully connected network for the velocity: z = (τ, x̃) ∈ R^{d+1} (τ = 2t − 1, x̃ standardised)
// → two hidden layers of width h with SiLU activations → R^d, rescaled to data units:
//   v(t, x) = s⁻¹ ⊙ (W3 σ(W2 σ(W1 z + b1) + b2) + b3),   σ(u) = u / (1 + e^{−u}).
// All parameters live in one flat vector (W1, b1, W2, b2, W3, b3, row-major), so that a gradient is one
// vector to reduce over ranks and Adam is one loop. Forward and backward passes are Kokkos kernels over
// (row, unit) whose sums over rows run in row order: a slot's gradient is the same numbers on any rank.
#pragma once
#include <Kokkos_Core.hpp>

#include "fields/learned/linear_basis.hpp"
#include "measureflow/velocity_field.hpp"

namespace mf::fields::detail {

using Matrix = Kokkos::View<double**, Kokkos::LayoutRight>;
using Vector = Kokkos::View<double*>;

struct MlpShape {
  int dim = 0, width = 0;
  int in() const { return dim + 1; }
  int w1() const { return 0; }
  int b1() const { return w1() + width * in(); }
  int w2() const { return b1() + width; }
  int b2() const { return w2() + width * width; }
  int w3() const { return b2() + width; }
  int b3() const { return w3() + dim * width; }
  int parameters() const { return b3() + dim; }
  // Multiply-adds per row of one forward pass (the backward pass costs two of these).
  double forward_macs() const { return double(width) * in() + double(width) * width + double(dim) * width; }
};

// Activations of one batch of rows, kept for the backward pass.
struct MlpActivations {
  Matrix input, z1, a1, z2, a2, out;  // rows × (d+1), h, h, h, h, d
};

class MlpNetwork {
 public:
  MlpNetwork(MlpShape shape, Standardisation st, std::uint64_t seed);  // LeCun-normal weights, zero biases
  const MlpShape& shape() const { return shape_; }
  Vector& parameters() { return params_; }
  const Vector& parameters() const { return params_; }
  // Rows [r0, r0 + n) of (t, x): t(i) per row, or the constant t_const when t is empty.
  MlpActivations forward(const Vector& t, double t_const, const FieldPoints& x, int r0, int n) const;
  // Adds to grad the gradient of scale · Σ_i |out_i − y_i|² over the rows of `act` (y rows [r0, r0+n)),
  // and returns Σ_i |out_i − y_i|².
  double backward(const MlpActivations& act, const FieldPoints& y, int r0, double scale, const Vector& grad) const;

 private:
  MlpShape shape_;
  Standardisation st_;
  Vector params_;
};

class MlpField : public VelocityField {
 public:
  explicit MlpField(MlpNetwork net) : net_(std::move(net)) {}
  int dim() const override { return net_.shape().dim; }
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override;  // local

 private:
  MlpNetwork net_;
};

}  // namespace mf::fields::detail
