// Cross sums between a lattice cloud and any cloud by window contractions (grid_cross_transform.hpp).
#include "grid_cross_transform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grid_gauss_transform.hpp"
#include "row_kernels.hpp"

namespace mf::ot::detail {

namespace {

// A sum is usable when it is a normal positive number: a subnormal one has lost its relative precision.
bool normal_positive(double s) { return s >= std::numeric_limits<double>::min() && std::isfinite(s); }

// Σ_k f[k]·g[k] in a fixed order (four interleaved partial sums, then the tail): vectorisable without
// reassociation, so the bits do not depend on the arrays' alignment, hence not on the rank.
double dot(const double* f, const double* g, int len) {
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  int k = 0;
  for (; k + 4 <= len; k += 4) {
    a0 += f[k] * g[k];
    a1 += f[k + 1] * g[k + 1];
    a2 += f[k + 2] * g[k + 2];
    a3 += f[k + 3] * g[k + 3];
  }
  for (; k < len; ++k) a0 += f[k] * g[k];
  return (a0 + a1) + (a2 + a3);
}

// The largest log-coefficient log w_j + p_j/ε over a level: the log-sum-exp shift.
double largest(const Level& L, const Real1& p, double eps) {
  double s = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < L.n; ++j) s = std::max(s, L.lw(j) + p(j) / eps);
  return s;
}

}  // namespace

GridCrossTransform::GridCrossTransform(const Level& X, const Level& Y, double eps, double cut, long long max_box_cells)
    : X_(X), Y_(Y), eps_(eps) {
  if (X.dim != Y.dim || X.n == 0 || Y.n == 0 || !(eps > 0.0) || !(cut > 0.0)) return;
  const OwnLattice o = own_lattice(X);
  if (!o.ok) return;
  const int d = X.dim;
  double rho[3] = {0.0, 0.0, 0.0};
  for (int a = 0; a < d; ++a) {
    origin_[a] = o.origin[a];
    h_[a] = o.h[a];
    first_[a] = o.first[a];
    n_[a] = o.count[a];
    rho[a] = std::sqrt(cut * eps) / h_[a] + 0.5 * std::sqrt(static_cast<double>(d));
    R_[a] = static_cast<int>(std::floor(rho[a]));
  }
  width_ = padded_width(2 * R_[0] + 1);
  pad_ = 2 * R_[0];
  row_ = pad_ + n_[0] + width_ - 1;
  total_ = row_ * n_[1] * n_[2];
  if (total_ > max_box_cells) return;
  // The ellipse of the rows: the y half-width per z offset, for the full radii and for the radii less one layer.
  for (int shrink = 0; shrink < 2; ++shrink) {
    double r[3];
    for (int a = 0; a < 3; ++a) r[a] = a < d ? std::max(rho[a] - shrink, 0.0) : 0.0;
    auto part = [&](int k, int a) { return k == 0 ? 0.0 : (r[a] > 0.0 ? (k / r[a]) * (k / r[a]) : 2.0); };
    ylo_[shrink].assign(2 * R_[2] + 1, 1);
    yhi_[shrink].assign(2 * R_[2] + 1, 0);
    for (int dz = -R_[2]; dz <= R_[2]; ++dz) {
      const double left = 1.0 - part(dz, 2);
      if (left < 0.0) continue;
      const int w = std::min(R_[1], static_cast<int>(std::floor(r[1] * std::sqrt(left))));
      ylo_[shrink][dz + R_[2]] = R_[1] - w;
      yhi_[shrink][dz + R_[2]] = R_[1] + w;
    }
  }
  // The outermost layer's rows at full width: those of the whole window below and above the inner window's rows
  // in each layer (all of them where the inner window has none).
  for (int b = 0; b < 2; ++b) {
    band_lo_[b].assign(2 * R_[2] + 1, 1);
    band_hi_[b].assign(2 * R_[2] + 1, 0);
  }
  for (int k = 0; k <= 2 * R_[2]; ++k) {
    const bool inner = ylo_[1][k] <= yhi_[1][k];
    band_lo_[0][k] = ylo_[0][k];
    band_hi_[0][k] = inner ? ylo_[1][k] - 1 : yhi_[0][k];
    if (inner) {
      band_lo_[1][k] = yhi_[1][k] + 1;
      band_hi_[1][k] = yhi_[0][k];
    }
  }
  for (int a = 0; a < 3; ++a) {
    const int W = 2 * R_[a] + 1, stored = a == 0 ? width_ : W;
    start_[a].assign(Y.n, 0);
    fac_[a].assign(static_cast<std::size_t>(Y.n) * stored, a == 0 ? 0.0 : 1.0);
    if (a >= d) continue;
    for (int j = 0; j < Y.n; ++j) {
      // The particle's nearest cell centre, in box indices (far outliers: no lattice worth building).
      const double u = (Y.pos(j, a) - origin_[a]) / h_[a] - first_[a];
      if (!(std::fabs(u) < 1e8)) return;
      start_[a][j] = static_cast<int>(std::floor(u + 0.5)) - R_[a];
      double* phi = fac_[a].data() + static_cast<std::size_t>(j) * stored;
      for (int k = 0; k < W; ++k) {
        const double dx = origin_[a] + (first_[a] + start_[a][j] + k) * h_[a] - Y.pos(j, a);
        phi[k] = std::exp(-dx * dx / eps);
      }
    }
  }
  G_.assign(static_cast<std::size_t>(total_), 0.0);
  line_.resize(width_);
  masked_.resize(width_);
  for (auto& w : weighted_) w.resize(std::max(width_, 2 * std::max(R_[1], R_[2]) + 1));
  usable_ = true;
}

