// The multiscale plan with potentials on every point and the barycentric map (multiscale_plan.hpp).
#include "measureflow/ot/multiscale_plan.hpp"

#include <stdexcept>

#include "bin_hierarchy.hpp"
#include "measureflow/log_event.hpp"
#include "multiscale_cross.hpp"
#include "sparse_kernel.hpp"

namespace mf::ot {

namespace {

// The soft c-transform of `pot` on the level S at every point of `c`, with the row's barycentre: rank r
// computes points [n·r/size, n·(r+1)/size) and the rows are gathered. Each row depends on replicated data
// alone, so the result does not depend on the split. Returns n × (dim + 1): potential, then barycentre.
std::vector<double> c_transform_rows(MPI_Comm comm, const detail::Level& S, const detail::Real1& pot,
                                     const HostCloud& c, const MultiscaleOptions& opt) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int d = c.dim, width = d + 1;
  const long long n = static_cast<long long>(c.size());
  std::vector<int> counts(size), displs(size);
  for (int r = 0; r < size; ++r) {
    displs[r] = static_cast<int>(n * r / size * width);
    counts[r] = static_cast<int>(n * (r + 1) / size * width) - displs[r];
  }
  const int lo = displs[rank] / width, hi = (displs[rank] + counts[rank]) / width;
  std::vector<double> f(n), map(n * d), rows(n * width);
  detail::soft_c_transform(S, pot, opt.eps, opt.truncation, c.positions.data(), lo, hi, f.data(), map.data());
  for (int i = lo; i < hi; ++i) {
    rows[i * width] = f[i];
    for (int a = 0; a < d; ++a) rows[i * width + 1 + a] = map[i * d + a];
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, rows.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  return rows;
}

}  // namespace

MultiscalePlan multiscale_plan(MPI_Comm comm, const HostCloud& x, const HostCloud& y, const BinLattice& lattice,
                               const MultiscaleOptions& opt) {
  if (lattice.dim < 1 || lattice.dim > 3) throw std::invalid_argument("multiscale_plan: dimension must be 1, 2 or 3");
  const ScopedLogEvent event("mf::ot::multiscale_plan");
  const double t0 = MPI_Wtime();
  const std::vector<detail::Level> X = detail::hierarchy(x, lattice, "x");
  const std::vector<detail::Level> Y = detail::hierarchy(y, lattice, "y");
  const detail::CrossPotentials cp = detail::multiscale_cross_potentials(comm, X, Y, x, y, opt);
  MultiscalePlan p;
  p.eps = opt.eps;
  p.transport_cost = cp.transport_cost;
  p.entropic_cost = cp.entropic_cost;
  p.marginal_error = cp.marginal_error;
  p.kernel_pairs = cp.pairs;
  p.iterations = cp.iterations;
  p.converged = cp.converged;
  if (opt.self_terms) {
    bool xx_ok = false, yy_ok = false;
    const double xx = detail::multiscale_self_cost(comm, X, x, opt, xx_ok);
    const double yy = detail::multiscale_self_cost(comm, Y, y, opt, yy_ok);
    p.divergence = p.entropic_cost - 0.5 * (xx + yy);
    p.converged = p.converged && xx_ok && yy_ok;
  }
  // Every point of each cloud (zero weights included) against the other side's final potentials. The
  // window is the solver's truncation θ: the pairs it kept, to within e^−θ of the mass.
  const int d = lattice.dim;
  const std::vector<double> xr = c_transform_rows(comm, Y[0], cp.g, x, opt);
  const std::vector<double> yr = c_transform_rows(comm, X[0], cp.f, y, opt);
  p.f.resize(x.size());
  p.map.resize(x.size() * d);
  for (std::size_t i = 0; i < x.size(); ++i) {
    p.f[i] = xr[i * (d + 1)];
    for (int a = 0; a < d; ++a) p.map[i * d + a] = xr[i * (d + 1) + 1 + a];
  }
  p.g.resize(y.size());
  for (std::size_t j = 0; j < y.size(); ++j) p.g[j] = yr[j * (d + 1)];
  const double seconds = MPI_Wtime() - t0;
  MPI_Allreduce(&seconds, &p.seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  return p;
}

}  // namespace mf::ot
