// Grid-based Gauss transform (grid_gauss_transform.hpp): splat, then gather, through a lattice of spacing
// √(ε/8) on which the trapezoidal rule integrates the factored Gaussian to ~10⁻⁸ relative.
#include "grid_gauss_transform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mf::ot::detail {

namespace {
constexpr int kWidth = 2 * kGaussHalfWindow;  // lattice points per axis in one point's window
constexpr double kPi = 3.14159265358979323846;
}  // namespace

GridGaussTransform::GridGaussTransform(const Level& L, double eps, long long max_lattice_points)
    : L_(L), eps_(eps), delta_(std::sqrt(eps / 8.0)), dim_(L.dim) {
  total_ = 1;
  for (int a = 0; a < dim_; ++a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < L.n; ++i) {
      lo = std::min(lo, L.pos(i, a));
      hi = std::max(hi, L.pos(i, a));
    }
    // A margin of one window and a step on each side: every window lies inside the lattice.
    lower_[a] = lo - (kGaussHalfWindow + 1) * delta_;
    const double span = (hi - lo) / delta_;
    if (!(span < 1e9)) return;
    n_[a] = static_cast<long long>(std::ceil(span)) + 2 * kGaussHalfWindow + 4;
    total_ *= n_[a];
    if (total_ > max_lattice_points) return;
  }
  usable_ = true;
  grid_.assign(static_cast<std::size_t>(total_), 0.0);
}

int GridGaussTransform::factors(int a, double x, double* phi) const {
  const double u = (x - lower_[a]) / delta_;
  const int first = static_cast<int>(std::floor(u)) - (kGaussHalfWindow - 1);
  for (int k = 0; k < kWidth; ++k) {
    const double dz = x - (lower_[a] + (first + k) * delta_);
    phi[k] = std::exp(-2.0 * dz * dz / eps_);
  }
  return first;
}

bool GridGaussTransform::log_sums(const Real1& q, const Real1& out, int lo, int hi) const {
  if (!usable_) return false;
  // Shift so that the largest coefficient is 1: exp(q/ε) may be large, its range is not.
  double shift = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < L_.n; ++j) shift = std::max(shift, L_.lw(j) + q(j) / eps_);
  std::fill(grid_.begin(), grid_.end(), 0.0);
  const long long sx = 1, sy = n_[0], sz = n_[0] * n_[1];
  double phi[3][kWidth];
  int first[3] = {0, 0, 0};
  // Splat every point (all ranks alike, in index order: the same lattice bits on any rank count).
  for (int j = 0; j < L_.n; ++j) {
    const double c = std::exp(L_.lw(j) + q(j) / eps_ - shift);
    for (int a = 0; a < 3; ++a) {
      if (a < dim_) {
        first[a] = factors(a, L_.pos(j, a), phi[a]);
      } else {
        first[a] = 0;
        phi[a][0] = 1.0;
      }
    }
    const int wy = dim_ > 1 ? kWidth : 1, wz = dim_ > 2 ? kWidth : 1;
    for (int kz = 0; kz < wz; ++kz)
      for (int ky = 0; ky < wy; ++ky) {
        const double cyz = c * phi[1][ky] * phi[2][kz];
        double* row = grid_.data() + first[0] * sx + (first[1] + ky) * sy + (first[2] + kz) * sz;
        for (int kx = 0; kx < kWidth; ++kx) row[kx] += cyz * phi[0][kx];
      }
  }
  // Gather this rank's targets: (2π)^{−d/2} Σ_z φ(x_i − z) G(z) is Σ_j c_j exp(−|x_i − x_j|²/ε).
  const double norm = std::pow(2.0 * kPi, -0.5 * dim_);
  bool ok = true;
  for (int i = lo; i < hi; ++i) {
    for (int a = 0; a < 3; ++a) {
      if (a < dim_) {
        first[a] = factors(a, L_.pos(i, a), phi[a]);
      } else {
        first[a] = 0;
        phi[a][0] = 1.0;
      }
    }
    const int wy = dim_ > 1 ? kWidth : 1, wz = dim_ > 2 ? kWidth : 1;
    double s = 0.0;
    for (int kz = 0; kz < wz; ++kz)
      for (int ky = 0; ky < wy; ++ky) {
        const double* row = grid_.data() + first[0] * sx + (first[1] + ky) * sy + (first[2] + kz) * sz;
        double r = 0.0;
        for (int kx = 0; kx < kWidth; ++kx) r += phi[0][kx] * row[kx];
        s += r * phi[1][ky] * phi[2][kz];
      }
    s *= norm;
    if (!(s > 0.0) || !std::isfinite(s)) ok = false;
    out(i) = std::log(s) + shift;
  }
  return ok;
}

bool gauss_transform_pays(const Level& L, double eps, double truncation) {
  long long occupied = 0;
  for (long long b = 0; b < L.bins(); ++b) occupied += L.bin_start(b + 1) > L.bin_start(b);
  if (occupied == 0) return false;
  // Bins within the radius √((θ + 10)ε) of a point: the volume of that ball in bins. The kept radius² is
  // θε plus ε·log of the mass near the point (the absorbed potentials); +10ε matched the traced pairs per
  // row of the quickstart and linear_3d self terms within a factor 1.5.
  const double r2 = (truncation + 10.0) * eps;
  double ball = 1.0, bin = 1.0;
  switch (L.dim) {
    case 1: ball = 2.0 * std::sqrt(r2); break;
    case 2: ball = kPi * r2; break;
    default: ball = 4.0 / 3.0 * kPi * r2 * std::sqrt(r2); break;
  }
  // The bins' sides: the level's smallest side on every axis (a lower bound of the bin volume's root).
  for (int a = 0; a < L.dim; ++a) bin *= L.s_min;
  const double pairs_per_point = static_cast<double>(L.n) / static_cast<double>(occupied) * ball / bin;
  // Measured per point and sweep (2 ranks): a lattice entry costs about 0.75 ns and a window is splatted by
  // every rank and gathered by one (1.5 (2W)^d entries); a kept pair about 1 ns stored and 9 ns streamed,
  // plus its share of the stage's kernel builds. Half a window of pairs is where the transform starts to pay.
  return pairs_per_point > 0.5 * std::pow(static_cast<double>(kWidth), L.dim);
}

}  // namespace mf::ot::detail
