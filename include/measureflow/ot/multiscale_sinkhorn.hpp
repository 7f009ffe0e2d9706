// The debiased Sinkhorn divergence at small ε (a few cell widths squared, or far smaller) between two
// clouds in a box of 1 to 3 dimensions, with every point kept: coarse-to-fine ε-scaling over a hierarchy
// of bins (level ℓ merges the points of each 2^ℓ × ... bin into one at their centre of mass) and, at each
// stage, a kernel truncated by the reduced cost of the previous stage's potentials (Schmitzer's sparse
// scaling): only pairs with |x − y|² − f̂(x) − ĝ(y) ≤ θ·ε are visited, found through the bins. This is
// the cross-view yardstick of Diagnostics and the default solver of `measureflow ot` in 1–3 dimensions;
// the dense streaming solver (sinkhorn.hpp) serves higher dimensions.
//
// Rank independence: both clouds are replicated on every rank in a rank-independent order; each rank
// computes the potentials of a contiguous slice of the points and the slices are gathered, so every
// number is the same, bit for bit, on any rank count.
#pragma once
#include <mpi.h>

#include <cstddef>
#include <vector>

namespace mf::ot {

// A point cloud held whole by every rank.
struct HostCloud {
  int dim = 0;
  std::vector<double> positions;  // size() × dim, row-major
  std::vector<double> weights;    // ≥ 0; normalised internally; zero-weight points are dropped
  std::size_t size() const { return weights.size(); }
};

// The finest bins (normally the grid's cells); points outside the box go to the nearest boundary bin.
struct BinLattice {
  int dim = 0;
  double lower[3] = {0.0, 0.0, 0.0};
  double h[3] = {1.0, 1.0, 1.0};
  int cells[3] = {1, 1, 1};
};

struct MultiscaleOptions {
  double eps = 0.0;           // the final ε (squared length units)
  double tol = 1e-4;          // L1 marginal violation at the last two stages (2ε and ε)
  double stage_tol = 1e-2;    // at the annealing stages above 2ε
  double truncation = 20.0;   // θ: pairs with reduced cost ≤ θ·ε are kept (a row loses less than e^-θ of its mass)
  int max_radius_bins = 8;    // a stage runs on the finest level where sqrt(10 ε) spans ≤ this many bins
  int max_iterations = 4000;  // sweeps per solve, all stages together
  double relaxation = 1.5;    // over-relaxation ω of the cross solve's last two stages (1: plain Sinkhorn)
  // true: ω starts at `relaxation` and is raised towards the optimum for the contraction each stage observes
  // (Young's relation; src/ot/over_relaxation.hpp). The yardstick's choice (docs/yardstick.md, "Adaptive
  // over-relaxation"); off by default (`measureflow ot`'s numbers unchanged).
  bool adaptive_relaxation = false;
  // With adaptive_relaxation, how far towards the estimated optimum ω a raise goes in the sparse-kernel stages,
  // 1 + relaxation_toward_optimum·(ω_opt − 1) (the grid-transform stages keep 0.95). 0.95 by default; the
  // yardstick's 2D stages take 1 (docs/yardstick.md, "Kernel scans by runs, and ω at the optimum").
  double relaxation_toward_optimum = 0.95;
  bool relax_every_stage = false;  // ω on every stage of the cross solve (the bracketed solver: all stages to tol)
  long long max_stored_pairs = 20000000;  // per rank; above it the kernel is recomputed every sweep (memory O(n))
  bool self_terms = true;     // false: only OT_ε(x, y) (divergence fields are then 0)
  bool record_2eps = true;    // false: only the last stage is solved to tol (no S_2ε)
  // Self terms on level 0 through the grid Gauss transform (grid_gauss_transform.hpp) instead of the sparse
  // kernel: −1 where it pays (a cloud much denser than ε), 0 never, 1 always (tests).
  int gauss_transform = -1;
  // The cross solve's level-0 stages through the grid cross transform (src/ot/grid_cross_transform.hpp: window
  // contractions, no kernel built) when x is on its own lattice (a grid view): −1 in 3D where the grid holds more
  // cells than one window (where it pays), 0 never (the default:
  // `measureflow ot`'s numbers unchanged), 1 in any dimension (tests). A stage whose windows cut off more than
  // e^{−θ} of a row falls back to the sparse kernel.
  int cross_transform = 0;
  // The starting ω of the stages run on the grid cross transform, where they are over-relaxed (0: `relaxation`).
  // Their plain sweeps contract fast (linear_3d: by 0.48 and 0.68 a sweep at 2ε and ε, optimum ω 1.16 and 1.28),
  // so the 1.7 the 2D stages need overshoots them (docs/yardstick.md, "The 3D yardstick's seventh round").
  double transform_relaxation = 0.0;
  // false: the last stage's ⟨π, C⟩ (transport_cost) is not computed and reads 0. The yardstick reports only the
  // dual values (S_ε, S_2ε), and on linear_3d the cost's extra pass was ≈ 10 ms, ≈ 2 % of its
  // time (docs/yardstick.md, "The 3D yardstick's eighth round"); every other caller keeps it.
  bool plan_cost = true;
  // true: potentials move to a finer bin level to first order (their gradient from the coarse plan's
  // barycentric map) instead of piecewise constant: far fewer sweeps on the first stage of each level.
  // Used by the exact step (certified_exact.hpp); off by default (the yardstick's numbers unchanged).
  bool gradient_prolongation = false;
  // true: the cross solve keeps the pairs within θ·ε of their own row's and column's smallest reduced cost
  // (averaged) instead of within θ·ε of 0, where the smallest sits near −ε log(points / kept pairs), about
  // −10ε at 10⁶ points: half the pairs for the same rows. Used by the bracketed solver
  // (bracketed_transport.hpp); off by default (the yardstick's numbers unchanged).
  bool relative_truncation = false;
  // true: the cross solve stores one kernel orientation only (rows of x) and runs the y sweep over its
  // pairs by columns, summed over ranks: half the memory; the bits then depend on the rank count (1e-15
  // relative). Used by the bracketed solver; off by default.
  bool transposed_sweeps = false;
  // true: stored kernels hold their values in single precision (8 bytes a pair instead of 12: a third less
  // memory to fault in at each build and to read at each sweep); each value is off by at most 2⁻²⁴ relative,
  // the same as a cost off by 6·10⁻⁸ ε. The yardstick's choice (docs/yardstick.md); off by default.
  bool single_precision_kernel = false;
  // true: every cross stage starts with plain sweeps, measures their rate ρ and then over-relaxes with Young's
  // ω = 2/(1 + √(1 − ρ)), at most 1.9 (src/ot/plain_rate_relaxation.hpp), instead of the rule above: far fewer
  // sweeps where the stages are thousands of sweeps long (ε = h², tol 1e-6). Used by the static_ot model; off by
  // default. Why two rules: the yardstick's stages are 20–450 sweeps to 1e-3, where 20 plain sweeps to measure ρ
  // would cost more than they save; on static_ot's 256² deck the rule above (from ω = 1.5, recorded stages only)
  // gives 2714 sweeps against this rule's 571 (docs/static_ot.md).
  bool relaxation_from_plain_rate = false;
};

struct MultiscaleDivergence {
  double eps = 0.0;
  double divergence = 0.0;       // S_ε
  double divergence_2eps = 0.0;  // S_2ε, from the stage before the last: |√S_2ε − √S_ε| bounds the ε-bias
  double marginal_error = 0.0;   // L1 violation of the cross plan at ε
  double entropic_cost = 0.0;    // OT_ε(x, y), its dual value ⟨a, f⟩ + ⟨b, g⟩
  double transport_cost = 0.0;   // ⟨π, C⟩ of the cross plan at ε (its y marginal exact)
  long long kernel_pairs = 0;    // the most pairs kept at one stage of the cross solve (all ranks)
  int iterations = 0;            // sweeps of the cross solve (the self solves are not counted)
  int transform_stages = 0;      // cross stages run on the grid cross transform (opt.cross_transform)
  int rebalanced_builds = 0;     // cross kernels built again on rows balanced by kept pairs (more than one rank)
  bool converged = false;        // every solve met tol at both recorded stages
  double seconds = 0.0;          // wall time, slowest rank
  double cpu_seconds = 0.0;      // processor time, all ranks together (what a loaded machine cannot inflate)
};

// S_ε(x, y) = OT_ε(x, y) − (OT_ε(x, x) + OT_ε(y, y)) / 2 and the same at 2ε, each OT_ε by its dual value
// at convergence. Collective; every rank passes the same clouds and gets the same result.
MultiscaleDivergence multiscale_divergence(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                           const BinLattice& lattice, const MultiscaleOptions& opt);

}  // namespace mf::ot
