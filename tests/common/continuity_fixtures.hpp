// Building blocks for continuity tests that do not go through a deck.
#pragma once
#include <memory>

#include "measureflow/measures.hpp"
#include "models/continuity/continuity_views.hpp"

namespace mf::testing {

inline fields::PrescribedField linear_velocity(const Matrix& A, const Vector& b) {
  return fields::linear_prescribed_field(A, b);
}

inline GridSpec box_grid(int dim, double lo, double hi, PetscInt n, Boundary bc) {
  GridSpec g;
  g.dim = dim;
  for (int a = 0; a < dim; ++a) {
    g.lower[a] = lo;
    g.upper[a] = hi;
    g.cells[a] = n;
  }
  g.boundary = bc;
  return g;
}

inline MeasureSpec gaussian_spec(const Vector& mean, const Matrix& cov) {
  MeasureSpec s;
  s.type = "gaussian";
  s.dim = static_cast<int>(mean.size());
  s.mean = mean;
  s.cov = cov;
  return s;
}

}  // namespace mf::testing
