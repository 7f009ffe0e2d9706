// Log-domain Sinkhorn over MPI: each rank keeps its x and y blocks; to update the potentials on its own
// points it sees every block of the other side once per sweep, passed around a ring (MPI_Sendrecv).
#include "measureflow/ot/sinkhorn.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "measureflow/errors.hpp"
#include "sinkhorn_kernels.hpp"

namespace mf::ot {

namespace {

using detail::Column;
using detail::Packed;

int comm_rank(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}
int comm_size(MPI_Comm comm) {
  int s = 1;
  MPI_Comm_size(comm, &s);
  return s;
}

double sum_all(MPI_Comm comm, double v) {
  double out = 0.0;
  MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_SUM, comm);
  return out;
}

// One side of the problem on this rank, with what the ring needs to know about the other ranks.
struct Side {
  Packed packed;           // rows [coords, log normalised weight, potential]
  int n = 0;               // local rows
  int capacity = 0;        // largest block over ranks
  std::vector<int> counts; // block size of every rank
};

Side pack(MPI_Comm comm, const WeightedPoints& w, int dim, const char* name) {
  if (w.dim != dim || (w.local_size() > 0 && static_cast<int>(w.positions.extent(1)) != dim) ||
      w.positions.extent(0) != w.weights.extent(0))
    throw std::invalid_argument(std::string("sinkhorn: cloud ") + name + " has inconsistent dimensions");
  Side s;
  s.n = static_cast<int>(w.local_size());
  s.counts.assign(comm_size(comm), 0);
  MPI_Allgather(&s.n, 1, MPI_INT, s.counts.data(), 1, MPI_INT, comm);
  s.capacity = *std::max_element(s.counts.begin(), s.counts.end());

  double local_mass = 0.0, local_min = 0.0;
  Kokkos::parallel_reduce("mf::ot::mass", s.n, KOKKOS_LAMBDA(const int i, double& m) { m += w.weights(i); }, local_mass);
  Kokkos::parallel_reduce("mf::ot::min_weight", s.n,
                          KOKKOS_LAMBDA(const int i, double& m) { m = w.weights(i) < m ? w.weights(i) : m; },
                          Kokkos::Min<double>(local_min));
  const double mass = sum_all(comm, local_mass);
  double global_min = 0.0;
  MPI_Allreduce(&local_min, &global_min, 1, MPI_DOUBLE, MPI_MIN, comm);
  if (!(mass > 0.0) || !(global_min >= 0.0) || !std::isfinite(mass))
    throw std::invalid_argument(std::string("sinkhorn: weights of cloud ") + name +
                                " must be finite, >= 0 and have a positive total (total " + std::to_string(mass) +
                                ", min " + std::to_string(global_min) + ")");

  s.packed = Packed("mf::ot::packed", std::max(s.capacity, 1), dim + 2);
  const Packed p = s.packed;
  const double log_mass = std::log(mass);
  const double minus_inf = -std::numeric_limits<double>::infinity();
  const int own_rows = s.n;
  // Rows past n (padding up to the largest block) get zero weight, so a whole buffer can travel the
  // ring without telling real rows from padding.
  Kokkos::parallel_for(
      "mf::ot::pack", static_cast<int>(s.packed.extent(0)), KOKKOS_LAMBDA(const int i) {
        const bool real = i < own_rows;
        for (int k = 0; k < dim; ++k) p(i, k) = real ? w.positions(i, k) : 0.0;
        const double wi = real ? w.weights(i) : 0.0;
        p(i, dim) = wi > 0.0 ? kmath::log(wi) - log_mass : minus_inf;
        p(i, dim + 1) = 0.0;
      });
  Kokkos::fence();
  return s;
}

// Calls visit(block, rows) once for the block of every rank of `side`, own block first. The packed
// views are in host-accessible memory (Serial/OpenMP backends), so MPI reads them directly.
void ring_sweep(MPI_Comm comm, const Side& side, int dim, const std::function<void(const Packed&, int)>& visit) {
  const int size = comm_size(comm);
  const int rank = comm_rank(comm);
  if (size == 1) {
    visit(side.packed, side.n);
    return;
  }
  // Blocks are column-major, so a block's first rows are not contiguous: whole buffers of the largest
  // block's size travel instead (padding rows included, at most one block's worth of extra bytes).
  const int rows = static_cast<int>(side.packed.extent(0));
  const int doubles = rows * (dim + 2);
  Packed current("mf::ot::ring_a", rows, dim + 2);
  Packed incoming("mf::ot::ring_b", rows, dim + 2);
  Kokkos::deep_copy(current, side.packed);
  Kokkos::fence();
  const int next = (rank + 1) % size, prev = (rank - 1 + size) % size;
  for (int step = 0; step < size; ++step) {
    const int owner = (rank - step + size) % size;
    visit(current, side.counts[owner]);
    if (step + 1 == size) break;
    Kokkos::fence();
    MPI_Sendrecv(current.data(), doubles, MPI_DOUBLE, next, 71, incoming.data(), doubles, MPI_DOUBLE, prev, 71, comm,
                 MPI_STATUS_IGNORE);
    std::swap(current, incoming);
  }
}

// New potentials on `target`'s points: −ε log Σ_j exp(lw_j + (pot_j − C_ij)/ε) over all of `source`.
// First try the sum shifted by the old potential (one exp per pair); if any row over- or underflows
// on any rank, redo the sweep with the online (max, sum) log-sum-exp, which cannot.
Column softmin(MPI_Comm comm, const Side& target, const Side& source, int dim, double eps) {
  Column out("mf::ot::potential", target.n);
  const Packed own = target.packed;
  {
    Column run_sum("mf::ot::run_sum", target.n);
    ring_sweep(comm, source, dim, [&](const Packed& block, int rows) {
      detail::shifted_sum_accumulate(target.packed, target.n, block, rows, dim, eps, run_sum);
    });
    int bad = 0;
    Kokkos::parallel_reduce(
        "mf::ot::shifted_finish", target.n,
        KOKKOS_LAMBDA(const int i, int& b) {
          const double s = run_sum(i);
          if (s > 1e-200 && s < 1e200) {
            out(i) = own(i, dim + 1) - eps * kmath::log(s);
          } else {
            b += 1;
          }
        },
        bad);
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_SUM, comm);
    if (bad == 0) return out;
  }
  Column run_max("mf::ot::run_max", target.n), run_sum("mf::ot::run_sum", target.n);
  Kokkos::deep_copy(run_max, -std::numeric_limits<double>::infinity());
  ring_sweep(comm, source, dim, [&](const Packed& block, int rows) {
    detail::softmin_accumulate(target.packed, target.n, block, rows, dim, eps, run_max, run_sum);
  });
  Kokkos::parallel_for(
      "mf::ot::softmin_finish", target.n,
      KOKKOS_LAMBDA(const int i) { out(i) = -eps * (run_max(i) + kmath::log(run_sum(i))); });
  Kokkos::fence();
  return out;
}

