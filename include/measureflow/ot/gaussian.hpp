// Closed forms of optimal transport between Gaussians: the exact references of the whole code.
#pragma once
#include "measureflow/small_matrix.hpp"

namespace mf::ot {

// Squared Bures distance tr(A + B − 2(A^{1/2} B A^{1/2})^{1/2}) between covariances (survey Prop. 4.3).
double bures_squared(const Matrix& A, const Matrix& B);
// W2² between N(a, A) and N(b, B): |a − b|² + Bures².
double w2_squared_gaussian(const Vector& a, const Matrix& A, const Vector& b, const Matrix& B);
// M with Brenier map T(x) = m1 + M (x − m0): M = A^{-1/2}(A^{1/2} B A^{1/2})^{1/2} A^{-1/2}. A must be SPD.
Matrix brenier_map_matrix(const Matrix& A, const Matrix& B);

struct GaussianState {
  Vector mean;
  Matrix cov;
};

// McCann displacement interpolant ((1−t) Id + t T)_# N(m0, Σ0).
GaussianState mccann_interpolant(const GaussianState& g0, const GaussianState& g1, double t);
// Flow-matching path of the independent coupling: mean (1−t)m0 + t m1, Σ_t = (1−t)²Σ0 + t²Σ1.
GaussianState flow_matching_path(const GaussianState& g0, const GaussianState& g1, double t);
// A_t = (−(1−t)Σ0 + tΣ1) Σ_t⁻¹: the linear part of the flow-matching field (survey Prop. 3.2).
Matrix flow_matching_field_matrix(const Matrix& S0, const Matrix& S1, double t);
// OT_ε = min ∫|x−y|² dπ + ε KL(π | α⊗β) between N(a, A) and N(b, B), Janati–Muzellec–Peyré–Cuturi
// (2020) closed form with σ² = ε/2.
double entropic_ot_gaussian(const Vector& a, const Matrix& A, const Vector& b, const Matrix& B, double eps);
// Debiased Sinkhorn divergence OT_ε(α,β) − (OT_ε(α,α) + OT_ε(β,β))/2 between the two Gaussians.
double sinkhorn_divergence_gaussian(const Vector& a, const Matrix& A, const Vector& b, const Matrix& B, double eps);

}  // namespace mf::ot
