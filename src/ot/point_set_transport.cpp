#include "measureflow/ot/point_set_transport.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "measureflow/errors.hpp"
#include "measureflow/ot/bracketed_transport.hpp"
#include "measureflow/ot/certified_exact.hpp"
#include "measureflow/ot/exact.hpp"
#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "measureflow/ot/sinkhorn.hpp"
#include "measureflow/ot/sinkhorn_divergence.hpp"

namespace mf::ot {

namespace {

long global_count(MPI_Comm comm, const WeightedPoints& w) {
  long n = static_cast<long>(w.local_size()), total = 0;
  MPI_Allreduce(&n, &total, 1, MPI_LONG, MPI_SUM, comm);
  return total;
}

// All points of a cloud on every rank, row-major (for the serial exact oracle).
std::vector<double> gather_positions(MPI_Comm comm, const WeightedPoints& w, std::vector<double>* weights) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  const int n = static_cast<int>(w.local_size()), d = w.dim;
  auto p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w.positions);
  auto q = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w.weights);
  std::vector<int> counts(size), displs(size, 0);
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
  const int total = displs.back() + counts.back();
  weights->resize(total);
  MPI_Allgatherv(q.data(), n, MPI_DOUBLE, weights->data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  for (int r = 0; r < size; ++r) {
    counts[r] *= d;
    displs[r] *= d;
  }
  std::vector<double> all(static_cast<size_t>(total) * d);
  MPI_Allgatherv(p.data(), n * d, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  return all;
}

// The bins of the multiscale solver for two arbitrary clouds: the joint bounding box cut into about
// max(n, m) / 2 bins (a couple of points per bin when the points fill the box).
BinLattice cloud_lattice(const HostCloud& x, const HostCloud& y) {
  BinLattice l;
  l.dim = x.dim;
  double volume = 1.0, extent[3] = {1.0, 1.0, 1.0};
  for (int a = 0; a < l.dim; ++a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const HostCloud* c : {&x, &y})
      for (std::size_t i = 0; i < c->size(); ++i) {
        lo = std::min(lo, c->positions[l.dim * i + a]);
        hi = std::max(hi, c->positions[l.dim * i + a]);
      }
    extent[a] = hi > lo ? hi - lo : 1.0;
    l.lower[a] = lo;
    volume *= extent[a];
  }
  const double bins = std::max(1.0, 0.5 * static_cast<double>(std::max(x.size(), y.size())));
  const double h = std::pow(volume / bins, 1.0 / l.dim);
  for (int a = 0; a < l.dim; ++a) {
    l.cells[a] = static_cast<int>(std::clamp(std::ceil(extent[a] / h), 1.0, 1e6));
    l.h[a] = extent[a] / l.cells[a];
  }
  return l;
}

// The squared mean spacing (V / max(n, m))^(2/d), V the joint bounding box's volume (lengths of flat
// sides taken as 1).
double squared_spacing(const HostCloud& x, const HostCloud& y) {
  const BinLattice l = cloud_lattice(x, y);
  double volume = 1.0;
  for (int a = 0; a < l.dim; ++a) volume *= l.h[a] * l.cells[a];
  const double n = static_cast<double>(std::max(x.size(), y.size()));
  return std::pow(volume / std::max(n, 1.0), 2.0 / l.dim);
}

// The exact step's default ε: 4 squared spacings, small enough that the kept pairs are a few per point
// around the plan, large enough that ε-scaling gets there in few sweeps.
double exact_step_eps(const HostCloud& x, const HostCloud& y) { return 4.0 * squared_spacing(x, y); }

// The bracketed solver's first ε. The entropic plan's cost exceeds W2² by about (d/2)·ε, so in 3D, where
// the spacing is large (10⁻² at 10⁶ points), ε must be below the squared spacing for 10⁻³ in W2; in 2D
// 4 spacings² are already far below what the bracket needs.
double bracket_first_eps(const HostCloud& x, const HostCloud& y) {
  return (x.dim == 3 ? 0.5 : 4.0) * squared_spacing(x, y);
}

HostCloud host_cloud(MPI_Comm comm, const WeightedPoints& w) {
  HostCloud c;
  c.dim = w.dim;
  c.positions = gather_positions(comm, w, &c.weights);
  return c;
}

