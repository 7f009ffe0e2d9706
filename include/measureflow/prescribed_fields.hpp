// Prescribed velocity fields v(x, t) given in closed form (deck `velocity:`): device-copyable functors
// with component(axis, x, t), used by the kernels of both transports (FV faces, particle integrators),
// and the same fields behind the batch interface mf::VelocityField.
#pragma once
#include <memory>

#include "measureflow/kokkos_math.hpp"
#include "measureflow/small_matrix.hpp"
#include "measureflow/velocity_field.hpp"

namespace mf::fields {

// v(x, t) = (A + t A_rate) x + b.
struct LinearField {
  int dim = 1;
  double A[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  double A_rate[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  double b[3] = {0, 0, 0};
  KOKKOS_INLINE_FUNCTION double component(int a, const double x[3], double t) const {
    double v = b[a];
    for (int c = 0; c < dim; ++c) v += (A[a][c] + t * A_rate[a][c]) * x[c];
    return v;
  }
};
LinearField make_linear_field(const Matrix& A, const Vector& b, const Matrix& A_rate = Matrix());

// LeVeque's swirling deformation flow on the domain box mapped to the unit square/cube, modulated by
// cos(π t / T): the flow reverses at t = T/2 and the measure returns to its initial state at t = T.
// 2D: u = sin²(πξ) sin(2πη), v = −sin²(πη) sin(2πξ); 3D: LeVeque's three-component version.
// Divergence free, and the normal velocity vanishes on the box walls.
struct SwirlField {
  int dim = 2;
  double lower[3] = {0, 0, 0};
  double length[3] = {1, 1, 1};
  double period = 1.0;
  KOKKOS_INLINE_FUNCTION double component(int a, const double x[3], double t) const {
    constexpr double pi = 3.14159265358979323846;
    double s[3], s2[3], c2[3];
    for (int c = 0; c < 3; ++c) {
      const double xi = c < dim ? (x[c] - lower[c]) / length[c] : 0.0;
      s[c] = kmath::sin(pi * xi);
      s2[c] = s[c] * s[c];
      c2[c] = kmath::sin(2.0 * pi * xi);
    }
    const double mod = kmath::cos(pi * t / period);
    double u = 0.0;
    if (dim == 2) {
      u = a == 0 ? s2[0] * c2[1] : -s2[1] * c2[0];
    } else {
      if (a == 0) u = 2.0 * s2[0] * c2[1] * c2[2];
      if (a == 1) u = -c2[0] * s2[1] * c2[2];
      if (a == 2) u = -c2[0] * c2[1] * s2[2];
    }
    return length[a] * u * mod;
  }
};
// The swirl on the box [lower, upper] (dim 2 or 3) with period T.
SwirlField make_swirl_field(int dim, const double* lower, const double* upper, double period);

// One of the prescribed fields, as a deck chooses it. Kernels are instantiated per concrete field
// through visit(), so the inner loops see the functor, not a virtual call.
struct PrescribedField {
  enum class Kind { Linear, Swirl } kind = Kind::Linear;
  LinearField linear;
  SwirlField swirl;
  Matrix A;       // linear: the matrices, kept for the closed form (affine push-forward)
  Vector b;
  Matrix A_rate;  // linear: A(t) = A + t A_rate
  template <class F>
  void visit(F&& f) const {
    if (kind == Kind::Linear)
      f(linear);
    else
      f(swirl);
  }
};
PrescribedField linear_prescribed_field(const Matrix& A, const Vector& b, const Matrix& A_rate = Matrix());

// A functor field behind the batch interface: out(i, :) = v(t, x(i, :)). Purely local (no communication).
template <class Field, class ExecSpace = Kokkos::DefaultExecutionSpace>
class FunctorVelocityField : public VelocityField {
 public:
  explicit FunctorVelocityField(const Field& field) : field_(field) {}
  int dim() const override { return field_.dim; }
  void evaluate(double t, const FieldPoints& x, const FieldPoints& out) const override {
    const Field field = field_;
    const int d = field_.dim;
    Kokkos::parallel_for(
        "mf::fields::evaluate", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
          double p[3] = {0, 0, 0};
          for (int a = 0; a < d; ++a) p[a] = x(i, a);
          for (int a = 0; a < d; ++a) out(i, a) = field.component(a, p, t);
        });
    Kokkos::fence();
  }

 private:
  Field field_;
};

// The prescribed field as an mf::VelocityField (for consumers that take any field).
std::unique_ptr<VelocityField> make_velocity_field(const PrescribedField& field);

}  // namespace mf::fields
