// Grid-based Gauss transform (grid_gauss_transform.hpp): splat, then gather, through a lattice of spacing
// √(ε/8) on which the trapezoidal rule integrates the factored Gaussian to ~10⁻⁸ relative.
#include "grid_gauss_transform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "huge_pages.hpp"
#include "row_kernels.hpp"

namespace mf::ot::detail {

namespace {
// 1D and 2D windows: always step 1 (lattice_step_for), so their loops keep a compile-time length.
constexpr int kWidth = 2 * kGaussHalfWindow;
constexpr double kPi = 3.14159265358979323846;
// The separable taps are cut where exp(−(m h)²/ε) < e^{−30.25}, as the window above.
constexpr double kCut2 = 30.25;
// The coarser step of lattice_step_for (δ = kCoarseStep·√(ε/8)): per axis 2·e^{−2π²/1.15²} ≈ 6.6·10⁻⁷.
constexpr double kCoarseStep = 1.15;
// The trapezoidal rule's relative error per axis at spacing step·√(ε/8) (Poisson summation, first term).
double quadrature_error_per_axis(double step) { return 2.0 * std::exp(-2.0 * kPi * kPi / (step * step)); }

}  // namespace

double lattice_step_for(int dim, double truncation) {
  return dim == 3 && dim * quadrature_error_per_axis(kCoarseStep) <= 0.1 * std::exp(-truncation) ? kCoarseStep : 1.0;
}

OwnLattice own_lattice(const Level& L) {
  OwnLattice o;
  if (L.n == 0) return o;
  for (long long b = 0; b < L.bins(); ++b)
    if (L.bin_start(b + 1) - L.bin_start(b) > 1) return o;
  for (int a = 0; a < L.dim; ++a) {
    int p = 0, q = 0;  // the points with the smallest and the largest bin coordinate
    for (int i = 1; i < L.n; ++i) {
      if (L.coord(i, a) < L.coord(p, a)) p = i;
      if (L.coord(i, a) > L.coord(q, a)) q = i;
    }
    const int lo = L.coord(p, a), hi = L.coord(q, a);
    o.h[a] = hi > lo ? (L.pos(q, a) - L.pos(p, a)) / (hi - lo) : L.s_min;
    if (!(o.h[a] > 0.0)) return o;
    const double origin = L.pos(p, a) - lo * o.h[a];
    for (int i = 0; i < L.n; ++i)
      if (std::fabs(L.pos(i, a) - (origin + L.coord(i, a) * o.h[a])) > 1e-9 * o.h[a]) return o;
    o.origin[a] = origin;
    o.first[a] = lo;
    o.count[a] = hi - lo + 1;
  }
  o.ok = true;
  return o;
}

namespace {
int separable_radius(double h, double eps) { return static_cast<int>(std::ceil(std::sqrt(kCut2 * eps) / h)); }
}  // namespace

double separable_cost_per_point(const Level& L, double eps) {
  const OwnLattice o = own_lattice(L);
  if (!o.ok) return -1.0;
  double box = 1.0, taps = 0.0;
  for (int a = 0; a < L.dim; ++a) {
    box *= o.count[a];
    taps += 2.0 * separable_radius(o.h[a], eps) + 1.0;
  }
  return box * taps / L.n;
}

bool GridGaussTransform::own_lattice_is_usable(long long max_lattice_points) {
  const OwnLattice o = own_lattice(L_);
  if (!o.ok) return false;
  total_ = 1;
  for (int a = 0; a < dim_; ++a) {
    first_[a] = o.first[a];
    n_[a] = o.count[a];
    total_ *= n_[a];
    const int R = separable_radius(o.h[a], eps_);
    taps_[a].resize(R + 1);
    for (int m = 0; m <= R; ++m) taps_[a][m] = std::exp(-(m * o.h[a]) * (m * o.h[a]) / eps_);
  }
  if (total_ > max_lattice_points) return false;
  separable_ = usable_ = true;
  grid_.assign(static_cast<std::size_t>(total_), 0.0);
  return true;
}

GridGaussTransform::GridGaussTransform(const Level& L, double eps, long long max_lattice_points, double step)
    : L_(L), eps_(eps), delta_((L.dim == 3 ? step : 1.0) * std::sqrt(eps / 8.0)), dim_(L.dim) {
  if (own_lattice_is_usable(max_lattice_points)) return;
  if (dim_ != 3) step = 1.0;  // the step is the 3D auxiliary lattice's (the 1D and 2D loops below keep kWidth)
  // The window: the fewest steps W with exp(−2(Wδ)²/ε) ≤ e^{−30.25} (11 at step 1, 10 at 1.15: e^{−33}).
  half_ = step == 1.0 ? kGaussHalfWindow : static_cast<int>(std::ceil(kGaussHalfWindow / step));
  width_ = 2 * half_;
  stride_ = padded_width(width_);
  // The quadrature weight (4δ²/(πε))^{d/2} of the factored Gaussian: (2π)^{−d/2} at δ = √(ε/8).
  norm_ = step == 1.0 ? std::pow(2.0 * kPi, -0.5 * dim_) : std::pow(4.0 * delta_ * delta_ / (kPi * eps), 0.5 * dim_);
  total_ = 1;
  for (int a = 0; a < dim_; ++a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < L.n; ++i) {
      lo = std::min(lo, L.pos(i, a));
      hi = std::max(hi, L.pos(i, a));
    }
    // A margin of one window and a step on each side: every window lies inside the lattice.
    lower_[a] = lo - (half_ + 1) * delta_;
    const double span = (hi - lo) / delta_;
    if (!(span < 1e9)) return;
    // Along x also the 3D rows' padding beyond the window (stride_ − width_ points, zero factors).
    n_[a] = static_cast<long long>(std::ceil(span)) + 2 * half_ + 4 + (a == 0 ? stride_ - width_ : 0);
    total_ *= n_[a];
    if (total_ > max_lattice_points) return;
  }
  usable_ = true;
  grid_.assign(static_cast<std::size_t>(total_), 0.0);
  first_index_.assign(static_cast<std::size_t>(L.n) * 3, 0);
  for (int j = 0; j < L.n; ++j)
    for (int a = 0; a < dim_; ++a) first_index_[static_cast<std::size_t>(j) * 3 + a] = window_start(a, L.pos(j, a));
  phi_.assign(static_cast<std::size_t>(L.n) * dim_ * stride_, 0.0);
  phi_ready_.assign(static_cast<std::size_t>(L.n), 0);
  // 3D: the rows along x of each window whose (y, z) lattice point lies within W − 1 steps of the point's (y, z)
  // (W = half_): a lattice point farther than that has the factor φ_1 φ_2 < e^{−2(W−1)²δ²/ε} (e^{−25} at step 1,
  // W = 11; e^{−26.8} at step 1.15, W = 10), the bound the cube's nearest face already gave (a point lies in
  // [W − 1, W) steps of its window along each axis). The point's (y, z) is within √2/2 of the window's centre
  // (W − 1/2, W − 1/2), so the disc of radius W − 1 + √2/2 around it holds those rows for every point: 360 of
  // the cube's 484 rows at W = 11, 296 of 400 at W = 10.
  if (dim_ == 3) {
    const double centre = half_ - 0.5, radius = half_ - 1 + 0.5 * std::sqrt(2.0);
    disc_lo_.assign(width_, 1);
    disc_hi_.assign(width_, 0);
    for (int kz = 0; kz < width_; ++kz) {
      const double left = radius * radius - (kz - centre) * (kz - centre);
      if (left < 0.0) continue;
      disc_lo_[kz] = std::max(0, static_cast<int>(std::ceil(centre - std::sqrt(left))));
      disc_hi_[kz] = std::min(width_ - 1, static_cast<int>(std::floor(centre + std::sqrt(left))));
    }
  }
  advise_huge_pages(phi_.data(), phi_.size() * sizeof(double));
}