// Σ_i w_i |exp((old_i − new_i)/ε) − 1|: the L1 violation of this side's marginal by the plan built
// with the stored (old) potential, given its exact update `fresh`.
double marginal_violation(MPI_Comm comm, const Side& side, const Column& fresh, int dim, double eps) {
  const Packed p = side.packed;
  double err = 0.0;
  Kokkos::parallel_reduce(
      "mf::ot::marginal_violation", side.n,
      KOKKOS_LAMBDA(const int i, double& e) {
        const double lw = p(i, dim);
        if (lw > -1e300) e += kmath::exp(lw) * kmath::fabs(kmath::exp((p(i, dim + 1) - fresh(i)) / eps) - 1.0);
      },
      err);
  return sum_all(comm, err);
}

// Stores old + ω (fresh − old): ω = 1 is the plain Sinkhorn update, ω in (1, 2) over-relaxation.
void store_potential(Side& side, const Column& fresh, int dim, double omega) {
  const Packed p = side.packed;
  Kokkos::parallel_for(
      "mf::ot::store_potential", side.n, KOKKOS_LAMBDA(const int i) {
        p(i, dim + 1) = omega == 1.0 ? fresh(i) : p(i, dim + 1) + omega * (fresh(i) - p(i, dim + 1));
      });
  Kokkos::fence();
}

double squared_diameter(MPI_Comm comm, const Side& a, const Side& b, int dim) {
  std::vector<double> lo(dim, std::numeric_limits<double>::infinity()), hi(dim, -lo[0]);
  for (const Side* s : {&a, &b}) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s->packed);
    for (int i = 0; i < s->n; ++i)
      for (int k = 0; k < dim; ++k) {
        lo[k] = std::min(lo[k], h(i, k));
        hi[k] = std::max(hi[k], h(i, k));
      }
  }
  MPI_Allreduce(MPI_IN_PLACE, lo.data(), dim, MPI_DOUBLE, MPI_MIN, comm);
  MPI_Allreduce(MPI_IN_PLACE, hi.data(), dim, MPI_DOUBLE, MPI_MAX, comm);
  double d2 = 0.0;
  for (int k = 0; k < dim; ++k) d2 += (hi[k] - lo[k]) * (hi[k] - lo[k]);
  return d2;
}

