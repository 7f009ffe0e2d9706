// The cross sums of the multiscale solver between a cloud on its own lattice (the grid view: one point per
// cell, at the cell centres) and any cloud (the particles), without a stored kernel (docs/yardstick.md,
// "A transform for the 3D cross kernel").
//
// Why: in 3D the cross kernel at 2ε keeps ~3.5·10⁷ pairs for 10⁴ particles (≈ 3500 per particle), and
// building it (an exponential per pair, 420 MB written per orientation) was most of the yardstick. The
// Gaussian is separable and one side is a lattice: for a particle y and the cells x_k = o + k·h,
//
//   exp(−|x_k − y|²/ε) = Π_a φ_a(k_a),  φ_a(k) = exp(−(o_a + k h_a − y_a)²/ε),
//
// so the sum over the cells of a particle's window is a contraction of the grid array a_k e^{f_k/ε} with
// three 1D factor vectors (2R_a + 1 each, computed once per stage: no exponential per pair, nothing stored
// per pair), and the cells' sums are its transpose (each particle spreads b_j e^{g_j/ε} φ ⊗ φ ⊗ φ onto its
// window). Both orientations use the same pairs (cell in the particle's window) and the same factors, so the
// iteration has a fixed point.
//
// The window: the rows along x through the cells whose (y, z) index offset from the particle's nearest cell
// centre lies in the ellipse Σ_{a=1,2} (k_a/ρ_a)² ≤ 1, each row the 2R_0 + 1 cells |k_0| ≤ R_0 = ⌊ρ_0⌋, with
// ρ_a = √(cut·ε)/h_a + √d/2: a cylinder that holds the ellipsoid Σ_a (k_a/ρ_a)² ≤ 1. A cell left out is
// outside that ellipsoid, so farther than √(cut·ε) from the particle (the particle is within √d/2 cells of its
// nearest centre), and its Gaussian factor is below e^{−cut}. Full rows (about 1.5 times the ellipsoid's cells)
// because every row then has the same length, padded with zero factors to a multiple of 4: the contraction
// runs on fixed-width vector rows (row_kernels.hpp) at several times the speed of the ellipsoid's ragged rows
// of 7–20 cells. The potentials tilt the summands, so the sums can also be taken without the window's
// outermost layer (part = kInner: the ellipse's radii and R_0 less one), or over that layer alone (kOuterLayer:
// the rows of the full ellipse outside the inner one, and the two end cells of the inner rows): how much of a row
// sits there is the caller's check that the cut window still holds the row (cross_transform_stage.hpp). The
// layer alone (about a fifth of the rows at full width, two cells of the others) costs somewhat less than the
// inner window (up to a third on linear_3d: a row costs its cache lines however few of its cells are used), and gives
// the layer's share directly, with no difference of two nearly equal sums.
//
// Stabilisation: the coefficients are shifted by their largest value over the cloud (log-sum-exp), so
// nothing overflows; a sum that is not a normal positive number (potentials spanning ≳ 600 ε) is reported
// and the caller falls back to the sparse kernel.
//
// Rank independence: the particles' rows are independent; every cell's sum is accumulated over the
// particles in index order by whichever rank holds the cell, with the same expression, so the bits do not
// depend on the rank count.
#pragma once
#include <vector>

#include "bin_hierarchy.hpp"
#include "row_kernels.hpp"

namespace mf::ot::detail {

class GridCrossTransform {
 public:
  // X: the points on their own lattice (own_lattice); Y: any points of the same dimension. usable() is
  // false when X is not on a lattice or its box exceeds max_box_cells.
  GridCrossTransform(const Level& X, const Level& Y, double eps, double cut, long long max_box_cells = 20000000);
  bool usable() const { return usable_; }
  // Cells in one particle's window (the cylinder of full rows, unclipped).
  long long window_cells() const;

  // Which part of each window a sum runs over.
  static constexpr int kWhole = 0;       // the window
  static constexpr int kInner = 1;       // the window less its outermost layer
  static constexpr int kOuterLayer = 2;  // that layer alone (whole = inner + outer layer, as sets of pairs)