// --solver bracket: the certified bracket of bracketed_transport.hpp; transport_cost is the rounded plan's
// cost (a feasible plan: exact marginals, the bracket's upper end).
PointSetTransport bracketed(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y,
                            const PointSetTransportOptions& o, PointSetTransport& out) {
  if (x.dim > 3) throw InputError("--solver bracket needs 1 to 3 dimensions (got " + std::to_string(x.dim) + ")");
  if (!(o.bracket_gap > 0.0)) throw InputError("--bracket-gap must be > 0 (got " + std::to_string(o.bracket_gap) + ")");
  const HostCloud hx = host_cloud(comm, x), hy = host_cloud(comm, y);
  BracketedOptions bo;
  bo.sinkhorn.eps = o.eps ? *o.eps : bracket_first_eps(hx, hy);
  bo.sinkhorn.tol = o.tol;
  // Stored kernel up to --max-stored-pairs per rank (default 2·10⁸, 2.4 GB, one orientation stored): a stored
  // sweep is a sparse product, a streamed one recomputes an exponential per pair (n = 10⁵ in 2D: 129 s
  // stored, over 600 s streamed; n = 10⁶ in 2D keeps 2.05·10⁸ pairs on level 0, 1.03·10⁸ per rank).
  bo.sinkhorn.max_stored_pairs = o.max_stored_pairs;
  bo.sinkhorn.max_iterations = o.max_iterations;
  bo.sinkhorn.gradient_prolongation = true;
  bo.sinkhorn.truncation = 10.0;  // as the exact step: the rounding repairs the mass the truncation drops
  bo.relative_gap = o.bracket_gap;
  const BracketedTransport r = bracketed_transport(comm, hx, hy, cloud_lattice(hx, hy), bo);
  out.converged = r.met;
  out.tol = o.tol;
  auto& v = out.values;
  v["eps"] = r.eps;
  v["transport_cost"] = r.upper;
  v["entropic_cost"] = r.entropic_cost;
  v["iterations"] = r.iterations;
  v["marginal_error"] = 0.0;  // the rounded plan meets both marginals
  v["w2sq_lower"] = r.lower;
  v["w2sq_upper"] = r.upper;
  v["w2sq_estimate"] = r.estimate;
  v["bracket_relative_gap"] = r.relative_gap;
  v["bracket_met"] = r.met ? 1.0 : 0.0;
  v["brackets"] = r.brackets;
  v["sinkhorn_transport_cost"] = r.sinkhorn_cost;
  v["sinkhorn_marginal_error"] = r.marginal_error;
  v["rounding_mass"] = r.deficit_mass;
  return out;
}

}  // namespace