long long GridCrossTransform::window_cells() const {
  long long rows = 0;
  for (std::size_t k = 0; k < ylo_[0].size(); ++k) rows += std::max(0, yhi_[0][k] - ylo_[0][k] + 1);
  return rows * (2 * R_[0] + 1);
}

long long GridCrossTransform::box_index(int i) const {
  int k[3] = {0, 0, 0};
  for (int a = 0; a < X_.dim; ++a) k[a] = X_.coord(i, a) - first_[a];
  return at(k[0], k[1], k[2]);
}

RowWindow GridCrossTransform::window(int j, const int* ylo, const int* yhi, const int* lo, const int* hi) const {
  const int sy = start_[1][j], sz = start_[2][j];
  RowWindow w;
  w.ylo = ylo;
  w.yhi = yhi;
  w.kz_lo = std::max(0, lo[2] - sz);
  w.kz_hi = std::min(2 * R_[2], hi[2] - sz);
  w.ky_min = std::max(0, lo[1] - sy);
  w.ky_max = std::min(2 * R_[1], hi[1] - sy);
  w.first = at(start_[0][j], sy, sz);
  w.row = row_;
  w.layer = row_ * n_[1];
  w.width = width_;
  return w;
}

const double* GridCrossTransform::x_factors(int j, int shrink) const {
  const double* f0 = factor(0, j);
  if (shrink == 0) return f0;
  std::copy(f0, f0 + width_, masked_.begin());
  masked_[0] = 0.0;
  masked_[2 * R_[0]] = 0.0;
  return masked_.data();
}

double GridCrossTransform::contract(int j, int shrink, const double* f0, const double* f1, const double* f2) const {
  // The rows, weighted by φ_2 φ_1, summed into one line along x (vector rows of width_ cells), then one dot
  // product with φ_0 (zero on the padding and, for shrink = 1, on the two end cells).
  if (!meets_box(j)) return 0.0;
  const int lo[3] = {0, 0, 0}, hi[3] = {n_[0] - 1, n_[1] - 1, n_[2] - 1};
  window_line(G_.data(), window(j, shrink, lo, hi), f1, f2, line_.data());
  return dot(f0, line_.data(), width_);
}

double GridCrossTransform::contract_outer_layer(int j) const {
  if (!meets_box(j)) return 0.0;
  const int lo[3] = {0, 0, 0}, hi[3] = {n_[0] - 1, n_[1] - 1, n_[2] - 1};
  const double *f0 = factor(0, j), *f1 = factor(1, j), *f2 = factor(2, j);
  double s = 0.0;
  for (int b = 0; b < 2; ++b) {
    window_line(G_.data(), window(j, band_lo_[b].data(), band_hi_[b].data(), lo, hi), f1, f2, line_.data());
    s += dot(f0, line_.data(), width_);
  }
  double ends[2];
  window_ends_line(G_.data(), window(j, 1, lo, hi), f1, f2, 2 * R_[0], ends);
  return s + (f0[0] * ends[0] + end_factor(f0) * ends[1]);
}

void GridCrossTransform::spread_outer_layer(int j, double c, const int* lo, const int* hi) const {
  const double *f0 = factor(0, j), *f1 = factor(1, j), *f2 = factor(2, j);
  for (int b = 0; b < 2; ++b)
    window_spread(G_.data(), window(j, band_lo_[b].data(), band_hi_[b].data(), lo, hi), f1, f2, c, f0);
  window_ends_spread(G_.data(), window(j, 1, lo, hi), f1, f2, c, 2 * R_[0], f0[0], end_factor(f0));
}

