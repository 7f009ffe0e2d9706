#include "gaussian_closure.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace mf::transformer {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

GaussianState axpy(const GaussianState& y, double h, const GaussianState& k) {
  return {y.m + h * k.m, y.S + h * k.S};
}

double norm(const GaussianState& s) { return std::sqrt(norm2(s.m) * norm2(s.m) + std::pow(frobenius_norm(s.S), 2)); }

GaussianState rk4_step(const AttentionLayer& l, const GaussianState& y, double h) {
  const GaussianState k1 = closure_rhs(l, y);
  const GaussianState k2 = closure_rhs(l, axpy(y, 0.5 * h, k1));
  const GaussianState k3 = closure_rhs(l, axpy(y, 0.5 * h, k2));
  const GaussianState k4 = closure_rhs(l, axpy(y, h, k3));
  GaussianState out = y;
  out.m = y.m + (h / 6.0) * (k1.m + 2.0 * k2.m + 2.0 * k3.m + k4.m);
  out.S = y.S + (h / 6.0) * (k1.S + 2.0 * k2.S + 2.0 * k3.S + k4.S);
  out.S = symmetrize(out.S);
  return out;
}

bool finite(const GaussianState& s) {
  for (double v : s.m)
    if (!std::isfinite(v)) return false;
  for (int i = 0; i < s.S.rows() * s.S.cols(); ++i)
    if (!std::isfinite(s.S.data()[i])) return false;
  return true;
}

}  // namespace

GaussianState closure_rhs(const AttentionLayer& l, const GaussianState& s) {
  const Matrix KtQ = transpose(l.K) * l.Q;
  const Matrix A = l.V * s.S * KtQ;  // Γ(x) = A x + V m − ... : the affine attention field's matrix
  GaussianState d;
  d.m = l.V * (s.m + s.S * (KtQ * s.m));
  d.S = A * s.S + s.S * transpose(A);
  return d;
}

GaussianState layer_map_step(const AttentionLayer& l, const GaussianState& s, double h) {
  const Matrix A = Matrix::identity(static_cast<int>(s.m.size())) + h * (l.V * s.S * (transpose(l.K) * l.Q));
  return {A * s.m + h * (l.V * s.m), A * s.S * transpose(A)};
}

ClosureResult closure_rk4_integrate(const std::vector<AttentionLayer>& layers, const GaussianState& s0, double t0,
                                    double t1, double rtol, double blowup_factor) {
  ClosureResult r{s0, t0, false, 0};
  const double tr0 = trace(s0.S);
  double t = t0;
  double h = std::min(1e-3, t1 - t0);
  GaussianState y = s0;
  long rejected = 0;
  constexpr long kMaxSteps = 50000;
  while (t < t1) {
    const AttentionLayer& l = layer_at(layers, t);
    const double stop = std::min(t1, next_layer_change(layers, t));
    const double hs = std::min(h, stop - t);
    const GaussianState big = rk4_step(l, y, hs);
    const GaussianState half = rk4_step(l, rk4_step(l, y, 0.5 * hs), 0.5 * hs);
    GaussianState diff = axpy(half, -1.0, big);
    const double err = finite(half) && finite(big) ? norm(diff) / (15.0 * std::max(norm(half), 1e-300)) : kInf;
    if (!(err <= rtol)) ++rejected;
    if (err <= rtol) {
      y = axpy(half, 1.0 / 15.0, diff);  // Richardson: fifth order
      t = (hs == stop - t) ? stop : t + hs;
      ++r.steps;
      if (!finite(y) || trace(y.S) > blowup_factor * tr0) {
        r.blew_up = true;
        break;
      }
    }
    const double grow = err > 0.0 ? 0.9 * std::pow(rtol / err, 0.2) : 4.0;
    h = hs * std::clamp(grow, 0.2, 4.0);
    if (h < 1e-15 * std::max(1.0, std::fabs(t))) {  // the step collapsed: a singularity at t
      r.blew_up = true;
      break;
    }
    // A stiff stretch (tr Σ ~ 1e9 tr Σ0 with a fast rotation, seen on random d = 16 layers) keeps the
    // error estimate at the rounding level, so the step hovers near 1e-9 without collapsing and t creeps
    // forever. A smooth segment takes a few thousand steps: past kMaxSteps give up and say so.
    if (r.steps + rejected > kMaxSteps) {
      r.stalled = true;
      break;
    }
  }
  r.state = y;
  r.t_reached = t;
  return r;
}

bool identity_values(const std::vector<AttentionLayer>& layers) {
  for (const auto& l : layers) {
    const Matrix I = Matrix::identity(l.V.rows());
    if (frobenius_norm(l.V - I) != 0.0) return false;
  }
  return !layers.empty();
}

namespace {

// First zero of λ_min(P − s B) for s > 0 (P SPD): 1/λ_max(P^{-1/2} B P^{-1/2}), infinity if none.
double first_singular(const Matrix& P, const Matrix& B) {
  const Matrix R = inv_sqrtm_spd(P);
  const double lmax = symmetric_eigen(symmetrize(R * B * R)).values.back();
  return lmax > 0.0 ? 1.0 / lmax : kInf;
}

}  // namespace

double identity_value_blowup_time(const std::vector<AttentionLayer>& layers, const Matrix& S0) {
  Matrix P = inverse(S0);
  double t = 0.0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Matrix M = transpose(layers[i].K) * layers[i].Q;
    const Matrix B = M + transpose(M);
    const double end = i + 1 < layers.size() ? layers[i].t_end : kInf;
    const double s = first_singular(symmetrize(P), B);
    if (t + s < end) return t + s;
    if (!std::isfinite(end)) break;
    P = P - (end - t) * B;
    t = end;
  }
  return kInf;
}

std::optional<Matrix> identity_value_covariance(const std::vector<AttentionLayer>& layers, const Matrix& S0, double t) {
  if (t >= identity_value_blowup_time(layers, S0)) return std::nullopt;
  Matrix P = inverse(S0);
  double s = 0.0;
  for (size_t i = 0; i < layers.size() && s < t; ++i) {
    const double end = i + 1 < layers.size() ? std::min(layers[i].t_end, t) : t;
    const Matrix M = transpose(layers[i].K) * layers[i].Q;
    P = P - (end - s) * (M + transpose(M));
    s = end;
  }
  return symmetrize(inverse(symmetrize(P)));
}

double blowup_time_from_trajectory(const std::vector<double>& times, const std::vector<Matrix>& covs) {
  const size_t n = times.size();
  if (n < 2 || covs.size() != n) throw std::invalid_argument("blowup_time_from_trajectory: need >= 2 samples");
  double tm = 0.0;
  for (double t : times) tm += t / n;
  std::vector<Matrix> P(n);
  for (size_t k = 0; k < n; ++k) P[k] = symmetrize(inverse(covs[k]));
  const int d = covs[0].rows();
  Matrix Pm(d, d), slope(d, d);
  for (size_t k = 0; k < n; ++k) Pm = Pm + (1.0 / n) * P[k];
  double stt = 0.0;
  for (size_t k = 0; k < n; ++k) {
    slope = slope + (times[k] - tm) * (P[k] - Pm);
    stt += (times[k] - tm) * (times[k] - tm);
  }
  const Matrix B = (-1.0 / stt) * slope;  // P(t) ≈ P0 − t B
  const Matrix P0 = Pm + tm * B;
  if (!is_spd(symmetrize(P0))) return kInf;
  return first_singular(symmetrize(P0), symmetrize(B));
}

}  // namespace mf::transformer