int GridGaussTransform::window_start(int a, double x) const {
  const double u = (x - lower_[a]) / delta_;
  return static_cast<int>(std::floor(u)) - (half_ - 1);
}

const double* GridGaussTransform::point_factors(int j, int a) const {
  double* phi = phi_.data() + static_cast<std::size_t>(j) * dim_ * stride_;
  if (!phi_ready_[j]) {
    for (int b = 0; b < dim_; ++b) factors(b, L_.pos(j, b), phi + b * stride_);
    phi_ready_[j] = 1;
  }
  return phi + a * stride_;
}

int GridGaussTransform::factors(int a, double x, double* phi) const {
  const int first = window_start(a, x);
  for (int k = 0; k < width_; ++k) {
    const double dz = x - (lower_[a] + (first + k) * delta_);
    phi[k] = std::exp(-2.0 * dz * dz / eps_);
  }
  return first;
}

bool GridGaussTransform::separable_log_sums(const Real1& q, const Real1& out, int lo, int hi) const {
  double shift = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < L_.n; ++j) shift = std::max(shift, L_.lw(j) + q(j) / eps_);
  const long long stride[3] = {1, n_[0], n_[0] * n_[1]};
  auto cell = [&](int i) {
    long long c = 0;
    for (int a = 0; a < dim_; ++a) c += (L_.coord(i, a) - first_[a]) * stride[a];
    return c;
  };
  std::fill(grid_.begin(), grid_.end(), 0.0);
  for (int j = 0; j < L_.n; ++j) grid_[cell(j)] = std::exp(L_.lw(j) + q(j) / eps_ - shift);
  // One axis at a time: every line along axis a is convolved with the taps (every rank alike, in one order).
  for (int a = 0; a < dim_; ++a) {
    const long long n = n_[a], s = stride[a];
    const int R = static_cast<int>(taps_[a].size()) - 1;
    const double* t = taps_[a].data();
    line_.resize(static_cast<std::size_t>(n));
    for (long long base = 0; base < total_; ++base) {
      if ((base / s) % n != 0) continue;  // the first cell of a line along a
      for (long long k = 0; k < n; ++k) line_[k] = grid_[base + k * s];
      for (long long k = 0; k < n; ++k) {
        double acc = t[0] * line_[k];
        const long long m_hi = std::min<long long>(R, std::max(k, n - 1 - k));
        for (long long m = 1; m <= m_hi; ++m) {
          if (k - m >= 0) acc += t[m] * line_[k - m];
          if (k + m < n) acc += t[m] * line_[k + m];
        }
        grid_[base + k * s] = acc;
      }
    }
  }
  bool ok = true;
  for (int i = lo; i < hi; ++i) {
    const double v = grid_[cell(i)];
    if (!(v > 0.0) || !std::isfinite(v)) ok = false;
    out(i) = std::log(v) + shift;
  }
  return ok;
}