double GridCrossTransform::fill_cells(const Real1& f) const {
  const double shift = largest(X_, f, eps_);
  std::fill(G_.begin(), G_.end(), 0.0);
  for (int i = 0; i < X_.n; ++i) G_[box_index(i)] = std::exp(X_.lw(i) + f(i) / eps_ - shift);
  return shift;
}

bool GridCrossTransform::log_sums_at_y(const Real1& f, const Real1& out, int lo, int hi, int part) const {
  if (!usable_) return false;
  const double shift = fill_cells(f);
  bool ok = true;
  for (int j = lo; j < hi; ++j) {
    const double s = part == kOuterLayer ? contract_outer_layer(j) : contract(j, part, x_factors(j, part), factor(1, j), factor(2, j));
    if (part != kOuterLayer && !normal_positive(s)) ok = false;
    out(j) = std::log(s) + shift;
  }
  return ok;
}

bool GridCrossTransform::log_sums_at_x(const Real1& g, const Real1& out, int lo, int hi, int part) const {
  if (!usable_) return false;
  if (hi <= lo) return true;
  const double shift = largest(Y_, g, eps_);
  // Only the layers of the outermost axis that hold this rank's cells (a contiguous part of the box).
  const int o = X_.dim - 1;
  int clip_lo[3] = {0, 0, 0}, clip_hi[3] = {n_[0] - 1, n_[1] - 1, n_[2] - 1};
  clip_lo[o] = std::numeric_limits<int>::max();
  clip_hi[o] = std::numeric_limits<int>::min();
  for (int i = lo; i < hi; ++i) {
    clip_lo[o] = std::min(clip_lo[o], X_.coord(i, o) - first_[o]);
    clip_hi[o] = std::max(clip_hi[o], X_.coord(i, o) - first_[o]);
  }
  // The layers along z (3D), or the rows along y (2D), of this rank; the whole row in 1D.
  const long long band_lo = o == 2 ? at(-pad_, 0, clip_lo[2]) : o == 1 ? at(-pad_, clip_lo[1], 0) : 0;
  const long long band_hi = o == 2 ? at(-pad_, 0, clip_hi[2] + 1) : o == 1 ? at(-pad_, clip_hi[1] + 1, 0) : total_;
  std::fill(G_.begin() + band_lo, G_.begin() + band_hi, 0.0);
  // Every particle in index order spreads b_j e^{g_j/ε − shift} φ_0 ⊗ φ_1 ⊗ φ_2 onto its window's rows in the band.
  for (int j = 0; j < Y_.n; ++j) {
    const int sy = start_[1][j], sz = start_[2][j];
    if (!meets_box(j) || sz + 2 * R_[2] < clip_lo[2] || sz > clip_hi[2] || sy + 2 * R_[1] < clip_lo[1] || sy > clip_hi[1])
      continue;
    const double c = std::exp(Y_.lw(j) + g(j) / eps_ - shift);
    if (part == kOuterLayer)
      spread_outer_layer(j, c, clip_lo, clip_hi);
    else
      window_spread(G_.data(), window(j, part, clip_lo, clip_hi), factor(1, j), factor(2, j), c, x_factors(j, part));
  }
  bool ok = true;
  for (int i = lo; i < hi; ++i) {
    const double v = G_[box_index(i)];
    if (part != kOuterLayer && v != 0.0 && !normal_positive(v)) ok = false;
    out(i) = v == 0.0 ? -std::numeric_limits<double>::infinity() : std::log(v) + shift;
  }
  return ok;
}

void GridCrossTransform::row_costs(const Real1& f, const Real1& g, const Real1& cost, int lo, int hi) const {
  const double shift = fill_cells(f);
  for (int j = lo; j < hi; ++j) {
    // Σ_a of the contraction with Δ_a²·φ_a in place of φ_a (the squared distance's terms, axis by axis).
    const double* fac[3] = {factor(0, j), factor(1, j), factor(2, j)};
    double s = 0.0;
    for (int a = 0; a < X_.dim; ++a) {
      const int W = 2 * R_[a] + 1;
      std::vector<double>& w = weighted_[a];
      std::fill(w.begin(), w.end(), 0.0);
      for (int k = 0; k < W; ++k) {
        const double dx = origin_[a] + (first_[a] + start_[a][j] + k) * h_[a] - Y_.pos(j, a);
        w[k] = dx * dx * fac[a][k];
      }
      const double* f3[3] = {fac[0], fac[1], fac[2]};
      f3[a] = w.data();
      s += contract(j, 0, f3[0], f3[1], f3[2]);
    }
    cost(j) = s > 0.0 ? std::exp(Y_.lw(j) + g(j) / eps_ + shift + std::log(s)) : 0.0;
  }
}

}  // namespace mf::ot::detail
