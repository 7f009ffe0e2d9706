// The linear network σ(s) = s in closed form (survey Prop. 6.2, with its signs corrected): the velocity
//   −∇_{(u,v)} δf/δα = B (u, v),   B = −2 [[0, S_zz M_UV − S_zy], [M_VU S_zz − S_yz, 0]],
// is linear in (u, v) and depends on α only through the cross second moment M_VU = ∫ v uᵀ dα (the
// network's weight matrix, g_α(z) = M_VU z). So the first and second moments of ANY initial measure
// close: m' = B m and M' = B M + M Bᵀ (for a centred Gaussian this is the survey's eq. 23, and Gaussians
// stay Gaussian). The survey writes ∇_W f with a minus sign; the gradient is +2(...) and the velocity
// its negative (docs/mean_field.md derives it).
#pragma once
#include <optional>

#include "measureflow/moments.hpp"
#include "measureflow/small_matrix.hpp"
#include "training_data.hpp"

namespace mf::mean_field {

class LinearNetworkClosure {
 public:
  // Szz: d_in × d_in, Syz: d_out × d_in, trace_Syy = (1/N) Σ |y|².
  LinearNetworkClosure(Matrix Szz, Matrix Syz, double trace_Syy);
  // Moments (mean, covariance) at time t from `initial` at time 0, by the shared adaptive matrix-ODE
  // integrator on the augmented second moment [[M, m], [mᵀ, 1]] (relative tolerance 1e-12).
  Moments moments(const Moments& initial, double t) const;
  // Same, at each of `times` (ascending, ≥ 0).
  std::vector<Moments> trajectory(const Moments& initial, const std::vector<double>& times) const;
  // The velocity matrix B for a given cross moment M_VU (d_out × d_in).
  Matrix velocity_matrix(const Matrix& M_VU) const;
  // The risk of the network g(z) = M_VU z: tr(M_VU S_zz M_UV) − 2 tr(S_yz M_UV) + tr S_yy.
  double risk(const Matrix& M_VU) const;
  // Cross moment M_VU = Σ_VU + m_v m_uᵀ of a neuron measure with these moments.
  Matrix cross_moment(const Moments& m) const;
  int d_in() const { return Szz_.rows(); }
  int d_out() const { return Syz_.rows(); }

 private:
  Matrix Szz_, Syz_;
  double trace_Syy_;
};

// The scalar balanced case (d = d' = 1, u = v at start, Σ0 = c [[1, 1], [1, 1]], zero mean): u = v for
// all time and b = E[uv] solves b' = 4 b (S_yz − S_zz b), the logistic
//   b(t) = b∞ / (1 + (b∞/c − 1) e^{−4 S_yz t}),  b∞ = S_yz / S_zz.
double balanced_scalar_cross_moment(double c, double Szz, double Syz, double t);

}  // namespace mf::mean_field
