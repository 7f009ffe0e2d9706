// The prescribed fields of src/fields/: the batch interface (mf::VelocityField) gives the functors'
// values, the linear field is (A + t A_rate) x + b, and the swirl is divergence free, tangent to the
// box walls and reverses at half its period (what makes the measure return at t = T).
#include <gtest/gtest.h>

#include <cmath>

#include "measureflow/prescribed_fields.hpp"

using namespace mf;

namespace {

FieldPoints points(int n, int d) {
  FieldPoints x("x", n, d);
  for (int i = 0; i < n; ++i)
    for (int a = 0; a < d; ++a) x(i, a) = -0.9 + 1.7 * std::fmod(0.6180339887 * (i + 1) * (a + 2), 1.0);
  return x;
}

}  // namespace

TEST(PrescribedFields, LinearFieldIsTheAffineMapAtTimeT) {
  const Matrix A = Matrix::from_rows({{0.1, -1.0, 0.0}, {1.0, 0.2, 0.3}, {0.0, -0.4, -0.5}});
  const Matrix A_rate = Matrix::from_rows({{0.0, 0.6, 0.0}, {-0.3, -0.4, 0.1}, {0.2, 0.0, 0.0}});
  const Vector b{0.1, -0.2, 0.3};
  const fields::PrescribedField f = fields::linear_prescribed_field(A, b, A_rate);
  auto v = fields::make_velocity_field(f);
  ASSERT_EQ(v->dim(), 3);
  const FieldPoints x = points(17, 3);
  FieldPoints out("v", 17, 3);
  const double t = 0.7;
  v->evaluate(t, x, out);
  for (int i = 0; i < 17; ++i)
    for (int a = 0; a < 3; ++a) {
      double expected = b[a];
      for (int c = 0; c < 3; ++c) expected += (A(a, c) + t * A_rate(a, c)) * x(i, c);
      EXPECT_NEAR(out(i, a), expected, 1e-14) << i << " " << a;
    }
}

TEST(PrescribedFields, BatchInterfaceGivesTheFunctorValuesBitForBit) {
  const double lo[2] = {-1.0, -0.5}, hi[2] = {1.0, 1.5};
  fields::PrescribedField f;
  f.kind = fields::PrescribedField::Kind::Swirl;
  f.swirl = fields::make_swirl_field(2, lo, hi, 2.0);
  auto v = fields::make_velocity_field(f);
  const FieldPoints x = points(31, 2);
  FieldPoints out("v", 31, 2);
  v->evaluate(0.3, x, out);
  for (int i = 0; i < 31; ++i) {
    const double p[3] = {x(i, 0), x(i, 1), 0.0};
    for (int a = 0; a < 2; ++a) EXPECT_EQ(out(i, a), f.swirl.component(a, p, 0.3));
  }
}

TEST(PrescribedFields, SwirlIsDivergenceFreeTangentToTheWallsAndReverses) {
  for (int d : {2, 3}) {
    const double lo[3] = {-1.0, -0.5, 0.0}, hi[3] = {1.0, 1.5, 2.0};
    const fields::SwirlField s = fields::make_swirl_field(d, lo, hi, 2.0);
    // Central differences: the divergence is O(h²), far below the field's O(1) size.
    const double h = 1e-4;
    for (int k = 1; k < 9; ++k) {
      double x[3] = {lo[0] + 0.11 * k * (hi[0] - lo[0]), lo[1] + 0.07 * k * (hi[1] - lo[1]),
                     lo[2] + 0.09 * k * (hi[2] - lo[2])};
      double div = 0.0;
      for (int a = 0; a < d; ++a) {
        double xp[3] = {x[0], x[1], x[2]}, xm[3] = {x[0], x[1], x[2]};
        xp[a] += h;
        xm[a] -= h;
        div += (s.component(a, xp, 0.4) - s.component(a, xm, 0.4)) / (2 * h);
      }
      EXPECT_LT(std::abs(div), 1e-6) << "dim " << d << " point " << k;
      // At t = T/2 the field vanishes (it changes sign there), and v(t) = −v(T − t).
      EXPECT_LT(std::abs(s.component(0, x, 1.0)), 1e-15);
      EXPECT_NEAR(s.component(1, x, 0.3), -s.component(1, x, 1.7), 1e-14);
    }
    // Normal component on each wall.
    for (int a = 0; a < d; ++a)
      for (double wall : {lo[a], hi[a]}) {
        double x[3] = {0.3 * lo[0] + 0.7 * hi[0], 0.6 * lo[1] + 0.4 * hi[1], 0.2 * lo[2] + 0.8 * hi[2]};
        x[a] = wall;
        EXPECT_LT(std::abs(s.component(a, x, 0.2)), 1e-12) << "dim " << d << " axis " << a;
      }
  }
}
