// A grid-based Gauss transform for the self terms of the multiscale solver (docs/yardstick.md): the kernel
// sums of a cloud against itself, S_i = Σ_j c_j exp(−|x_i − x_j|²/ε), without visiting the pairs.
//
// Why: the particles' self term OT_ε(β, β) of a cloud much denser than ε (hundreds of particles per
// √ε-ball) keeps 10⁴ pairs per particle or more after any truncation, 2·10⁹ for 10⁵ particles in 2D, and
// is what made the ≥ 10⁵-particle yardstick cost several runs. The Gaussian factors through a lattice:
//
//   exp(−|x − y|²/ε) = (4/(πε))^{d/2} ∫ exp(−2|x − z|²/ε) exp(−2|z − y|²/ε) dz,
//
// and the integrand is, in z, a Gaussian of variance σ² = ε/8 per axis (times exp(−|x − y|²/ε)). The
// trapezoidal rule on a lattice of spacing δ integrates a Gaussian with relative error at most
// 2 Σ_{n≥1} exp(−2π²n²σ²/δ²) per axis (Poisson summation); with δ = σ = √(ε/8) that is 5.4·10⁻⁹ per axis,
// below the 2·10⁻⁹–scale truncation e^{−θ} of the sparse kernel it replaces. So a sweep is: splat
// c_j exp(−2|z − x_j|²/ε) onto the lattice (G), then gather S_i = (2π)^{−d/2} Σ_z exp(−2|x_i − z|²/ε) G(z).
// The lattice factors are cut where exp(−2|x − z|²/ε) < e^{−30} (11 lattice steps); the cut changes a
// kept pair's weight by less than e^{−28} relative. Cost per sweep ≈ 2·N·22^d multiply-adds plus N·d·22
// exponentials, against N·(pairs per point) for the sparse kernel.
//
// Rank independence: every rank splats every point in the same order (the lattice G is the same bits on
// any rank count) and gathers only its own slice of targets.
//
// Points on their own lattice (a grid view: at most one point per bin, every point at origin + k·h per
// axis) need no auxiliary lattice and no quadrature: there the Gaussian is separable on the points' lattice
// itself, exp(−|x_i − x_j|²/ε) = Π_a exp(−h_a²(k_ia − k_ja)²/ε), so a sweep is a 1D convolution per axis
// over the bounding box of the points (2R_a + 1 taps, R_a h_a = √(30.25 ε): cut at e^{−30.25}, no other
// error). At ε = 2h² that is 17 taps per axis, about 34 multiply-adds per box cell in 2D against some 130
// stored pairs per cell and a kernel build for the sparse kernel, or 2·22² for the lattice above.
#pragma once
#include <mpi.h>

#include <vector>

#include "bin_hierarchy.hpp"
#include "row_kernels.hpp"

namespace mf::ot::detail {

// Window half-width in lattice steps (δ = √(ε/8)): exp(−2(Wδ)²/ε) = e^{−30.25}.
constexpr int kGaussHalfWindow = 11;

class GridGaussTransform {
 public:
  // The lattice for the points of L at ε (any dimension 1–3). usable() is false when the lattice would
  // exceed max_lattice_points (far outliers): the caller keeps the sparse kernel then. step: the auxiliary
  // lattice's spacing in units of √(ε/8) (lattice_step_for); the window's half-width and the quadrature weight
  // follow it.
  GridGaussTransform(const Level& L, double eps, long long max_lattice_points = 20000000, double step = 1.0);
  bool usable() const { return usable_; }
  long long lattice_points() const { return total_; }

  // out(i) = log Σ_j w_j exp((q_j − |x_i − x_j|²)/ε) for the targets i in [lo, hi) (w: L's weights).
  // Returns false when a sum is not a positive finite number (the caller falls back to the sparse kernel).
  bool log_sums(const Real1& q, const Real1& out, int lo, int hi) const;
  // The same, collective over comm (every rank passes its own [lo, hi)), with the same bits as above. In 3D on
  // the auxiliary lattice the lattice's layers along z are split among the ranks (each splats every point
  // onto its own layers only) and all-gathered: the splat's work splits over the ranks, which the band of the
  // targets does not do in 3D (a 22-layer window against a cloud some 30 layers deep: each rank's band held
  // most of the lattice). Elsewhere it is the call above.
  bool log_sums(MPI_Comm comm, const Real1& q, const Real1& out, int lo, int hi) const;

 private:
  // True when the points are on their own lattice (separable mode, set up here).
  bool own_lattice_is_usable(long long max_lattice_points);
  bool separable_log_sums(const Real1& q, const Real1& out, int lo, int hi) const;
  // The 2W lattice indices and factors exp(−2(x − z_k)²/ε) of one coordinate along axis a.
  int factors(int a, double x, double* phi) const;
  // The first lattice index of the window of coordinate x along axis a.
  int window_start(int a, double x) const;
  // Point j's factors along axis a (2W values from lattice index window_first(j, a)), computed on first
  // use and kept for the stage: they do not depend on the potential, and recomputing them (2·d·2W
  // exponentials per point and sweep) was about half of a sweep.
  const double* point_factors(int j, int a) const;
  int window_first(int j, int a) const { return first_index_[static_cast<std::size_t>(j) * 3 + a]; }
  // The shift of the log-sum-exp: the largest log-coefficient log w_j + q_j/ε.
  double largest_coefficient(const Real1& q) const;
  // 3D, auxiliary lattice: point j's window for the row kernels (its rows within the disc below).
  RowWindow window_3d(int j) const;
  // 3D, auxiliary lattice: zero the lattice layers [z_lo, z_hi] (along z) and splat every point whose window
  // meets them onto them, in index order, with fixed-width rows (row_kernels.hpp).
  void splat_layers_3d(const Real1& q, double shift, int z_lo, int z_hi) const;
  // 3D, auxiliary lattice: the log sums of the targets [lo, hi) from the splatted lattice.
  bool gather_3d(const Real1& out, int lo, int hi, double shift) const;

