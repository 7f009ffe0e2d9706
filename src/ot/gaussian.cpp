#include "measureflow/ot/gaussian.hpp"

#include <cmath>
#include <stdexcept>

namespace mf::ot {

namespace {
void check_square_pair(const Matrix& A, const Matrix& B, const char* who) {
  if (A.rows() != A.cols() || B.rows() != B.cols() || A.rows() != B.rows())
    throw std::invalid_argument(std::string(who) + ": covariances must be square and of equal size");
}
}  // namespace

double bures_squared(const Matrix& A, const Matrix& B) {
  check_square_pair(A, B, "bures_squared");
  const Matrix rA = sqrtm_spd(A);
  const Matrix cross = sqrtm_spd(symmetrize(rA * B * rA));
  // Round-off can push the value of equal matrices a hair below zero; a distance is never negative.
  return std::max(0.0, trace(A) + trace(B) - 2.0 * trace(cross));
}

double w2_squared_gaussian(const Vector& a, const Matrix& A, const Vector& b, const Matrix& B) {
  const Vector dm = a - b;
  return dot(dm, dm) + bures_squared(A, B);
}

Matrix brenier_map_matrix(const Matrix& A, const Matrix& B) {
  check_square_pair(A, B, "brenier_map_matrix");
  const Matrix rA = sqrtm_spd(A);
  const Matrix irA = inv_sqrtm_spd(A);
  return symmetrize(irA * sqrtm_spd(symmetrize(rA * B * rA)) * irA);
}

GaussianState mccann_interpolant(const GaussianState& g0, const GaussianState& g1, double t) {
  const int d = g0.cov.rows();
  const Matrix M = brenier_map_matrix(g0.cov, g1.cov);
  const Matrix L = (1.0 - t) * Matrix::identity(d) + t * M;
  return {(1.0 - t) * g0.mean + t * g1.mean, symmetrize(L * g0.cov * L)};
}

GaussianState flow_matching_path(const GaussianState& g0, const GaussianState& g1, double t) {
  return {(1.0 - t) * g0.mean + t * g1.mean, (1.0 - t) * (1.0 - t) * g0.cov + t * t * g1.cov};
}

Matrix flow_matching_field_matrix(const Matrix& S0, const Matrix& S1, double t) {
  check_square_pair(S0, S1, "flow_matching_field_matrix");
  const Matrix St = (1.0 - t) * (1.0 - t) * S0 + t * t * S1;
  return (-(1.0 - t) * S0 + t * S1) * inverse(St);
}

double entropic_ot_gaussian(const Vector& a, const Matrix& A, const Vector& b, const Matrix& B, double eps) {
  check_square_pair(A, B, "entropic_ot_gaussian");
  if (!(eps > 0.0)) throw std::invalid_argument("entropic_ot_gaussian: eps must be > 0");
  const int d = A.rows();
  const double s2 = 0.5 * eps;
  const Matrix rA = sqrtm_spd(A);
  const Matrix D = sqrtm_spd(symmetrize(4.0 * (rA * B * rA) + (s2 * s2) * Matrix::identity(d)));
  const Vector dm = a - b;
  return dot(dm, dm) + trace(A) + trace(B) - trace(D) + d * s2 * (1.0 - std::log(2.0 * s2)) +
         s2 * std::log(determinant(D + s2 * Matrix::identity(d)));
}

double sinkhorn_divergence_gaussian(const Vector& a, const Matrix& A, const Vector& b, const Matrix& B, double eps) {
  return entropic_ot_gaussian(a, A, b, B, eps) -
         0.5 * (entropic_ot_gaussian(a, A, a, A, eps) + entropic_ot_gaussian(b, B, b, B, eps));
}

}  // namespace mf::ot