Column potential_column(const Side& s, int dim) {
  Column out("mf::ot::dual", s.n);
  const Packed p = s.packed;
  Kokkos::parallel_for("mf::ot::copy_potential", s.n, KOKKOS_LAMBDA(const int i) { out(i) = p(i, dim + 1); });
  Kokkos::fence();
  return out;
}

double sum_view(const Column& v, int n) {
  double s = 0.0;
  Kokkos::parallel_reduce("mf::ot::sum", n, KOKKOS_LAMBDA(const int i, double& acc) { acc += v(i); }, s);
  return s;
}

}  // namespace

SinkhornResult sinkhorn(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("sinkhorn: eps must be finite and > 0, got " + std::to_string(opt.eps));
  if (!(opt.tol > 0.0)) throw std::invalid_argument("sinkhorn: tol must be > 0");
  if (!(opt.scaling_factor > 0.0 && opt.scaling_factor < 1.0))
    throw std::invalid_argument("sinkhorn: scaling_factor must be in (0, 1)");
  if (!(opt.relaxation >= 1.0 && opt.relaxation < 2.0))
    throw std::invalid_argument("sinkhorn: relaxation must be in [1, 2)");
  const double t_start = MPI_Wtime();
  const int dim = x.dim;
  Side X = pack(comm, x, dim, "x");
  Side Y = pack(comm, y, dim, "y");

  SinkhornResult r;
  // ε-scaling: large ε first (fast, well-conditioned), each stage warm-starting the next; only the
  // final stage is held to the user's tolerance.
  double eps = opt.eps;
  if (opt.eps_scaling) eps = std::max(opt.eps, squared_diameter(comm, X, Y, dim));
  int it = 0;
  double err = std::numeric_limits<double>::infinity();
  while (it < opt.max_iterations) {
    const bool final_stage = eps <= opt.eps;
    const double stage_tol = final_stage ? opt.tol : std::max(opt.tol, opt.stage_tol);
    // Over-relaxation only where iterations are many (the last stage; earlier ones take a handful).
    // Plain Sinkhorn decreases the violation steadily; if the relaxed iteration ever increases it,
    // the stage continues unrelaxed, so the fixed point and its convergence are plain Sinkhorn's.
    double omega = final_stage ? opt.relaxation : 1.0;
    err = std::numeric_limits<double>::infinity();
    while (it < opt.max_iterations && err > stage_tol) {
      store_potential(X, softmin(comm, X, Y, dim, eps), dim, omega);
      const Column g = softmin(comm, Y, X, dim, eps);
      const double previous = err;
      err = marginal_violation(comm, Y, g, dim, eps);
      // The exact g update on the last iteration gives the returned plan exact y-marginals.
      store_potential(Y, g, dim, err > stage_tol ? omega : 1.0);
      ++it;
      if (!std::isfinite(err)) throw SolverError("sinkhorn: marginal error is not finite at eps = " + std::to_string(eps));
      if (err > previous) omega = 1.0;
    }
    if (final_stage) break;
    eps = std::max(opt.eps, eps * opt.scaling_factor);
  }
  r.iterations = it;
  r.converged = err <= opt.tol && eps <= opt.eps;

  // Plan statistics in one more sweep: π has exact column sums after the last g update; its row sums
  // give the remaining marginal violation.
  Column cost("mf::ot::row_cost", X.n), log_ratio("mf::ot::row_log_ratio", X.n), mass("mf::ot::row_mass", X.n);
  ring_sweep(comm, Y, dim, [&](const Packed& block, int rows) {
    detail::plan_accumulate(X.packed, X.n, block, rows, dim, opt.eps, cost, log_ratio, mass);
  });
  const Packed px = X.packed;
  double row_err = 0.0;
  Kokkos::parallel_reduce(
      "mf::ot::row_error", X.n,
      KOKKOS_LAMBDA(const int i, double& e) {
        const double a = px(i, dim) > -1e300 ? kmath::exp(px(i, dim)) : 0.0;
        e += kmath::fabs(mass(i) - a);
      },
      row_err);
  const double transport = sum_all(comm, sum_view(cost, X.n));
  const double ratio = sum_all(comm, sum_view(log_ratio, X.n));
  const double total = sum_all(comm, sum_view(mass, X.n));
  r.transport_cost = transport;
  // ε KL(π | a⊗b) = Σ π (f + g − C) − ε (Σ π − 1), the generalised KL of a plan of any mass.
  r.entropic_cost = transport + ratio - opt.eps * (total - 1.0);
  r.marginal_error = sum_all(comm, row_err);
  r.f = potential_column(X, dim);
  r.g = potential_column(Y, dim);
  r.seconds = MPI_Wtime() - t_start;
  double slowest = 0.0;
  MPI_Allreduce(&r.seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
  r.seconds = slowest;
  return r;
}

double sinkhorn_divergence(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, const SinkhornOptions& opt) {
  const double xy = sinkhorn(comm, x, y, opt).entropic_cost;
  const double xx = sinkhorn(comm, x, x, opt).entropic_cost;
  const double yy = sinkhorn(comm, y, y, opt).entropic_cost;
  return xy - 0.5 * (xx + yy);
}

double self_entropic_cost(MPI_Comm comm, const WeightedPoints& x, const SinkhornOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("self_entropic_cost: eps must be finite and > 0, got " + std::to_string(opt.eps));
  const int dim = x.dim;
  Side X = pack(comm, x, dim, "x");
  double eps = opt.eps;
  if (opt.eps_scaling) eps = std::max(opt.eps, squared_diameter(comm, X, X, dim));
  int it = 0;
  while (it < opt.max_iterations) {
    const bool final_stage = eps <= opt.eps;
    const double stage_tol = final_stage ? opt.tol : std::max(opt.tol, opt.stage_tol);
    double err = std::numeric_limits<double>::infinity();
    while (it < opt.max_iterations && err > stage_tol) {
      const Column fresh = softmin(comm, X, X, dim, eps);
      err = marginal_violation(comm, X, fresh, dim, eps);
      // Averaging (ω = ½) damps the period-2 oscillation of the plain symmetric update.
      store_potential(X, fresh, dim, 0.5);
      ++it;
      if (!std::isfinite(err)) throw SolverError("self_entropic_cost: marginal error is not finite");
    }
    if (final_stage) break;
    eps = std::max(opt.eps, eps * opt.scaling_factor);
  }
  // One last plain update makes f the exact softmin of itself up to the tolerance; dual value 2⟨a, f⟩.
  store_potential(X, softmin(comm, X, X, dim, opt.eps), dim, 1.0);
  const Packed p = X.packed;
  double local = 0.0;
  Kokkos::parallel_reduce(
      "mf::ot::self_dual", X.n,
      KOKKOS_LAMBDA(const int i, double& acc) {
        if (p(i, dim) > -1e300) acc += kmath::exp(p(i, dim)) * p(i, dim + 1);
      },
      local);
  return 2.0 * sum_all(comm, local);
}

double sinkhorn_w2(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y, double eps) {
  SinkhornOptions opt;
  opt.eps = eps;
  return std::sqrt(std::max(sinkhorn_divergence(comm, x, y, opt), 0.0));
}

PointsView barycentric_projection(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y,
                                  const SinkhornResult& r, double eps) {
  const int dim = x.dim;
  Side X = pack(comm, x, dim, "x");
  Side Y = pack(comm, y, dim, "y");
  if (r.f.extent(0) != static_cast<size_t>(X.n) || r.g.extent(0) != static_cast<size_t>(Y.n))
    throw std::invalid_argument("barycentric_projection: potentials do not match the local blocks");
  const Packed px = X.packed, py = Y.packed;
  const Column f = r.f, g = r.g;
  Kokkos::parallel_for("mf::ot::set_f", X.n, KOKKOS_LAMBDA(const int i) { px(i, dim + 1) = f(i); });
  Kokkos::parallel_for("mf::ot::set_g", Y.n, KOKKOS_LAMBDA(const int j) { py(j, dim + 1) = g(j); });
  Kokkos::fence();
  Packed numerator("mf::ot::projection", X.n, dim);
  Column denominator("mf::ot::projection_mass", X.n);
  ring_sweep(comm, Y, dim, [&](const Packed& block, int rows) {
    detail::projection_accumulate(X.packed, X.n, block, rows, dim, eps, numerator, denominator);
  });
  PointsView out("mf::ot::barycentric_projection", X.n, dim);
  Kokkos::parallel_for(
      "mf::ot::projection_finish", X.n, KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < dim; ++k) out(i, k) = numerator(i, k) / denominator(i);
      });
  Kokkos::fence();
  return out;
}

}  // namespace mf::ot
