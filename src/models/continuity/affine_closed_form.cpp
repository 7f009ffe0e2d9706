#include "affine_closed_form.hpp"

#include <cmath>

#include "measureflow/ot/matrix_ode.hpp"

namespace mf::continuity {

AffineMap affine_flow(const Matrix& A, const Vector& b, double t, const Matrix& A_rate) {
  const int d = A.rows();
  // Augmented generator G(s) = [[A + s A_rate, b], [0, 0]].
  auto generator = [&](double s) {
    Matrix g(d + 1, d + 1);
    for (int i = 0; i < d; ++i) {
      for (int j = 0; j < d; ++j) g(i, j) = A(i, j) + (A_rate.rows() == d ? s * A_rate(i, j) : 0.0);
      g(i, d) = b[i];
    }
    return g;
  };
  const bool constant = A_rate.rows() != d || frobenius_norm(A_rate) == 0.0;
  const Matrix e = constant ? expm(t * generator(0.0))
                            : ot::integrate_matrix_ode([&](double s, const Matrix& M) { return generator(s) * M; },
                                                       Matrix::identity(d + 1), 0.0, t, 1e-12);
  AffineMap m{Matrix(d, d), Vector(d)};
  for (int i = 0; i < d; ++i) {
    for (int j = 0; j < d; ++j) m.E(i, j) = e(i, j);
    m.c[i] = e(i, d);
  }
  return m;
}

AffineClosedForm::AffineClosedForm(std::shared_ptr<const Measure> initial, Matrix A, Vector b, Matrix A_rate)
    : initial_(std::move(initial)), A_(std::move(A)), b_(std::move(b)), A_rate_(std::move(A_rate)) {}

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
