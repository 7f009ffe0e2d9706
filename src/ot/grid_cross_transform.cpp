// Cross sums between a lattice cloud and any cloud by window contractions (grid_cross_transform.hpp).
#include "grid_cross_transform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grid_gauss_transform.hpp"

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
    total_ *= n_[a];
    rho[a] = std::sqrt(cut * eps) / h_[a] + 0.5 * std::sqrt(static_cast<double>(d));
    R_[a] = static_cast<int>(std::floor(rho[a]));
  }
  if (total_ > max_box_cells) return;
  // The ellipsoid's rows: x half-width per (dy, dz), for the full radii and for the radii less one layer.
  for (int shrink = 0; shrink < 2; ++shrink) {
    double r[3];
    for (int a = 0; a < 3; ++a) r[a] = a < d ? std::max(rho[a] - shrink, 0.0) : 0.0;
    auto part = [&](int k, int a) { return k == 0 ? 0.0 : (r[a] > 0.0 ? (k / r[a]) * (k / r[a]) : 2.0); };
    half_[shrink].assign(static_cast<std::size_t>(2 * R_[1] + 1) * (2 * R_[2] + 1), -1);
    for (int dz = -R_[2]; dz <= R_[2]; ++dz)
      for (int dy = -R_[1]; dy <= R_[1]; ++dy) {
        const double left = 1.0 - part(dy, 1) - part(dz, 2);
        if (left >= 0.0)
          half_[shrink][(dz + R_[2]) * (2 * R_[1] + 1) + dy + R_[1]] = std::min(R_[0], static_cast<int>(std::floor(r[0] * std::sqrt(left))));
      }
  }
  for (int a = 0; a < 3; ++a) {
    const int W = 2 * R_[a] + 1;
    start_[a].assign(Y.n, 0);
    fac_[a].assign(static_cast<std::size_t>(Y.n) * W, 1.0);
    if (a >= d) continue;
    for (int j = 0; j < Y.n; ++j) {
      // The particle's nearest cell centre, in box indices (far outliers: no lattice worth building).
      const double u = (Y.pos(j, a) - origin_[a]) / h_[a] - first_[a];
      if (!(std::fabs(u) < 1e8)) return;
      start_[a][j] = static_cast<int>(std::floor(u + 0.5)) - R_[a];
      double* phi = fac_[a].data() + static_cast<std::size_t>(j) * W;
      for (int k = 0; k < W; ++k) {
        const double dx = origin_[a] + (first_[a] + start_[a][j] + k) * h_[a] - Y.pos(j, a);
        phi[k] = std::exp(-dx * dx / eps);
      }
    }
  }
  G_.assign(static_cast<std::size_t>(total_), 0.0);
  usable_ = true;
}

long long GridCrossTransform::window_cells() const {
  long long cells = 0;
  for (int w : half_[0]) cells += w >= 0 ? 2 * w + 1 : 0;
  return cells;
}

long long GridCrossTransform::box_index(int i) const {
  long long c = 0, stride = 1;
  for (int a = 0; a < X_.dim; ++a) {
    c += (X_.coord(i, a) - first_[a]) * stride;
    stride *= n_[a];
  }
  return c;
}

template <class Visit>
void GridCrossTransform::for_each_row(int j, int shrink, const int* clip_lo, const int* clip_hi, Visit&& visit) const {
  const int cx = start_[0][j] + R_[0], cy = start_[1][j] + R_[1], cz = start_[2][j] + R_[2];
  const std::vector<int>& half = half_[shrink];
  for (int dz = -R_[2]; dz <= R_[2]; ++dz) {
    const int z = cz + dz;
    if (z < clip_lo[2] || z > clip_hi[2]) continue;
    for (int dy = -R_[1]; dy <= R_[1]; ++dy) {
      const int y = cy + dy, w = half[(dz + R_[2]) * (2 * R_[1] + 1) + dy + R_[1]];
      if (w < 0 || y < clip_lo[1] || y > clip_hi[1]) continue;
      const int x_lo = std::max(cx - w, clip_lo[0]), x_hi = std::min(cx + w, clip_hi[0]);
      if (x_lo <= x_hi) visit(y, z, x_lo, x_hi);
    }
  }
}

