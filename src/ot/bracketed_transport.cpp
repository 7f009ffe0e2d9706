// The bracketed static solver (bracketed_transport.hpp): ε-scaling, then brackets with ε halved until
// the bracket is narrow enough.
#include "measureflow/ot/bracketed_transport.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "bin_hierarchy.hpp"
#include "measureflow/log_event.hpp"
#include "multiscale_cross.hpp"
#include "transport_bracket.hpp"

namespace mf::ot {

namespace {

double max_over_ranks(MPI_Comm comm, double v) {
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, comm);
  return v;
}

}  // namespace

BracketedTransport bracketed_transport(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                       const BinLattice& lattice, const BracketedOptions& opt) {
  if (lattice.dim < 1 || lattice.dim > 3) throw std::invalid_argument("bracketed_transport: dimension must be 1, 2 or 3");
  if (!(opt.relative_gap > 0.0)) throw std::invalid_argument("bracketed_transport: relative_gap must be > 0");
  const ScopedLogEvent event("mf::ot::bracketed_transport");
  const double t0 = MPI_Wtime();
  const std::clock_t c0 = std::clock();
  BracketedTransport out;
  const std::vector<detail::Level> X = detail::hierarchy(x, lattice, "x");
  const std::vector<detail::Level> Y = detail::hierarchy(y, lattice, "y");
  MultiscaleOptions so = opt.sinkhorn;
  so.self_terms = false;
  so.record_2eps = false;
  // Every stage to tol: Sinkhorn removes a smooth marginal error only slowly at small ε (a random walk
  // of step √ε must cross the box), so what the coarse stages leave the last one pays for many times
  // over. ω on every stage: at n = 10⁵ in 2D, 58–129 sweeps per coarse stage instead of 107–184.
  so.stage_tol = so.tol;
  so.relax_every_stage = true;
  // Pairs per row bounded (memory O(n)): kept pairs per row grow like (θ ε / h²)^(d/2) at bin side h, so
  // level 0 only gets the stages with ε ≤ (4 h)²/10 = 1.6 h² in 1–2D and (3 h)²/10 = 0.9 h² in 3D (the radius
  // of 8 bins of the plain solver gave ε up to 6.4 h² there: ~950 pairs per row in 2D, thousands in 3D);
  // the coarser levels carry the larger ε with as few points per row. The bracket needs ε ≈ h² anyway.
  so.max_radius_bins = std::min(so.max_radius_bins, lattice.dim == 3 ? 3 : 4);
  // Half the pairs: a window above each pair's minima, not above 0 (docs/static_ot.md has the 3D numbers).
  so.relative_truncation = true;
  so.transposed_sweeps = true;     // each kept pair stored once, not twice
  const double theta = opt.bracket_truncation > 0.0 ? opt.bracket_truncation : so.truncation;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  detail::CrossPotentials cp = detail::multiscale_cross_potentials(comm, X, Y, x, y, so);
  out.sinkhorn_seconds = MPI_Wtime() - t0;
  out.converged = true;
  for (int halving = 0;; ++halving) {
    out.iterations += cp.iterations;
    out.kernel_pairs = std::max(out.kernel_pairs, cp.pairs);
    out.converged = out.converged && cp.converged;
    const double tb = MPI_Wtime();
    const detail::TransportBracket b = detail::transport_bracket(comm, X[0], Y[0], cp.f, cp.g, so.eps, theta);
    out.bracket_seconds += MPI_Wtime() - tb;
    ++out.brackets;
    out.eps = so.eps;
    out.lower = b.lower;
    out.upper = b.upper;
    out.deficit_mass = b.deficit_mass;
    out.sinkhorn_cost = cp.transport_cost;
    out.entropic_cost = cp.entropic_cost;
    out.marginal_error = cp.marginal_error;
    out.relative_gap = b.lower > 0.0 ? (b.upper - b.lower) / b.lower : std::numeric_limits<double>::infinity();
    out.met = out.relative_gap <= opt.relative_gap;
    if (std::getenv("MF_MULTISCALE_TRACE") && rank == 0)
      std::fprintf(stderr, "bracket: eps %.3e lower %.12g upper %.12g (plan %.12g, deficit %.2e) rel gap %.3e pairs %lld "
                   "c-transforms %.2f s, bracket %.2f s, wall %.2f s\n", so.eps, b.lower, b.upper, b.plan_cost, b.deficit_mass,
                   out.relative_gap, b.pairs, b.lower_seconds, MPI_Wtime() - tb, MPI_Wtime() - t0);
    if (out.met || halving >= opt.max_halvings) break;
    const double from = so.eps;
    so.eps *= 0.5;
    const double ts = MPI_Wtime();
    cp = detail::continue_cross_potentials(comm, X[0], Y[0], cp.f, cp.g, from, so);
    out.sinkhorn_seconds += MPI_Wtime() - ts;
  }
  out.estimate = 0.5 * (out.lower + out.upper);
  out.sinkhorn_seconds = max_over_ranks(comm, out.sinkhorn_seconds);
  out.bracket_seconds = max_over_ranks(comm, out.bracket_seconds);
  out.seconds = max_over_ranks(comm, MPI_Wtime() - t0);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  MPI_Allreduce(&cpu, &out.cpu_seconds, 1, MPI_DOUBLE, MPI_SUM, comm);
  return out;
}

}  // namespace mf::ot