  Level L_;  // shares the views, copies nothing
  double eps_ = 1.0, delta_ = 1.0;
  int half_ = kGaussHalfWindow, width_ = 2 * kGaussHalfWindow;  // the window's half-width and width in steps
  int stride_ = padded_width(2 * kGaussHalfWindow);  // factors kept per point and axis (3D rows' width)
  double norm_ = 1.0;  // the quadrature weight (4δ²/(πε))^{d/2}
  int dim_ = 1;
  double lower_[3] = {0.0, 0.0, 0.0};
  long long n_[3] = {1, 1, 1};
  long long total_ = 0;
  bool usable_ = false;
  mutable std::vector<double> grid_;
  // Auxiliary-lattice mode: each point's first window index per axis, and its cached factors.
  std::vector<int> first_index_;
  mutable std::vector<double> phi_;  // per point and axis kFactorStride factors, the last ones zero
  mutable std::vector<unsigned char> phi_ready_;
  // Separable mode: the box of the points' own lattice (first index per axis) and the 1D taps per axis.
  bool separable_ = false;
  int first_[3] = {0, 0, 0};
  std::vector<double> taps_[3];
  mutable std::vector<double> line_;
  // 3D, auxiliary lattice: per layer of a window, the rows along y of its disc (lo > hi: none).
  std::vector<int> disc_lo_, disc_hi_;
};

// The lattice the points of L sit on: x_ia = origin_a + k_ia h_a with integer k (the bin coordinates), at
// most one point per bin. Found from the points themselves, so a grid view qualifies whatever lattice the
// bins were cut by, and any other cloud does not. first/count: the bounding box of the points' k.
struct OwnLattice {
  bool ok = false;
  double h[3] = {1.0, 1.0, 1.0};
  double origin[3] = {0.0, 0.0, 0.0};
  int first[3] = {0, 0, 0}, count[3] = {1, 1, 1};
};
OwnLattice own_lattice(const Level& L);

// Whether the points of L sit on a lattice, at most one per bin (its separable cost per point, in
// multiply-adds per sweep, when they do; a negative value when they do not).
double separable_cost_per_point(const Level& L, double eps);

// The auxiliary lattice's step (units of √(ε/8)) for the self terms of a cloud in `dim` dimensions at truncation θ.
// 1.15 in 3D where the quadrature's error there, 3·2e^{−2π²/1.15²} ≈ 2·10⁻⁶ relative, is at most a tenth of the
// e^{−θ} a row may lose to the truncation (θ ≤ 10: the yardstick's θ = 10 drops up to 4.5·10⁻⁵): 0.66× the lattice
// points and 0.69× the window entries per point (20-wide rows, 296 rows), the 3D self term's sweeps the cheaper by
// about that (docs/yardstick.md, "The 3D yardstick's seventh round"); 1 (5.4·10⁻⁹ per axis) otherwise, and in 1D
// and 2D always (their values and bits unchanged).
double lattice_step_for(int dim, double truncation);

// A self-term potential solved at 2ε turned into the start of the stage at ε: q ← q/2 + (ε d/4) log 2.
// Why: for a smooth density ρ the fixed point of p = softmin_ε p is, to leading order,
// p_ε(x) = −(ε/2) log((πε)^{d/2} ρ(x)) (the Gaussian's sum over a √ε-ball of the cloud is (πε)^{d/2} ρ e^{p/ε}),
// so p_ε = p_2ε/2 + (ε d/4) log 2: the potential halves with ε. Started from p_2ε itself, linear_3d's particles'
// ε stage began at an L1 violation of 17 and took 5 sweeps; from this start, 0.11 and 4 (docs/yardstick.md, "The
// 3D yardstick's seventh round"). It holds where ε is well below the scale on which ρ varies (the yardstick's ε at
// the grid scale); at ε comparable to a Gaussian cloud's variance the quadratic part shrinks by less than half and
// the halved start is no better (the test's cloud at ε/(2s²) = 1.25: 0.52 against 0.50). Only the start moves: the
// fixed point, hence the value at convergence, is the same.
void self_potential_at_half_eps(Real1& q, double eps, int dim);

// True when the Gauss transform should replace the sparse kernel for the self term of L at ε: when the
// pairs the truncation θ would keep (estimated from the mean occupancy of L's occupied bins times the
// bins within the radius √((θ + 10)ε)) exceed half a window, (2W)^d / 2 (the measured break-even), or, for
// points on their own lattice, the separable convolution's multiply-adds per point.
bool gauss_transform_pays(const Level& L, double eps, double truncation);

}  // namespace mf::ot::detail
