// The affine closed form of the continuity model: constant A by the augmented exponential, and a
// time-dependent A(t) = A + t A_rate by the matrix ODE, against flows known in closed form.
#include <gtest/gtest.h>

#include <cmath>

#include "models/continuity/affine_closed_form.hpp"

using namespace mf;
using continuity::affine_flow;

TEST(AffineFlow, ConstantRotationWithDrift) {
  const Matrix A = Matrix::from_rows({{0.0, -1.0}, {1.0, 0.0}});
  const double t = 0.9;
  const auto f = affine_flow(A, {0.3, 0.0}, t);
  EXPECT_NEAR(f.E(0, 0), std::cos(t), 1e-14);
  EXPECT_NEAR(f.E(1, 0), std::sin(t), 1e-14);
  // c = ∫_0^t R(s) b ds = 0.3 (sin t, 1 − cos t).
  EXPECT_NEAR(f.c[0], 0.3 * std::sin(t), 1e-14);
  EXPECT_NEAR(f.c[1], 0.3 * (1.0 - std::cos(t)), 1e-14);
}

TEST(AffineFlow, TimeDependentFieldMatchesCommutingExactFlow) {
  // A(t) = (1 + t) A0 commutes with itself at all times: E_t = exp((t + t²/2) A0).
  const Matrix A0 = Matrix::from_rows({{-0.4, -1.3}, {0.9, 0.1}});
  const double t = 1.3;
  const auto f = affine_flow(A0, {0.0, 0.0}, t, A0);
  const Matrix exact = expm((t + 0.5 * t * t) * A0);
  EXPECT_LT(frobenius_norm(f.E - exact), 1e-10 * frobenius_norm(exact));
  EXPECT_LT(norm2(f.c), 1e-14);
}

TEST(AffineFlow, TimeDependentDriftSolvesTheMeanOde) {
  // Scalar case: m' = (a + t r) m + b has the closed form via the integrating factor; check the
  // augmented ODE against a fine quadrature of c(t) = ∫_0^t e^{φ(t)−φ(s)} b ds, φ(s) = a s + r s²/2.
  const double a = -0.7, r = 0.5, b = 0.4, t = 1.1;
  const auto f = affine_flow(Matrix::from_rows({{a}}), {b}, t, Matrix::from_rows({{r}}));
  const auto phi = [&](double s) { return a * s + 0.5 * r * s * s; };
  double c = 0.0;
  const int n = 200000;
  for (int k = 0; k < n; ++k) {
    const double s = (k + 0.5) * t / n;
    c += std::exp(phi(t) - phi(s)) * b * t / n;
  }
  EXPECT_NEAR(f.E(0, 0), std::exp(phi(t)), 1e-11);
  EXPECT_NEAR(f.c[0], c, 1e-9);
}
