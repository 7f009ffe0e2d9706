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
// The window: the cells whose index offset k from the particle's nearest cell centre lies in the ellipsoid
// Σ_a (k_a/ρ_a)² ≤ 1, ρ_a = √(cut·ε)/h_a + √d/2. A cell left out is then farther than √(cut·ε) from the particle
// (the particle is within √d/2 cells of its nearest centre), so its Gaussian factor is below e^{−cut}; the
// ellipsoid holds about half the cells of its bounding box (π/6 in 3D). The potentials tilt the summands, so
// the sums can also be taken without the window's outermost layer (shrink = 1): how much of a row sits there is
// the caller's check that the cut window still holds the row (cross_transform_stage.hpp).
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

namespace mf::ot::detail {

class GridCrossTransform {
 public:
  // X: the points on their own lattice (own_lattice); Y: any points of the same dimension. usable() is
  // false when X is not on a lattice or its box exceeds max_box_cells.
  GridCrossTransform(const Level& X, const Level& Y, double eps, double cut, long long max_box_cells = 20000000);
  bool usable() const { return usable_; }
  // Cells in one particle's window (the ellipsoid, unclipped).
  long long window_cells() const;

  // out(j) = log Σ_{i in j's window} a_i exp((f_i − |x_i − y_j|²)/ε) for the particles j in [lo, hi).
  // shrink = 1: the window less its outermost layer. False when a sum is not a normal positive number.
  bool log_sums_at_y(const Real1& f, const Real1& out, int lo, int hi, int shrink = 0) const;
  // out(i) = log Σ_{j: i in j's window} b_j exp((g_j − |x_i − y_j|²)/ε) for the cells i in [lo, hi); −inf for a
  // cell in no window (a far tail cell: no particle within √(cut·ε)), which is not a failure.
  bool log_sums_at_x(const Real1& g, const Real1& out, int lo, int hi, int shrink = 0) const;
  // cost(j) = Σ_i π_ij |x_i − y_j|² with π_ij = a_i b_j exp((f_i + g_j − |x_i − y_j|²)/ε), j in [lo, hi).
  void row_costs(const Real1& f, const Real1& g, const Real1& cost, int lo, int hi) const;

 private:
  // visit(y, z, x_lo, x_hi) for every row of j's window (ellipsoid radii less `shrink`) within the box
  // clipped to [clip_lo, clip_hi] (inclusive box indices), rows in increasing z, then y.
  template <class Visit>
  void for_each_row(int j, int shrink, const int* clip_lo, const int* clip_hi, Visit&& visit) const;
  // Σ over j's window of G·φ_0 φ_1 φ_2 (psi: the axis whose factor is replaced by Δ²·φ, or −1).
  double contract(int j, int shrink, int psi) const;
  const double* factor(int a, int j) const { return fac_[a].data() + static_cast<std::size_t>(j) * (2 * R_[a] + 1); }
  // G ← a e^{f/ε − shift} on the box (zero where no cell); returns the shift.
  double fill_cells(const Real1& f) const;
  long long box_index(int i) const;

  Level X_, Y_;  // views, nothing copied
  double eps_ = 1.0;
  bool usable_ = false;
  double origin_[3] = {0.0, 0.0, 0.0}, h_[3] = {1.0, 1.0, 1.0};
  int first_[3] = {0, 0, 0}, n_[3] = {1, 1, 1}, R_[3] = {0, 0, 0};  // R_a = ⌊ρ_a⌋: the bounding box
  std::vector<int> half_[2];      // per shrink and row offset (dy, dz): the x half-width, −1 outside
  long long total_ = 1;
  std::vector<int> start_[3];     // per particle: box index of its window's first cell, per axis
  std::vector<double> fac_[3];    // per particle: the 2R_a + 1 factors φ_a
  mutable std::vector<double> G_;  // the box array
  mutable std::vector<double> line_;  // contract's rows summed along x
};

}  // namespace mf::ot::detail
