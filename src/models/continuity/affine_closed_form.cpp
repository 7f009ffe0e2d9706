#include "affine_closed_form.hpp"

#include <cmath>

namespace mf::continuity {

AffineMap affine_flow(const Matrix& A, const Vector& b, double t) {
  const int d = A.rows();
  Matrix gen(d + 1, d + 1);
  for (int i = 0; i < d; ++i) {
    for (int j = 0; j < d; ++j) gen(i, j) = t * A(i, j);
    gen(i, d) = t * b[i];
  }
  const Matrix e = expm(gen);
  AffineMap m{Matrix(d, d), Vector(d)};
  for (int i = 0; i < d; ++i) {
    for (int j = 0; j < d; ++j) m.E(i, j) = e(i, j);
    m.c[i] = e(i, d);
  }
  return m;
}

AffineClosedForm::AffineClosedForm(std::shared_ptr<const Measure> initial, Matrix A, Vector b)
    : initial_(std::move(initial)), A_(std::move(A)), b_(std::move(b)) {}

Moments AffineClosedForm::push_forward(double t, const Moments& m0) const {
  const AffineMap f = map(t);
  return Moments{m0.mass, f.E * m0.mean + f.c, f.E * m0.cov * transpose(f.E)};
}

std::optional<Moments> AffineClosedForm::moments(double t) const {
  const auto m0 = initial_->exact_moments();
  if (!m0) return std::nullopt;
  return push_forward(t, *m0);
}

double AffineClosedForm::density(const AffineMap& f, const Matrix& inverse_E, double det_E, const double* x) const {
  const int d = f.E.rows();
  double y[64];
  for (int i = 0; i < d; ++i) {
    y[i] = 0.0;
    for (int j = 0; j < d; ++j) y[i] += inverse_E(i, j) * (x[j] - f.c[j]);
  }
  return initial_->density(y) / std::abs(det_E);
}

}  // namespace mf::continuity
