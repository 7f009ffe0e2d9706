#include "linear_closure.hpp"

#include <cmath>

#include "measureflow/ot/matrix_ode.hpp"

namespace mf::mean_field {

namespace {
constexpr double kRelTol = 1e-12;

// [[M, m], [mᵀ, 1]] with M = Σ + m mᵀ.
Matrix augmented(const Moments& m) {
  const int D = static_cast<int>(m.mean.size());
  Matrix P(D + 1, D + 1);
  for (int a = 0; a < D; ++a) {
    for (int c = 0; c < D; ++c) P(a, c) = m.cov(a, c) + m.mean[a] * m.mean[c];
    P(a, D) = P(D, a) = m.mean[a];
  }
  P(D, D) = 1.0;
  return P;
}

Moments from_augmented(const Matrix& P) {
  const int D = P.rows() - 1;
  Moments m;
  m.mass = 1.0;
  m.mean.assign(D, 0.0);
  m.cov = Matrix(D, D);
  for (int a = 0; a < D; ++a) m.mean[a] = P(a, D);
  for (int a = 0; a < D; ++a)
    for (int c = 0; c < D; ++c) m.cov(a, c) = P(a, c) - m.mean[a] * m.mean[c];
  m.cov = symmetrize(m.cov);
  return m;
}
}  // namespace

LinearNetworkClosure::LinearNetworkClosure(Matrix Szz, Matrix Syz, double trace_Syy)
    : Szz_(std::move(Szz)), Syz_(std::move(Syz)), trace_Syy_(trace_Syy) {}

Matrix LinearNetworkClosure::velocity_matrix(const Matrix& Mvu) const {
  const int din = d_in(), dout = d_out();
  const Matrix top = Szz_ * transpose(Mvu) - transpose(Syz_);  // S_zz M_UV − S_zy  (d_in × d_out)
  const Matrix bottom = Mvu * Szz_ - Syz_;                    // M_VU S_zz − S_yz  (d_out × d_in)
  Matrix B(din + dout, din + dout);
  for (int a = 0; a < din; ++a)
    for (int b = 0; b < dout; ++b) {
      B(a, din + b) = -2.0 * top(a, b);
      B(din + b, a) = -2.0 * bottom(b, a);
    }
  return B;
}

double LinearNetworkClosure::risk(const Matrix& Mvu) const {
  return trace(Mvu * Szz_ * transpose(Mvu)) - 2.0 * trace(Syz_ * transpose(Mvu)) + trace_Syy_;
}

Matrix LinearNetworkClosure::cross_moment(const Moments& m) const {
  const int din = d_in(), dout = d_out();
  Matrix Mvu(dout, din);
  for (int b = 0; b < dout; ++b)
    for (int a = 0; a < din; ++a) Mvu(b, a) = m.cov(din + b, a) + m.mean[din + b] * m.mean[a];
  return Mvu;
}

std::vector<Moments> LinearNetworkClosure::trajectory(const Moments& initial, const std::vector<double>& times) const {
  const int din = d_in(), dout = d_out(), D = din + dout;
  // P' = B̃ P + P B̃ᵀ with B̃ = B padded by a zero row and column: the top-right column gives m' = B m.
  const ot::MatrixField F = [this, din, dout, D](double, const Matrix& P) {
    Matrix Mvu(dout, din);
    for (int b = 0; b < dout; ++b)
      for (int a = 0; a < din; ++a) Mvu(b, a) = P(din + b, a);
    const Matrix B = velocity_matrix(Mvu);
    Matrix Bt(D + 1, D + 1);
    for (int a = 0; a < D; ++a)
      for (int c = 0; c < D; ++c) Bt(a, c) = B(a, c);
    const Matrix BP = Bt * P;
    return BP + transpose(BP);
  };
  std::vector<Moments> out;
  if (times.empty()) return out;
  std::vector<Matrix> path;
  ot::integrate_matrix_ode(F, augmented(initial), 0.0, times.back(), kRelTol, times, path);
  for (const Matrix& P : path) out.push_back(from_augmented(P));
  return out;
}

Moments LinearNetworkClosure::moments(const Moments& initial, double t) const {
  if (t <= 0.0) return initial;
  return trajectory(initial, {t}).back();
}

double balanced_scalar_cross_moment(double c, double Szz, double Syz, double t) {
  const double binf = Syz / Szz;
  return binf / (1.0 + (binf / c - 1.0) * std::exp(-4.0 * Syz * t));
}

}  // namespace mf::mean_field