double GridCrossTransform::contract(int j, int shrink, int psi) const {
  const double* f[3] = {factor(0, j), factor(1, j), factor(2, j)};
  std::vector<double> weighted;  // Δ²·φ on the axis psi (the transport cost's moment)
  if (psi >= 0) {
    const int W = 2 * R_[psi] + 1;
    weighted.resize(W);
    for (int k = 0; k < W; ++k) {
      const double dx = origin_[psi] + (first_[psi] + start_[psi][j] + k) * h_[psi] - Y_.pos(j, psi);
      weighted[k] = dx * dx * f[psi][k];
    }
    f[psi] = weighted.data();
  }
  const int sx = start_[0][j], sy = start_[1][j], sz = start_[2][j];
  const int clip_lo[3] = {0, 0, 0}, clip_hi[3] = {n_[0] - 1, n_[1] - 1, n_[2] - 1};
  // The rows, weighted by φ_2 φ_1, summed into one line along x (no reduction per row: rows hold 7–20 cells),
  // then one dot product with φ_0.
  line_.assign(2 * R_[0] + 1, 0.0);
  double* acc = line_.data();
  for_each_row(j, shrink, clip_lo, clip_hi, [&](int y, int z, int x_lo, int x_hi) {
    const double* row = G_.data() + x_lo + static_cast<long long>(n_[0]) * (y + static_cast<long long>(n_[1]) * z);
    const double c = f[2][z - sz] * f[1][y - sy];
    double* a = acc + (x_lo - sx);
    for (int k = 0; k <= x_hi - x_lo; ++k) a[k] += c * row[k];
  });
  return dot(f[0], acc, 2 * R_[0] + 1);
}

double GridCrossTransform::fill_cells(const Real1& f) const {
  const double shift = largest(X_, f, eps_);
  std::fill(G_.begin(), G_.end(), 0.0);
  for (int i = 0; i < X_.n; ++i) G_[box_index(i)] = std::exp(X_.lw(i) + f(i) / eps_ - shift);
  return shift;
}

bool GridCrossTransform::log_sums_at_y(const Real1& f, const Real1& out, int lo, int hi, int shrink) const {
  if (!usable_) return false;
  const double shift = fill_cells(f);
  bool ok = true;
  for (int j = lo; j < hi; ++j) {
    const double s = contract(j, shrink, -1);
    if (!normal_positive(s)) ok = false;
    out(j) = std::log(s) + shift;
  }
  return ok;
}

bool GridCrossTransform::log_sums_at_x(const Real1& g, const Real1& out, int lo, int hi, int shrink) const {
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
  long long layer = 1;
  for (int a = 0; a < o; ++a) layer *= n_[a];
  std::fill(G_.begin() + clip_lo[o] * layer, G_.begin() + (clip_hi[o] + 1) * layer, 0.0);
  // Every particle in index order spreads b_j e^{g_j/ε − shift} φ_0 ⊗ φ_1 ⊗ φ_2 onto its window.
  for (int j = 0; j < Y_.n; ++j) {
    const int sx = start_[0][j], sy = start_[1][j], sz = start_[2][j];
    if (sz + 2 * R_[2] < clip_lo[2] || sz > clip_hi[2] || sy + 2 * R_[1] < clip_lo[1] || sy > clip_hi[1]) continue;
    const double c = std::exp(Y_.lw(j) + g(j) / eps_ - shift);
    const double *fx = factor(0, j), *fy = factor(1, j), *fz = factor(2, j);
    for_each_row(j, shrink, clip_lo, clip_hi, [&](int y, int z, int x_lo, int x_hi) {
      const double cyz = c * (fz[z - sz] * fy[y - sy]);
      double* row = G_.data() + x_lo + static_cast<long long>(n_[0]) * (y + static_cast<long long>(n_[1]) * z);
      const double* fr = fx + (x_lo - sx);
      for (int k = 0; k <= x_hi - x_lo; ++k) row[k] += cyz * fr[k];
    });
  }
  bool ok = true;
  for (int i = lo; i < hi; ++i) {
    const double v = G_[box_index(i)];
    if (v != 0.0 && !normal_positive(v)) ok = false;
    out(i) = v == 0.0 ? -std::numeric_limits<double>::infinity() : std::log(v) + shift;
  }
  return ok;
}

void GridCrossTransform::row_costs(const Real1& f, const Real1& g, const Real1& cost, int lo, int hi) const {
  const double shift = fill_cells(f);
  for (int j = lo; j < hi; ++j) {
    double s = 0.0;
    for (int a = 0; a < X_.dim; ++a) s += contract(j, 0, a);
    cost(j) = s > 0.0 ? std::exp(Y_.lw(j) + g(j) / eps_ + shift + std::log(s)) : 0.0;
  }
}

}  // namespace mf::ot::detail