double GridGaussTransform::largest_coefficient(const Real1& q) const {
  double shift = -std::numeric_limits<double>::infinity();
  for (int j = 0; j < L_.n; ++j) shift = std::max(shift, L_.lw(j) + q(j) / eps_);
  return shift;
}

RowWindow GridGaussTransform::window_3d(int j) const {
  RowWindow w;
  w.ylo = disc_lo_.data();
  w.yhi = disc_hi_.data();
  w.kz_lo = 0;
  w.kz_hi = width_ - 1;
  w.ky_min = 0;
  w.ky_max = width_ - 1;
  w.row = n_[0];
  w.layer = n_[0] * n_[1];
  w.first = window_first(j, 0) + window_first(j, 1) * w.row + window_first(j, 2) * w.layer;
  w.width = stride_;
  return w;
}

void GridGaussTransform::splat_layers_3d(const Real1& q, double shift, int z_lo, int z_hi) const {
  if (z_lo > z_hi) return;
  const long long layer = n_[0] * n_[1];
  std::fill(grid_.begin() + z_lo * layer, grid_.begin() + (z_hi + 1) * layer, 0.0);
  for (int j = 0; j < L_.n; ++j) {
    const int fz = window_first(j, 2);
    if (fz > z_hi || fz + width_ - 1 < z_lo) continue;
    RowWindow w = window_3d(j);
    w.kz_lo = std::max(0, z_lo - fz);
    w.kz_hi = std::min(width_ - 1, z_hi - fz);
    const double c = std::exp(L_.lw(j) + q(j) / eps_ - shift);
    window_spread(grid_.data(), w, point_factors(j, 1), point_factors(j, 2), c, point_factors(j, 0));
  }
}

