// Dense small-matrix kernels against identities that hold exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "measureflow/small_matrix.hpp"

using mf::Matrix;

TEST(SmallMatrix, ExpmOfRotationGeneratorIsRotation) {
  const Matrix a = Matrix::from_rows({{0.0, -1.0}, {1.0, 0.0}});
  const double t = 0.7;
  const Matrix r = mf::expm(t * a);
  EXPECT_NEAR(r(0, 0), std::cos(t), 1e-14);
  EXPECT_NEAR(r(0, 1), -std::sin(t), 1e-14);
  EXPECT_NEAR(r(1, 0), std::sin(t), 1e-14);
}

TEST(SmallMatrix, ExpmLargeNormUsesSquaring) {
  const Matrix a = Matrix::from_rows({{-3.0, 0.0}, {0.0, 2.5}});
  const Matrix e = mf::expm(a);
  EXPECT_NEAR(e(0, 0) / std::exp(-3.0), 1.0, 1e-13);
  EXPECT_NEAR(e(1, 1) / std::exp(2.5), 1.0, 1e-13);
}

TEST(SmallMatrix, SqrtAndInverseSqrt) {
  const Matrix a = Matrix::from_rows({{4.0, 1.0, 0.5}, {1.0, 3.0, 0.2}, {0.5, 0.2, 2.0}});
  const Matrix s = mf::sqrtm_spd(a);
  EXPECT_LT(mf::frobenius_norm(s * s - a), 1e-13);
  EXPECT_LT(mf::frobenius_norm(mf::inv_sqrtm_spd(a) * s - Matrix::identity(3)), 1e-13);
  EXPECT_LT(mf::frobenius_norm(mf::inverse(a) * a - Matrix::identity(3)), 1e-13);
  const Matrix l = mf::cholesky(a);
  EXPECT_LT(mf::frobenius_norm(l * mf::transpose(l) - a), 1e-13);
  EXPECT_NEAR(mf::determinant(a), 4 * (6 - 0.04) - 1 * (2 - 0.1) + 0.5 * (0.2 - 1.5), 1e-12);
}

TEST(SmallMatrix, RejectsIndefinite) {
  const Matrix a = Matrix::from_rows({{1.0, 2.0}, {2.0, 1.0}});
  EXPECT_FALSE(mf::is_spd(a));
  EXPECT_THROW(mf::cholesky(a), std::domain_error);
  EXPECT_THROW(mf::inv_sqrtm_spd(a), std::domain_error);
  EXPECT_FALSE(mf::is_spd(Matrix::from_rows({{1.0, 0.5}, {0.0, 1.0}})));
}
