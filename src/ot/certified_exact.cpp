// The certified exact step of the static solver (certified_exact.hpp): ε-scaling, the LP on the kept
// pairs, and the search for pairs that violate the LP's duals, repeated until there are none.
#include "measureflow/ot/certified_exact.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bin_hierarchy.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/log_event.hpp"
#include "min_cost_flow.hpp"
#include "multiscale_cross.hpp"
#include "row_slices.hpp"
#include "sparse_kernel.hpp"

namespace mf::ot {

namespace {

using detail::Level;
using detail::Real1;

// Waits until every rank has arrived without spinning a core. Open MPI's blocking collectives poll, so
// the ranks waiting for rank 0's LP (seconds to minutes) would each burn a core the LP could share on a
// loaded node; polling a non-blocking barrier with a 1 ms sleep costs them nothing and rank 0 ≤ 1 ms.
void idle_barrier(MPI_Comm comm) {
  MPI_Request request;
  MPI_Ibarrier(comm, &request);
  int done = 0;
  MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  }
}

// Pairs found on this rank's rows, to be gathered on rank 0.
struct Pairs {
  std::vector<int> row, col;
  std::vector<double> cost;
};

// Concatenates every rank's pairs on rank 0 (rank order = row order: independent of the rank count).
Pairs gather_pairs(MPI_Comm comm, const Pairs& mine) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int count = static_cast<int>(mine.row.size());
  std::vector<int> counts(size), displs(size, 0);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  Pairs all;
  if (rank == 0) {
    for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
    const int total = displs.back() + counts.back();
    all.row.resize(total);
    all.col.resize(total);
    all.cost.resize(total);
  }
  MPI_Gatherv(mine.row.data(), count, MPI_INT, all.row.data(), counts.data(), displs.data(), MPI_INT, 0, comm);
  MPI_Gatherv(mine.col.data(), count, MPI_INT, all.col.data(), counts.data(), displs.data(), MPI_INT, 0, comm);
  MPI_Gatherv(mine.cost.data(), count, MPI_DOUBLE, all.cost.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, comm);
  return all;
}

double squared_box_diagonal(const Level& X, const Level& Y) {
  double s = 0.0;
  for (int a = 0; a < X.dim; ++a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const Level* L : {&X, &Y})
      for (int i = 0; i < L->n; ++i) {
        lo = std::min(lo, L->pos(i, a));
        hi = std::max(hi, L->pos(i, a));
      }
    s += (hi - lo) * (hi - lo);
  }
  return s;
}

std::vector<double> weights(const Level& L) {
  std::vector<double> w(L.n);
  for (int i = 0; i < L.n; ++i) w[i] = L.w(i);
  return w;
}

// The pairs with c_int − u_i − v_j < 0 (exact integer test) on this rank's rows, at most `per_row` per
// row (the most negative). The pyramid descent with a small positive threshold in double precision finds
// every candidate; the integer test then decides.
Pairs violators(const Level& X, const Level& Y, const detail::TransportLp& lp, const std::vector<long long>& u,
                const std::vector<long long>& v, double slack, int per_row, int lo, int hi, long long* count) {
  Real1 ud("mf::ot::exact_u", X.n), vd("mf::ot::exact_v", Y.n);
  for (int i = 0; i < X.n; ++i) ud(i) = static_cast<double>(u[i]) / lp.scale;
  for (int j = 0; j < Y.n; ++j) vd(j) = static_cast<double>(v[j]) / lp.scale;
  const detail::SparseKernel k = detail::build_kernel(X, ud, Y, vd, 1.0, slack, lo, hi);
  Pairs out;
  std::vector<std::pair<long long, int>> row;  // (integer reduced cost, j) of the current row
  int current = -1;
  auto flush = [&] {
    if (row.empty()) return;
    std::sort(row.begin(), row.end());
    for (std::size_t q = 0; q < row.size() && static_cast<int>(q) < per_row; ++q) {
      out.row.push_back(current);
      out.col.push_back(row[q].second);
      out.cost.push_back(detail::squared_distance(X, current, Y, row[q].second));
    }
    row.clear();
  };
  *count = 0;
  detail::for_each_kept_pair(k, [&](int i, int j, double c, double) {
    const long long r = detail::integer_cost(lp, c) - u[i] - v[j];
    if (r >= 0) return;
    if (i != current) {
      flush();
      current = i;
    }
    row.push_back({r, j});
    ++*count;
  });
  flush();
  return out;
}

}  // namespace