  // out(j) = log Σ_{i in j's window} a_i exp((f_i − |x_i − y_j|²)/ε) for the particles j in [lo, hi), over the
  // given part. False when a sum is not a normal positive number (kOuterLayer: any sum, −inf for 0, is usable).
  bool log_sums_at_y(const Real1& f, const Real1& out, int lo, int hi, int part = kWhole) const;
  // out(i) = log Σ_{j: i in j's window} b_j exp((g_j − |x_i − y_j|²)/ε) for the cells i in [lo, hi); −inf for a
  // cell in no window (a far tail cell: no particle within √(cut·ε)), which is not a failure.
  bool log_sums_at_x(const Real1& g, const Real1& out, int lo, int hi, int part = kWhole) const;
  // cost(j) = Σ_i π_ij |x_i − y_j|² with π_ij = a_i b_j exp((f_i + g_j − |x_i − y_j|²)/ε), j in [lo, hi).
  void row_costs(const Real1& f, const Real1& g, const Real1& cost, int lo, int hi) const;

 private:
  // j's window's rows ylo[kz]..yhi[kz] (per z offset) with y in [lo[1], hi[1]] and z in [lo[2], hi[2]] (box
  // indices) for the row kernels; shrink: the whole (0) or inner (1) window's rows.
  RowWindow window(int j, const int* ylo, const int* yhi, const int* lo, const int* hi) const;
  RowWindow window(int j, int shrink, const int* lo, const int* hi) const {
    return window(j, ylo_[shrink].data(), yhi_[shrink].data(), lo, hi);
  }
  // Σ over j's outermost layer of G·φ_0 φ_1 φ_2 (the band rows at full width, the inner rows' two end cells).
  double contract_outer_layer(int j) const;
  // G += c φ_0 ⊗ φ_1 ⊗ φ_2 over j's outermost layer, clipped to [lo, hi].
  void spread_outer_layer(int j, double c, const int* lo, const int* hi) const;
  // The factor of a row's last cell as an end cell: 0 where the row is one cell (its first end, counted once).
  double end_factor(const double* f0) const { return R_[0] > 0 ? f0[2 * R_[0]] : 0.0; }
  // Whether j's window meets the box along x.
  bool meets_box(int j) const { return start_[0][j] <= n_[0] - 1 && start_[0][j] + 2 * R_[0] >= 0; }
  // Σ over j's window of G·f0 f1 f2 (f0 padded to width_, zero where the window has no cell).
  double contract(int j, int shrink, const double* f0, const double* f1, const double* f2) const;
  const double* factor(int a, int j) const {
    return fac_[a].data() + static_cast<std::size_t>(j) * (a == 0 ? width_ : 2 * R_[a] + 1);
  }
  // Particle j's x factors for the window less its outermost layer (shrink = 1: the two end cells zeroed),
  // or its own factors (shrink = 0).
  const double* x_factors(int j, int shrink) const;
  // G ← a e^{f/ε − shift} on the box (zero where no cell); returns the shift.
  double fill_cells(const Real1& f) const;
  // The index into G_ of box cell (x, y, z); G_'s rows along x are padded so that every window row that meets
  // the box lies inside the array.
  long long at(int x, int y, int z) const { return x + pad_ + row_ * (y + static_cast<long long>(n_[1]) * z); }
  long long box_index(int i) const;

  Level X_, Y_;  // views, nothing copied
  double eps_ = 1.0;
  bool usable_ = false;
  double origin_[3] = {0.0, 0.0, 0.0}, h_[3] = {1.0, 1.0, 1.0};
  int first_[3] = {0, 0, 0}, n_[3] = {1, 1, 1}, R_[3] = {0, 0, 0};  // R_a = ⌊ρ_a⌋: the bounding box
  int width_ = 1;                 // 2R_0 + 1 rounded up to a multiple of 4: the row kernels' width
  int pad_ = 0;                   // G_'s cells before x = 0 in each row (2R_0)
  long long row_ = 1;             // G_'s row length: pad_ + n_0 + width_ − 1
  std::vector<int> ylo_[2], yhi_[2];  // per shrink and z offset: the window's rows along y (ylo > yhi: none)
  std::vector<int> band_lo_[2], band_hi_[2];  // per z offset: the whole window's rows below [0] and above [1] the inner ones
  long long total_ = 1;
  std::vector<int> start_[3];     // per particle: box index of its window's first cell, per axis
  std::vector<double> fac_[3];    // per particle: the 2R_a + 1 factors φ_a (width_, zero-padded, along x)
  mutable std::vector<double> G_;  // the box array (rows padded along x)
  mutable std::vector<double> line_, masked_, weighted_[3];  // per-particle scratch
};

}  // namespace mf::ot::detail