PointSetTransport transport_point_sets(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y,
                                       const PointSetTransportOptions& o) {
  if (o.method != "sinkhorn" && o.method != "exact")
    throw InputError("method '" + o.method + "': allowed values are sinkhorn, exact");
  if (x.dim != y.dim)
    throw InputError("the point sets have dimensions " + std::to_string(x.dim) + " and " + std::to_string(y.dim));
  PointSetTransport out;
  out.method = o.method;
  out.n = global_count(comm, x);
  out.m = global_count(comm, y);
  out.d = x.dim;
  auto& v = out.values;
  v["transport_cost"] = v["entropic_cost"] = v["divergence"] = v["iterations"] = v["marginal_error"] = std::nullopt;
  if (o.method == "exact") {
    if (x.dim == 1) {
      v["transport_cost"] = w2_squared_exact_1d(comm, x, y);
    } else {
      std::vector<double> wa, wb;
      const auto pa = gather_positions(comm, x, &wa), pb = gather_positions(comm, y, &wb);
      bool uniform = out.n == out.m;
      for (size_t i = 1; uniform && i < wa.size(); ++i) uniform = wa[i] == wa[0] && wb[i] == wb[0];
      if (!uniform || out.n > 5000)
        throw InputError("--method exact in " + std::to_string(x.dim) +
                         "D needs equal sizes and uniform weights with n <= 5000 (got n = " + std::to_string(out.n) +
                         ", m = " + std::to_string(out.m) + "); use --method sinkhorn");
      v["transport_cost"] = w2_squared_exact_assignment(pa, pb, x.dim);
    }
    return out;
  }
  if (o.solver != "auto" && o.solver != "multiscale" && o.solver != "dense" && o.solver != "exact" &&
      o.solver != "bracket")
    throw InputError("solver '" + o.solver + "': allowed values are auto, multiscale, dense, exact, bracket");
  if (o.solver == "bracket") {
    // What ran: a certified bracket around W2² (transport_cost its upper end), not a plain Sinkhorn plan.
    out.method = "certified_bracket";
    return bracketed(comm, x, y, o, out);
  }
  if (o.solver == "exact") {
    if (x.dim > 3)
      throw InputError("--solver exact needs 1 to 3 dimensions (got " + std::to_string(x.dim) + ")");
    const HostCloud hx = host_cloud(comm, x), hy = host_cloud(comm, y);
    const BinLattice lattice = cloud_lattice(hx, hy);
    CertifiedExactOptions eo;
    eo.sinkhorn.eps = o.eps ? *o.eps : exact_step_eps(hx, hy);
    eo.sinkhorn.tol = o.tol;
    eo.sinkhorn.max_iterations = o.max_iterations;
    eo.sinkhorn.record_2eps = false;
    eo.sinkhorn.gradient_prolongation = true;
    eo.sinkhorn.truncation = 10.0;  // the potentials only locate the plan: fewer kept pairs per sweep
    const CertifiedExact r = certified_exact_transport(comm, hx, hy, lattice, eo);
    // What ran: the exact LP certified on all pairs, not the Sinkhorn plan the method name would say.
    out.method = "certified_exact";
    out.converged = r.certified;
    out.tol = o.tol;
    v["eps"] = eo.sinkhorn.eps;
    v["transport_cost"] = r.cost;  // the LP plan's cost: exact marginals, W2² when certified
    v["entropic_cost"] = r.entropic_cost;
    v["iterations"] = r.sinkhorn_iterations;
    v["marginal_error"] = 0.0;  // the LP plan meets both marginals exactly (integer masses)
    v["certified"] = r.certified ? 1.0 : 0.0;
    v["certificate_violations"] = static_cast<double>(r.violations);
    v["lp_rounds"] = r.rounds;
    v["lp_arcs"] = static_cast<double>(r.arcs);
    v["cost_resolution"] = r.cost_resolution;
    v["sinkhorn_transport_cost"] = r.sinkhorn_cost;
    v["sinkhorn_marginal_error"] = r.sinkhorn_marginal_error;
    return out;
  }
  const double eps = o.eps ? *o.eps : 1e-3 * squared_diameter(comm, x, y);
  if (o.solver == "multiscale" && x.dim > 3)
    throw InputError("--solver multiscale needs 1 to 3 dimensions (got " + std::to_string(x.dim) + "); use --solver dense");
  if (o.solver == "multiscale" || (o.solver == "auto" && x.dim <= 3)) {
    const HostCloud hx = host_cloud(comm, x), hy = host_cloud(comm, y);
    MultiscaleOptions mo;
    mo.eps = eps;
    mo.tol = o.tol;
    mo.max_iterations = o.max_iterations;
    mo.self_terms = o.divergence;
    mo.record_2eps = false;
    const MultiscaleDivergence r = multiscale_divergence(comm, hx, hy, cloud_lattice(hx, hy), mo);
    out.converged = r.converged;
    out.tol = o.tol;
    if (o.divergence) v["divergence"] = r.divergence;
    v["eps"] = eps;
    v["transport_cost"] = r.transport_cost;
    v["entropic_cost"] = r.entropic_cost;
    v["iterations"] = r.iterations;
    v["marginal_error"] = r.marginal_error;
    return out;
  }
  SinkhornOptions opt;
  opt.eps = eps;
  opt.tol = o.tol;
  opt.max_iterations = o.max_iterations;
  const auto r = sinkhorn(comm, x, y, opt);
  out.converged = r.converged;
  out.tol = opt.tol;
  // The one debiased divergence (symmetric self terms), reusing this x–y solve.
  if (o.divergence) v["divergence"] = sinkhorn_divergence(comm, x, y, opt, r);
  v["eps"] = opt.eps;
  v["transport_cost"] = r.transport_cost;
  v["entropic_cost"] = r.entropic_cost;
  v["iterations"] = r.iterations;
  v["marginal_error"] = r.marginal_error;
  return out;
}

}  // namespace mf::ot
