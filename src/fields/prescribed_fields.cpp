#include "measureflow/prescribed_fields.hpp"

#include <stdexcept>

namespace mf::fields {

LinearField make_linear_field(const Matrix& A, const Vector& b, const Matrix& A_rate) {
  LinearField f;
  f.dim = A.rows();
  if (f.dim < 1 || f.dim > 3 || A.cols() != f.dim || static_cast<int>(b.size()) != f.dim)
    throw std::invalid_argument("linear field needs A (d×d) and b (d) with d in 1..3");
  for (int i = 0; i < f.dim; ++i) {
    f.b[i] = b[i];
    for (int j = 0; j < f.dim; ++j) {
      f.A[i][j] = A(i, j);
      f.A_rate[i][j] = A_rate.rows() == f.dim ? A_rate(i, j) : 0.0;
    }
  }
  return f;
}

SwirlField make_swirl_field(int dim, const double* lower, const double* upper, double period) {
  if (dim < 2 || dim > 3) throw std::invalid_argument("the swirl field needs dim 2 or 3");
  SwirlField f;
  f.dim = dim;
  for (int a = 0; a < dim; ++a) {
    f.lower[a] = lower[a];
    f.length[a] = upper[a] - lower[a];
  }
  f.period = period;
  return f;
}

PrescribedField linear_prescribed_field(const Matrix& A, const Vector& b, const Matrix& A_rate) {
  PrescribedField v;
  v.kind = PrescribedField::Kind::Linear;
  v.A = A;
  v.b = b;
  v.A_rate = A_rate.rows() == A.rows() ? A_rate : Matrix(A.rows(), A.rows());
  v.linear = make_linear_field(v.A, v.b, v.A_rate);
  return v;
}

std::unique_ptr<VelocityField> make_velocity_field(const PrescribedField& field) {
  if (field.kind == PrescribedField::Kind::Linear) return std::make_unique<FunctorVelocityField<LinearField>>(field.linear);
  return std::make_unique<FunctorVelocityField<SwirlField>>(field.swirl);
}

}  // namespace mf::fields
