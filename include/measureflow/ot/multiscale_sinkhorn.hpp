// The debiased Sinkhorn divergence at small ε (a few cell widths squared) between two clouds that live on
// a grid's box, with every point kept: coarse-to-fine ε-scaling over a hierarchy of bins (level ℓ merges
// the points of each 2^ℓ × ... bin into one at their centre of mass) and kernel truncation through the
// bins: with blocks of R^d bins, R·h ≥ sqrt(truncation · ε), a target sees the source points of its own
// and the adjacent blocks exactly and every farther block as one term at its centre of mass. This is the cross-view yardstick of Diagnostics; the dense
// streaming solver (sinkhorn.hpp) stays the solver of `measureflow ot`.
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
  double truncation = 10.0;   // pairs with |x − y|² ≤ truncation · ε are exact (the kernel is below e^-10 beyond)
  int max_radius_bins = 8;    // a stage runs on the finest level whose exact radius spans ≤ this many bins
  int max_iterations = 4000;  // sweeps per solve, all stages together
  double relaxation = 1.5;    // over-relaxation ω of the cross solve's last two stages (1: plain Sinkhorn)
};

struct MultiscaleDivergence {
  double eps = 0.0;
  double divergence = 0.0;       // S_ε
  double divergence_2eps = 0.0;  // S_2ε, from the stage before the last: |√S_2ε − √S_ε| bounds the ε-bias
  double marginal_error = 0.0;   // L1 violation of the cross plan at ε
  int iterations = 0;            // sweeps of the cross solve (the self solves are not counted)
  bool converged = false;        // every solve met tol at both recorded stages
  double seconds = 0.0;          // wall time, slowest rank
  double cpu_seconds = 0.0;      // processor time, all ranks together (what a loaded machine cannot inflate)
};

// S_ε(x, y) = OT_ε(x, y) − (OT_ε(x, x) + OT_ε(y, y)) / 2 and the same at 2ε, each OT_ε by its dual value
// at convergence. Collective; every rank passes the same clouds and gets the same result.
MultiscaleDivergence multiscale_divergence(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                           const BinLattice& lattice, const MultiscaleOptions& opt);

}  // namespace mf::ot