CertifiedExact certified_exact_transport(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                         const BinLattice& lattice, const CertifiedExactOptions& opt) {
  if (lattice.dim < 1 || lattice.dim > 3) throw std::invalid_argument("certified_exact_transport: dimension must be 1, 2 or 3");
  const ScopedLogEvent event("mf::ot::certified_exact_transport");
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const double t0 = MPI_Wtime();
  const std::clock_t c0 = std::clock();
  CertifiedExact out;

  const std::vector<Level> X = detail::hierarchy(x, lattice, "x");
  const std::vector<Level> Y = detail::hierarchy(y, lattice, "y");
  MultiscaleOptions so = opt.sinkhorn;
  so.self_terms = false;
  const detail::CrossPotentials cp = detail::multiscale_cross_potentials(comm, X, Y, x, y, so);
  out.sinkhorn_cost = cp.transport_cost;
  out.entropic_cost = cp.entropic_cost;
  out.sinkhorn_marginal_error = cp.marginal_error;
  out.sinkhorn_iterations = cp.iterations;
  out.sinkhorn_converged = cp.converged;
  out.sinkhorn_seconds = MPI_Wtime() - t0;

  const Level &X0 = X[0], &Y0 = Y[0];
  const detail::Slices rows(comm, X0.n);
  const int lo = rows.lo(), hi = rows.hi();
  const double diam2 = squared_box_diagonal(X0, Y0);

  // The first LP's pairs: reduced cost under the ε-potentials ≤ θ'·ε.
  Pairs mine;
  {
    const detail::SparseKernel k =
        detail::build_kernel(X0, cp.f, Y0, cp.g, so.eps, opt.candidate_truncation * so.eps, lo, hi);
    // Per row the candidates_per_row pairs of smallest reduced cost (the entropic potentials leave a
    // band of many pairs with r ≤ θ'ε; the certificate adds any optimal pair left out).
    std::vector<std::pair<double, int>> row;
    int current = -1;
    auto flush = [&] {
      const std::size_t keep = std::min(row.size(), static_cast<std::size_t>(std::max(opt.candidates_per_row, 1)));
      std::partial_sort(row.begin(), row.begin() + keep, row.end());
      for (std::size_t q = 0; q < keep; ++q) {
        mine.row.push_back(current);
        mine.col.push_back(row[q].second);
        mine.cost.push_back(detail::squared_distance(X0, current, Y0, row[q].second));
      }
      row.clear();
    };
    detail::for_each_kept_pair(k, [&](int i, int j, double, double r) {
      if (i != current) {
        flush();
        current = i;
      }
      row.push_back({r, j});
    });
    flush();
  }
  detail::TransportLp lp;
  lp.scale = detail::integer_cost_scale(diam2, static_cast<long long>(X0.n) + Y0.n);
  detail::integer_masses(weights(X0), weights(Y0), lp);
  out.cost_resolution = 1.0 / lp.scale;
  out.exact_masses = lp.supply.front() * static_cast<long long>(X0.n) == lp.total_mass() &&
                     lp.demand.front() * static_cast<long long>(Y0.n) == lp.total_mass();
  {
    Pairs all = gather_pairs(comm, mine);
    if (rank == 0) {
      // A feasible plan among the arcs, so the LP on them always has a solution.
      std::vector<int> r, c;
      detail::north_west_corner(lp, r, c);
      for (std::size_t q = 0; q < r.size(); ++q) {
        all.row.push_back(r[q]);
        all.col.push_back(c[q]);
        all.cost.push_back(detail::squared_distance(X0, r[q], Y0, c[q]));
      }
      detail::add_arcs(lp, all.row, all.col, all.cost);
    }
    out.initial_arcs = lp.arcs();
    MPI_Bcast(&out.initial_arcs, 1, MPI_LONG_LONG, 0, comm);
  }

  std::vector<long long> u(X0.n), v(Y0.n);
  // The descent's threshold: above every double-precision error of c − u − v (the integer test decides).
  const double slack = 1e-9 * diam2 + 4.0 / lp.scale;
  for (out.rounds = 1; out.rounds <= opt.max_rounds; ++out.rounds) {
    double t = MPI_Wtime();
    int optimal = 1, duality = 1;
    if (rank == 0) {
      const detail::LpSolution s = detail::solve_transport_lp(lp);
      optimal = s.optimal;
      duality = s.strong_duality;
      out.cost = s.cost;
      out.support = s.support;
      u = s.u;
      v = s.v;
    }
    idle_barrier(comm);  // the other ranks wait for the LP asleep, not in a polling broadcast
    out.lp_seconds += MPI_Wtime() - t;
    MPI_Bcast(&optimal, 1, MPI_INT, 0, comm);
    MPI_Bcast(&duality, 1, MPI_INT, 0, comm);
    if (!optimal) throw SolverError("exact step: the transport LP on the kept pairs is infeasible (cannot happen: a north-west-corner plan is among them)");
    MPI_Bcast(u.data(), X0.n, MPI_LONG_LONG, 0, comm);
    MPI_Bcast(v.data(), Y0.n, MPI_LONG_LONG, 0, comm);
    t = MPI_Wtime();
    long long found = 0;
    Pairs add = violators(X0, Y0, lp, u, v, slack, opt.max_added_per_row, lo, hi, &found);
    MPI_Allreduce(MPI_IN_PLACE, &found, 1, MPI_LONG_LONG, MPI_SUM, comm);
    out.violations = found;
    Pairs all = gather_pairs(comm, add);
    out.certify_seconds += MPI_Wtime() - t;
    if (found == 0) {
      out.certified = duality == 1;  // dual feasible on all pairs and equal to the primal cost
      break;
    }
    if (rank == 0) detail::add_arcs(lp, all.row, all.col, all.cost);
  }
  out.rounds = std::min(out.rounds, opt.max_rounds);
  out.arcs = lp.arcs();
  MPI_Bcast(&out.arcs, 1, MPI_LONG_LONG, 0, comm);
  MPI_Bcast(&out.cost, 1, MPI_DOUBLE, 0, comm);
  MPI_Bcast(&out.support, 1, MPI_LONG_LONG, 0, comm);
  MPI_Bcast(&out.lp_seconds, 1, MPI_DOUBLE, 0, comm);
  MPI_Bcast(&out.certify_seconds, 1, MPI_DOUBLE, 0, comm);
  MPI_Bcast(&out.sinkhorn_seconds, 1, MPI_DOUBLE, 0, comm);
  const double seconds = MPI_Wtime() - t0;
  MPI_Allreduce(&seconds, &out.seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  MPI_Allreduce(&cpu, &out.cpu_seconds, 1, MPI_DOUBLE, MPI_SUM, comm);
  return out;
}

}  // namespace mf::ot