bool GridGaussTransform::gather_3d(const Real1& out, int lo, int hi, double shift) const {
  const double norm = norm_;
  line_.resize(stride_);
  bool ok = true;
  for (int i = lo; i < hi; ++i) {
    // The rows weighted by φ_1 φ_2 summed into one line along x, then one dot product with φ_0 (zero beyond
    // the window): (2π)^{−3/2} Σ_z φ(x_i − z) G(z) is Σ_j c_j exp(−|x_i − x_j|²/ε).
    window_line(grid_.data(), window_3d(i), point_factors(i, 1), point_factors(i, 2), line_.data());
    const double* p0 = point_factors(i, 0);
    double a[4] = {0.0, 0.0, 0.0, 0.0};
    for (int k = 0; k < stride_; k += 4)
      for (int m = 0; m < 4; ++m) a[m] += p0[k + m] * line_[k + m];
    const double s = ((a[0] + a[1]) + (a[2] + a[3])) * norm;
    if (!(s > 0.0) || !std::isfinite(s)) ok = false;
    out(i) = std::log(s) + shift;
  }
  return ok;
}

bool GridGaussTransform::log_sums(MPI_Comm comm, const Real1& q, const Real1& out, int lo, int hi) const {
  if (!usable_ || separable_ || dim_ != 3) return log_sums(q, out, lo, hi);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  // The layers along z split so that each rank's layers meet about as many point windows (the cloud is
  // denser in the middle layers): from the count of windows over each layer, the same on every rank.
  const int nz = static_cast<int>(n_[2]);
  std::vector<long long> cover(nz + 1, 0);
  for (int j = 0; j < L_.n; ++j) {
    cover[window_first(j, 2)] += 1;
    cover[window_first(j, 2) + width_] -= 1;
  }
  std::vector<long long> cumulative(nz + 1, 0);  // windows over the layers below l, summed
  long long running = 0;
  for (int l = 0; l < nz; ++l) {
    running += cover[l];
    cumulative[l + 1] = cumulative[l] + running;
  }
  std::vector<int> first_layer(size + 1, nz);
  for (int r = 0, l = 0; r < size; ++r) {
    const long long target = cumulative[nz] * r / size;
    while (l < nz && cumulative[l] < target) ++l;
    first_layer[r] = l;
  }
  const double shift = largest_coefficient(q);
  splat_layers_3d(q, shift, first_layer[rank], first_layer[rank + 1] - 1);
  const long long layer = n_[0] * n_[1];
  std::vector<int> counts(size), displs(size);
  for (int r = 0; r < size; ++r) {
    displs[r] = static_cast<int>(first_layer[r] * layer);
    counts[r] = static_cast<int>((first_layer[r + 1] - first_layer[r]) * layer);
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, grid_.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  return gather_3d(out, lo, hi, shift);
}

bool GridGaussTransform::log_sums(const Real1& q, const Real1& out, int lo, int hi) const {
  if (!usable_) return false;
  if (separable_) return separable_log_sums(q, out, lo, hi);
  // Shift so that the largest coefficient is 1: exp(q/ε) may be large, its range is not.
  const double shift = largest_coefficient(q);
  const long long stride[3] = {1, n_[0], n_[0] * n_[1]};
  // The band of lattice layers along the last axis (the slowest in the points' bin order) that this rank's
  // targets read; only it is splatted. Each of its entries receives the same terms in the same order (point
  // index) as a splat of the whole lattice, so the bits do not depend on the rank count, and a rank splats
  // about its share of the points plus a window's overlap instead of every point. In 1D the band is the
  // whole lattice (the window runs along the only axis).
  const int last = dim_ - 1;
  int band_lo = 0, band_hi = static_cast<int>(n_[last]) - 1;
  if (dim_ > 1) {
    band_lo = std::numeric_limits<int>::max();
    band_hi = std::numeric_limits<int>::min();
    for (int i = lo; i < hi; ++i) {
      band_lo = std::min(band_lo, window_first(i, last));
      band_hi = std::max(band_hi, window_first(i, last) + width_ - 1);
    }
    if (band_lo > band_hi) return true;  // no target on this rank
  }
  if (dim_ == 3) {
    splat_layers_3d(q, shift, band_lo, band_hi);
    return gather_3d(out, lo, hi, shift);
  }
  std::fill(grid_.begin() + band_lo * stride[last], grid_.begin() + (band_hi + 1) * stride[last], 0.0);
  static const double one = 1.0;
  // The factors of point j per axis (a single 1 for the axes beyond dim_) and its window's first indices.
  auto windows = [&](int j, const double* phi[3], long long first[3]) {
    for (int a = 0; a < 3; ++a) {
      phi[a] = a < dim_ ? point_factors(j, a) : &one;
      first[a] = a < dim_ ? window_first(j, a) : 0;
    }
  };
  const int wy = dim_ > 1 ? kWidth : 1, wz = dim_ > 2 ? kWidth : 1;
  const double* phi[3];
  long long first[3];
  // Splat, in index order, every point whose window meets the band, into the band's layers only.
  for (int j = 0; j < L_.n; ++j) {
    if (dim_ > 1 && (window_first(j, last) > band_hi || window_first(j, last) + kWidth - 1 < band_lo)) continue;
    windows(j, phi, first);
    const double c = std::exp(L_.lw(j) + q(j) / eps_ - shift);
    for (int kz = 0; kz < wz; ++kz)
      for (int ky = 0; ky < wy; ++ky) {
        const long long layer = last == 2 ? first[2] + kz : first[1] + ky;
        if (dim_ > 1 && (layer < band_lo || layer > band_hi)) continue;
        const double cyz = c * phi[1][ky] * phi[2][kz];
        double* row = grid_.data() + first[0] * stride[0] + (first[1] + ky) * stride[1] + (first[2] + kz) * stride[2];
        for (int kx = 0; kx < kWidth; ++kx) row[kx] += cyz * phi[0][kx];
      }
  }
  // Gather this rank's targets: (2π)^{−d/2} Σ_z φ(x_i − z) G(z) is Σ_j c_j exp(−|x_i − x_j|²/ε).
  const double norm = norm_;
  bool ok = true;
  for (int i = lo; i < hi; ++i) {
    windows(i, phi, first);
    double s = 0.0;
    for (int kz = 0; kz < wz; ++kz)
      for (int ky = 0; ky < wy; ++ky) {
        const double* row = grid_.data() + first[0] * stride[0] + (first[1] + ky) * stride[1] + (first[2] + kz) * stride[2];
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

void self_potential_at_half_eps(Real1& q, double eps, int dim) {
  const double shift = 0.25 * eps * dim * std::log(2.0);
  for (std::size_t i = 0; i < q.extent(0); ++i) q(i) = 0.5 * q(i) + shift;
}

bool gauss_transform_pays(const Level& L, double eps, double truncation) {
  const double separable = separable_cost_per_point(L, eps);
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
  // The separable convolution touches every box cell once per tap and keeps nothing; a stored pair costs
  // about as much as a tap, plus the kernel build, so it pays as soon as its taps are fewer than the pairs.
  if (separable > 0.0) return separable < pairs_per_point;
  return pairs_per_point > 0.5 * std::pow(static_cast<double>(kWidth), L.dim);
}

}  // namespace mf::ot::detail
