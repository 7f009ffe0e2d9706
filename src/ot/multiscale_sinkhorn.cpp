// Multiscale Sinkhorn with reduced-cost truncation (multiscale_sinkhorn.hpp).
// Why a second solver beside the dense streaming one: at ε = a few h² the kernel exp(−|x − y|²/ε) is
// negligible beyond a few cells, so visiting all n·m pairs (1.6·10⁹ for 128² cells × 10⁵ particles) is
// wasted work; the bins find the pairs that matter, and coarse bin levels give the ε-scaling stages at
// large ε their few points.
//
// Each stage absorbs the potentials so far into the kernel (f = f̂ + ε log u, g = ĝ + ε log v), keeps the
// pairs whose reduced cost under f̂, ĝ is ≤ θ·ε (sparse_kernel.hpp), and iterates on the log-scalings
// log u, log v: a sweep is a sparse product, with no exponential per pair. When a scaling drifts far
// (|log u| > kAbsorbAt), the potentials are absorbed again and the kernel rebuilt, so nothing overflows.
#include "measureflow/ot/multiscale_sinkhorn.hpp"

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <string>

#include "bin_hierarchy.hpp"
#include "cross_transform_stage.hpp"
#include "grid_gauss_transform.hpp"
#include "multiscale_cross.hpp"
#include "plain_rate_relaxation.hpp"
#include "over_relaxation.hpp"
#include "quiet_wait.hpp"
#include "row_slices.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/log_event.hpp"
#include "sparse_kernel.hpp"

namespace mf::ot {

namespace {

using detail::Level;
using detail::Real1;
using detail::Real2;
using detail::Slices;
using detail::SparseKernel;

constexpr double kAbsorbAt = 30.0;

// The truncated kernel of T against S for this rank's rows; θ doubles until no row is empty on any rank
// (a point whose partners were all cut would get an infinite potential). The pairs are stored when every
// rank's share fits in opt.max_stored_pairs (decided on the largest share, so the same on every rank).
// recycled: the kernel this one replaces (its pair buffers are reused; it is left without stored pairs).
// No defaults: with `bool columns = false` a call kernel(..., sl, &k) compiled and passed &k as columns=true.
SparseKernel kernel(MPI_Comm comm, const Level& T, const Real1& ft, const Level& S, const Real1& gs, double eps,
                    const MultiscaleOptions& opt, const Slices& sl, bool columns, SparseKernel* recycled) {
  SparseKernel k;
  for (double theta = opt.truncation;; theta *= 2.0) {
    // The transposed products (columns) read the double values.
    k = detail::build_stored_kernel(T, ft, S, gs, eps, theta * eps, sl.lo(), sl.hi(), opt.max_stored_pairs, recycled,
                                    opt.single_precision_kernel && !columns);
    recycled = &k;  // a retry with a larger θ reuses this attempt's buffers
    int empty = 0;
    for (int i = 0; i + 1 < static_cast<int>(k.row_start.size()); ++i) empty |= k.row_start[i] == k.row_start[i + 1];
    detail::allreduce_quietly(&empty, 1, MPI_INT, MPI_MAX, comm);  // waits for the slowest rank's build
    if (empty && theta < 1e6) continue;
    long long largest = k.pairs();
    MPI_Allreduce(MPI_IN_PLACE, &largest, 1, MPI_LONG_LONG, MPI_MAX, comm);
    if (largest > opt.max_stored_pairs) detail::unstore_pairs(k);
    // columns: the sources' sweep will run over these pairs too (transposed), so no source may be empty.
    if (columns && k.stored && theta < 1e6) {
      std::vector<int> seen(S.n, 0);
      for (int j : k.col) seen[j] = 1;
      MPI_Allreduce(MPI_IN_PLACE, seen.data(), S.n, MPI_INT, MPI_MAX, comm);
      if (std::find(seen.begin(), seen.end(), 0) != seen.end()) continue;
    }
    return k;
  }
}

// The kernels of a cross stage: xy (this rank's rows of X) and yx (rows of Y, the same pairs). With
// opt.transposed_sweeps and xy stored, yx is not built: the y side runs over xy's stored pairs by
// columns, so the pairs are held once (half the memory), at the price of summing the columns over ranks.
struct CrossKernels {
  SparseKernel xy, yx;
  bool transposed = false;
};

// k: the kernels of the previous stage or build, replaced in place (their pair buffers are reused).
void build_cross_kernels(MPI_Comm comm, const Level& X, const Real1& f, const Level& Y, const Real1& g, double eps,
                         const MultiscaleOptions& opt, const Slices& sx, const Slices& sy, CrossKernels& k) {
  k.xy = kernel(comm, X, f, Y, g, eps, opt, sx, opt.transposed_sweeps, &k.xy);
  k.transposed = opt.transposed_sweeps && k.xy.stored;
  if (k.transposed)
    k.yx = SparseKernel();  // held once: the y side runs over xy by columns
  else
    k.yx = kernel(comm, Y, g, X, f, eps, opt, sy, false, &k.yx);
}

// e(i) = a_i exp(lu_i) for this rank's rows of k: the row factors of the transposed products.
Real1 row_factors(const SparseKernel& k, const Real1& lu) {
  Real1 e("mf::ot::ms_row_factor", lu.extent(0));
  for (int i = k.lo; i < k.hi; ++i) e(i) = k.T.w(i) * std::exp(lu(i));
  return e;
}

// fresh(j) = −log Σ_i a_i exp(−r_ij/ε) exp(lu_i) for every source of k, over k's stored pairs by columns
// (summed over ranks; the stored values hold b_j, divided out).
void column_scaling_update(MPI_Comm comm, const SparseKernel& k, const Real1& lu, const Real1& fresh) {
  Kokkos::deep_copy(fresh, 0.0);
  detail::add_column_sums(k, row_factors(k, lu), fresh);
  MPI_Allreduce(MPI_IN_PLACE, fresh.data(), static_cast<int>(fresh.extent(0)), MPI_DOUBLE, MPI_SUM, comm);
  for (int j = 0; j < k.S.n; ++j) fresh(j) = k.S.lw(j) - std::log(fresh(j));
}

// Every row's kept pairs in k (all ranks' rows, gathered; sl: the slices k was built on): the weights of
// slices balanced by pairs.
std::vector<long long> row_pairs(MPI_Comm comm, const SparseKernel& k, const Slices& sl) {
  std::vector<long long> w(k.T.n, 0);
  for (int i = k.lo; i < k.hi; ++i) w[i] = k.row_start[i - k.lo + 1] - k.row_start[i - k.lo];
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, w.data(), sl.counts.data(), sl.displs.data(), MPI_LONG_LONG, comm);
  return w;
}

// A cross stage's rows balanced by kept pairs (row_slices.hpp): every sweep waits for the rank with the most
// pairs in its gather, and with rows split by count shear_2d's 2ε stage held 0.06, 1.10, 1.10 and 0.07·10⁶
// xy pairs on 4 ranks. A row's sum is the same whichever rank takes it, so the bits do not change. The
// weights of a level are the last build's pairs per row; a stage's first build on slices more than
// kRebalanceAbove uneven (its largest share against a balanced split's) is built again on balanced ones:
// one more build against every sweep of the stage waiting on the heaviest share. Not with
// opt.transposed_sweeps, where the columns are summed over ranks (the slices would change the bits).
constexpr double kRebalanceAbove = 1.2;

struct BalancedSlices {
  int level = -1;
  std::vector<long long> wx, wy;  // pairs per row of xy and yx at `level` (empty: split by count)
  long long was_x = 0, was_y = 0;  // the largest share of the slices the last kernels were built on
  Slices x(MPI_Comm comm, const Level& L) const { return wx.empty() ? Slices(comm, L.n) : Slices(comm, wx); }
  Slices y(MPI_Comm comm, const Level& L) const { return wy.empty() ? Slices(comm, L.n) : Slices(comm, wy); }
  // Records k's pairs per row; true (and sx, sy balanced) when the slices k was built on are too uneven.
  bool rebalance(MPI_Comm comm, const CrossKernels& k, Slices& sx, Slices& sy) {
    wx = row_pairs(comm, k.xy, sx);
    wy = row_pairs(comm, k.yx, sy);
    const Slices bx(comm, wx), by(comm, wy);
    was_x = sx.largest_share(wx);
    was_y = sy.largest_share(wy);
    const bool uneven = was_x > kRebalanceAbove * bx.largest_share(wx) || was_y > kRebalanceAbove * by.largest_share(wy);
    if (uneven) {
      sx = bx;
      sy = by;
    }
    return uneven;
  }
};

long long total_pairs(MPI_Comm comm, const SparseKernel& k) {
  long long p = k.pairs();
  MPI_Allreduce(MPI_IN_PLACE, &p, 1, MPI_LONG_LONG, MPI_SUM, comm);
  return p;
}

// fresh(i) = −log Σ_j val_ij exp(ls_j) for every target (this rank's rows, then gathered).
void scaling_update(MPI_Comm comm, const SparseKernel& k, const Real1& ls, const Slices& sl, const Real1& fresh) {
  Real1 e("mf::ot::ms_scale", ls.extent(0));
  for (std::size_t j = 0; j < ls.extent(0); ++j) e(j) = std::exp(ls(j));
  detail::log_row_sums(k, e, fresh);
  for (int i = k.lo; i < k.hi; ++i) fresh(i) = -fresh(i);
  sl.gather(comm, fresh);
}

// The barycentric map of every target point under the current plan (this rank's rows, then gathered).
detail::Real2 barycentres(MPI_Comm comm, const SparseKernel& k, const Real1& ls, const Slices& sl) {
  const int d = k.T.dim;
  detail::Real2 b("mf::ot::ms_barycentres", k.T.n, d);
  detail::row_barycentres(k, ls, b);
  std::vector<int> counts(sl.counts), displs(sl.displs);
  for (std::size_t r = 0; r < counts.size(); ++r) {
    counts[r] *= d;
    displs[r] *= d;
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, b.data(), counts.data(), displs.data(), MPI_DOUBLE, comm);
  return b;
}

// The barycentric map of every source point of k under the plan, over k's stored pairs by columns.
detail::Real2 column_barycentres(MPI_Comm comm, const SparseKernel& k, const Real1& lu) {
  const int d = k.S.dim;
  detail::Real2 m("mf::ot::ms_column_moments", k.S.n, d + 1);
  detail::add_column_moments(k, row_factors(k, lu), m);
  MPI_Allreduce(MPI_IN_PLACE, m.data(), static_cast<int>(m.size()), MPI_DOUBLE, MPI_SUM, comm);
  detail::Real2 b("mf::ot::ms_barycentres", k.S.n, d);
  for (int j = 0; j < k.S.n; ++j)
    for (int a = 0; a < d; ++a) b(j, a) = m(j, d) > 0.0 ? m(j, a) / m(j, d) : k.S.pos(j, a);
  return b;
}

// Σ_j w_j |exp(old_j − fresh_j) − 1|: the L1 violation of this side's marginal by the plan built with `old`.
double violation(const Level& L, const Real1& old, const Real1& fresh) {
  double e = 0.0;
  for (int j = 0; j < L.n; ++j) e += L.w(j) * std::fabs(std::exp(old(j) - fresh(j)) - 1.0);
  return e;
}

double dot(const Level& L, const Real1& p) {
  double s = 0.0;
  for (int j = 0; j < L.n; ++j) s += L.w(j) * p(j);
  return s;
}

double max_abs(const Real1& a) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.extent(0); ++i) m = std::max(m, std::fabs(a(i)));
  return m;
}

// lu ← lu − c, lv ← lv + c, with c centring the two ranges on zero as far as one constant can. The plan
// a_i e^{lu_i} K_ij e^{lv_j} b_j, the next updates and the dual value after absorbing are the same (the
// constant only moves between f and g); what changes is that the rebuild test |log u|, |log v| > kAbsorbAt
// no longer fires on such a constant (lu all down by ~16, lv all up by ~16 on grid_relu_2d), which rebuilt
// the 2ε kernel one or two sweeps after it was built (docs/yardstick.md, "Kernel builds").
void centre_gauge(Real1& lu, Real1& lv) {
  auto mid = [](const Real1& a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < a.extent(0); ++i) {
      lo = std::min(lo, a(i));
      hi = std::max(hi, a(i));
    }
    return 0.5 * (lo + hi);
  };
  const double c = 0.5 * (mid(lu) - mid(lv));
  for (std::size_t i = 0; i < lu.extent(0); ++i) lu(i) -= c;
  for (std::size_t j = 0; j < lv.extent(0); ++j) lv(j) += c;
}

// pot ← pot + ε·ls, ls ← 0.
void absorb(Real1& pot, Real1& ls, double eps) {
  for (std::size_t i = 0; i < pot.extent(0); ++i) {
    pot(i) += eps * ls(i);
    ls(i) = 0.0;
  }
}

// MF_MULTISCALE_TRACE: one line per stage, printed by rank 0 alone (every rank has the same numbers).
bool tracing(MPI_Comm comm) {
  if (!std::getenv("MF_MULTISCALE_TRACE")) return false;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank == 0;
}

// opt.relative_truncation: the absorbed potentials move up by half of each point's smallest reduced cost
// (in 3D where it is negative), f̂_i += min(m_i, 0) / 2 with m_i = min_j |x_i − y_j|² − f̂_i − ĝ_j over all y (and ĝ_j by
// min(m'_j, 0) / 2 over all x), and the log-scalings by the opposite amount, so the plan is unchanged. The
// kernel's rule r ≤ θε then reads r_ij − (m_i + m'_j)/2 ≤ θε: a window above the pair's own minima, the same
// expression in both orientations (the transposed kernel keeps the same pairs). Near a fixed point every
// row and column has a pair with r ≤ 0 (Σ_j b_j exp(−r_ij/ε) ≈ 1), so the clamp rarely acts; it lets the
// minima come from the pairs with r ≤ 0 alone (sparse_kernel.hpp: nonpositive_minima), a kernel-like pass,
// instead of an exact search over all points (a minute per centring at 10⁶ points in 3D).
//
// In 1–2D the exact minima (exact_c_transform, one search per point) are the cheaper ones (at 10⁵ points in
// 2D the bins' pass took 0.96 s per centring, the search about half that), and they are kept there unclamped.
void center_on_minima(MPI_Comm comm, const Level& X, const Level& Y, Real1& f, Real1& g, Real1& lu, Real1& lv,
                      double eps, const Slices& sx, const Slices& sy) {
  const double t0 = MPI_Wtime();
  Real1 mx("mf::ot::ms_row_minimum", X.n), my("mf::ot::ms_column_minimum", Y.n);
  if (X.dim < 3) {
    detail::exact_c_transform(Y, g, X.pos.data(), sx.lo(), sx.hi(), mx.data());  // g^c(x_i)
    detail::exact_c_transform(X, f, Y.pos.data(), sy.lo(), sy.hi(), my.data());  // f^c(y_j)
    sx.gather(comm, mx);
    sy.gather(comm, my);
    for (int i = 0; i < X.n; ++i) mx(i) -= f(i);
    for (int j = 0; j < Y.n; ++j) my(j) -= g(j);
  } else {
    detail::nonpositive_minima(X, f, Y, g, sx.lo(), sx.hi(), mx, my);
    sx.gather(comm, mx);
    MPI_Allreduce(MPI_IN_PLACE, my.data(), Y.n, MPI_DOUBLE, MPI_MIN, comm);
  }
  for (int i = 0; i < X.n; ++i) {
    const double shift = 0.5 * mx(i);
    f(i) += shift;
    lu(i) -= shift / eps;
  }
  for (int j = 0; j < Y.n; ++j) {
    const double shift = 0.5 * my(j);
    g(j) += shift;
    lv(j) -= shift / eps;
  }
  if (tracing(comm))
    std::fprintf(stderr, "multiscale centring: n %d x %d, minima %.2f s\n", X.n, Y.n, MPI_Wtime() - t0);
}

struct Stage {
  double eps;
  int level;
  bool recorded;  // solved to the final tolerance, dual value kept
};

std::vector<Stage> schedule(const std::vector<Level>& lx, const std::vector<Level>& ly, double diameter2,
                            const MultiscaleOptions& opt) {
  const int levels = static_cast<int>(std::min(lx.size(), ly.size()));
  const int top = std::max(1, static_cast<int>(std::ceil(std::log2(std::max(diameter2 / opt.eps, 1.0)))));
  const int last_recorded = opt.record_2eps ? 1 : 0;
  std::vector<Stage> st;
  for (int k = top; k >= 0; --k) {
    const double eps = opt.eps * std::ldexp(1.0, k);
    // The level: the finest where the interaction radius sqrt(10 ε) spans at most max_radius_bins bins.
    const double r = std::sqrt(10.0 * eps);
    int level = 0;
    if (k > last_recorded)
      while (level + 1 < levels && std::ceil(r / lx[level].s_min) > opt.max_radius_bins) ++level;
    st.push_back({eps, level, k <= last_recorded});
  }
  return st;
}

struct Recorded {
  double value_2eps = 0.0, value_eps = 0.0, error = 0.0, transport_cost = 0.0;
  long long pairs = 0;
  int iterations = 0;
  int transform_stages = 0;
  int rebalanced_builds = 0;
  bool converged = true;
  Real1 f, g;  // the cross solve's potentials at the last stage (level 0), for the exact step
};

void trace(MPI_Comm comm, const char* what, const Stage& s, int n, int m, long long pairs, bool stored, int sweeps,
           int rebuilds, double err, double started) {
  if (tracing(comm))
    std::fprintf(stderr, "multiscale %s: eps %.3e level %d n %d x %d pairs %lld (%.1f per row, %s) sweeps %d rebuilds %d err %.2e cpu %.3f s\n",
                 what, s.eps, s.level, n, m, pairs, static_cast<double>(pairs) / std::max(n, 1), stored ? "stored" : "streamed",
                 sweeps, rebuilds, err, static_cast<double>(std::clock()) / CLOCKS_PER_SEC - started);
}

// OT_ε(x, y) by alternating updates over the stages; dual values ⟨a, f⟩ + ⟨b, g⟩ at the recorded stages
// and the primal cost ⟨π, C⟩ of the last plan. f0, g0: absorbed potentials on the first stage's level to
// start from (copied), instead of zero.
Recorded cross_solve(MPI_Comm comm, const std::vector<Level>& X, const std::vector<Level>& Y,
                     const std::vector<Stage>& stages, const MultiscaleOptions& opt, const Real1* f0 = nullptr,
                     const Real1* g0 = nullptr) {
  Recorded rec;
  Real1 f, g;
  Real2 bx, by;  // barycentric maps of the last stage's plan (gradient_prolongation)
  CrossKernels k;  // declared here so that every stage and rebuild reuses the pair buffers
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  const bool balance = ranks > 1 && !opt.transposed_sweeps;  // BalancedSlices
  BalancedSlices balanced;
  int cur = -1;
  for (std::size_t si = 0; si < stages.size(); ++si) {
    const Stage& s = stages[si];
    if (cur < 0) {
      f = Real1("mf::ot::ms_f", X[s.level].n);
      g = Real1("mf::ot::ms_g", Y[s.level].n);
      if (f0 && g0) {
        Kokkos::deep_copy(f, *f0);
        Kokkos::deep_copy(g, *g0);
      }
    }
    for (; cur > s.level; --cur) {
      if (opt.gradient_prolongation && bx.extent(0) == static_cast<std::size_t>(X[cur].n)) {
        f = detail::prolong_linear(X[cur - 1], X[cur], f, bx);
        g = detail::prolong_linear(Y[cur - 1], Y[cur], g, by);
        bx = detail::prolong_rows(X[cur - 1], bx);
        by = detail::prolong_rows(Y[cur - 1], by);
      } else {
        f = detail::prolong(X[cur - 1], f);
        g = detail::prolong(Y[cur - 1], g);
      }
    }
    cur = s.level;
    const double started = static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
    const Level &LX = X[cur], &LY = Y[cur];
    const double tol = s.recorded ? opt.tol : std::max(opt.tol, opt.stage_tol);
    // Over-relaxed updates on the recorded stages, where the sweeps are many (over_relaxation.hpp: plain ones
    // once the violation rises, or ω adapted to the observed contraction), and a plain v update last (the
    // returned plan has exact y marginals).
    const detail::OverRelaxation relax_start(s.recorded || opt.relax_every_stage ? opt.relaxation : 1.0,
                                             opt.adaptive_relaxation, tol);
    // Level 0 with x on its own lattice: window contractions instead of a kernel (cross_transform_stage.hpp).
    if (cur == 0 && detail::cross_transform_wanted(opt, LX)) {
      const bool last = s.recorded && s.eps == stages.back().eps;
      const bool own_omega = opt.transform_relaxation > 0.0 && relax_start.omega() > 1.0;  // only where over-relaxed
      const detail::OverRelaxation relax_transform =
          own_omega ? detail::OverRelaxation(opt.transform_relaxation, opt.adaptive_relaxation, tol) : relax_start;
      const detail::TransformStage t = detail::cross_stage_by_transform(
          comm, LX, LY, s.eps, tol, relax_transform, opt.truncation, opt.max_iterations - rec.iterations, last && opt.plan_cost, opt.cross_transform > 0,
          f, g);
      if (tracing(comm) && (t.done || t.sweeps > 0))  // not traced where it was not tried (it would not pay)
        std::fprintf(stderr, "multiscale cross (grid transform%s): eps %.3e level 0 n %d x %d window %lld sweeps %d err %.2e outer-layer mass %.1e cpu %.3f s\n",
                     t.done ? "" : ", rejected", s.eps, LX.n, LY.n, t.window_cells, t.sweeps, t.err, t.outer_share,
                     static_cast<double>(std::clock()) / CLOCKS_PER_SEC - started);
      if (t.done) {
        rec.iterations += t.sweeps;
        ++rec.transform_stages;
        if (s.recorded) {
          rec.converged = rec.converged && t.err <= tol;
          if (last) rec.transport_cost = t.transport_cost;
          (s.eps > opt.eps ? rec.value_2eps : rec.value_eps) = dot(LX, f) + dot(LY, g);
          rec.error = t.err;
        }
        continue;
      }
    }
    if (balanced.level != cur) balanced = BalancedSlices{cur, {}, {}};
    Slices sx = balance ? balanced.x(comm, LX) : Slices(comm, LX.n);
    Slices sy = balance ? balanced.y(comm, LY) : Slices(comm, LY.n);
    Real1 lu("mf::ot::ms_lu", LX.n), lv("mf::ot::ms_lv", LY.n);
    Real1 fu("mf::ot::ms_lu_fresh", LX.n), fv("mf::ot::ms_lv_fresh", LY.n);
    if (opt.relative_truncation) center_on_minima(comm, LX, LY, f, g, lu, lv, s.eps, sx, sy);
    build_cross_kernels(comm, LX, f, LY, g, s.eps, opt, sx, sy, k);
    // lu, lv from center_on_minima hold every row already (exact minima, the same on any slices).
    if (balance && balanced.rebalance(comm, k, sx, sy)) {
      build_cross_kernels(comm, LX, f, LY, g, s.eps, opt, sx, sy, k);
      ++rec.rebalanced_builds;
      if (tracing(comm))
        std::fprintf(stderr, "multiscale cross: eps %.3e level %d rows balanced by pairs, largest share xy %lld -> %lld, yx %lld -> %lld\n",
                     s.eps, s.level, balanced.was_x, sx.largest_share(balanced.wx), balanced.was_y,
                     sy.largest_share(balanced.wy));
    }
    rec.pairs = std::max(rec.pairs, total_pairs(comm, k.xy));
    double err = std::numeric_limits<double>::infinity();
    int stage_it = 0, rebuilds = 0;
    detail::OverRelaxation relax(relax_start.omega(), opt.adaptive_relaxation, tol, opt.relaxation_toward_optimum);
    // The static solves' rule instead (opt.relaxation_from_plain_rate, plain_rate_relaxation.hpp): thousands of
    // sweeps to tol 1e-6 at ε = h², where measuring the plain rate first pays; the yardstick's short stages
    // (20–450 sweeps to 1e-3) start from ω instead (over_relaxation.hpp).
    detail::PlainRateRelaxation from_plain;
    const auto omega_now = [&] { return opt.relaxation_from_plain_rate ? from_plain.omega() : relax.omega(); };
    while (err > tol && rec.iterations < opt.max_iterations) {
      if (max_abs(lu) > kAbsorbAt || max_abs(lv) > kAbsorbAt) centre_gauge(lu, lv);
      if (max_abs(lu) > kAbsorbAt || max_abs(lv) > kAbsorbAt) {
        absorb(f, lu, s.eps);
        absorb(g, lv, s.eps);
        if (opt.relative_truncation) center_on_minima(comm, LX, LY, f, g, lu, lv, s.eps, sx, sy);
        build_cross_kernels(comm, LX, f, LY, g, s.eps, opt, sx, sy, k);  // in the old pairs' buffers
        ++rebuilds;
        relax.kernel_rebuilt();
      }
      scaling_update(comm, k.xy, lv, sx, fu);
      const double wu = omega_now();
      for (int i = 0; i < LX.n; ++i) lu(i) += wu * (fu(i) - lu(i));
      if (k.transposed)
        column_scaling_update(comm, k.xy, lu, fv);
      else
        scaling_update(comm, k.yx, lu, sy, fv);
      ++stage_it;
      err = violation(LY, lv, fv);
      if (!opt.relaxation_from_plain_rate) {
        relax.observe(err);
      } else if (std::isfinite(err) && err > 0.0) {
        const double was = from_plain.omega();
        if (from_plain.next(err) != was && tracing(comm))
          std::fprintf(stderr, "multiscale cross: eps %.3e level %d sweep %d err %.2e omega %.4f\n", s.eps, s.level, stage_it, err,
                       from_plain.omega());
      }
      const double w = err > tol ? omega_now() : 1.0;
      for (int j = 0; j < LY.n; ++j) lv(j) += w * (fv(j) - lv(j));
      ++rec.iterations;
      // Long stages (the finest level at 10⁶ points) show their progress every 100 sweeps.
      if (stage_it % 100 == 0 && LX.n >= 200000 && tracing(comm))
        std::fprintf(stderr, "multiscale cross: eps %.3e level %d sweep %d err %.2e cpu %.1f s\n", s.eps, s.level, stage_it, err,
                     static_cast<double>(std::clock()) / CLOCKS_PER_SEC - started);
      if (!std::isfinite(err)) throw SolverError("multiscale Sinkhorn: marginal error is not finite at eps = " + std::to_string(s.eps));
    }
    trace(comm, "cross", s, LX.n, LY.n, total_pairs(comm, k.xy), k.xy.stored, stage_it, rebuilds, err, started);
    if (s.recorded) {
      rec.converged = rec.converged && err <= tol;
      if (s.eps == stages.back().eps && opt.plan_cost) {
        Real1 rows("mf::ot::ms_row_cost", LX.n);
        detail::plan_row_costs(k.xy, lu, lv, rows);
        sx.gather(comm, rows);
        rec.transport_cost = 0.0;
        for (int i = 0; i < LX.n; ++i) rec.transport_cost += rows(i);
      }
    }
    if (opt.gradient_prolongation && si + 1 < stages.size() && stages[si + 1].level < cur) {
      bx = barycentres(comm, k.xy, lv, sx);
      by = k.transposed ? column_barycentres(comm, k.xy, lu) : barycentres(comm, k.yx, lu, sy);
    }
    absorb(f, lu, s.eps);
    absorb(g, lv, s.eps);
    if (s.recorded) {
      (s.eps > opt.eps ? rec.value_2eps : rec.value_eps) = dot(LX, f) + dot(LY, g);
      rec.error = err;
    }
  }
  rec.f = f;
  rec.g = g;
  return rec;
}

// The weight ω of sweep `it` of the self term's damped fixed point p ← p + ω (softmin p − p), in 3D.
// Why: near the fixed point the map's Jacobian is 1 − ω(1 + P), P the plan's row-normalised matrix, whose
// eigenvalues lie in [0, 1] (it is similar to a Gaussian kernel's positive semi-definite matrix). The plain
// average (ω = 1/2) leaves the rough modes (P ≈ 0) at 1/2 a sweep; the two-step Chebyshev cycle for
// 1 + P ∈ [1, 2], ω = 1/(3/2 ± (1/2)cos(π/4)), takes every mode down by at least 1/17 in two sweeps (≈ 0.24 a
// sweep), and each of its steps alone contracts every mode (|1 − ω μ| < 1 on [1, 2]). The first sweep, from a
// potential prolonged from the coarser level (far from the fixed point), and every sweep after the violation
// grew, are plain averages; so is the last (the caller's), as only ω = 1/2 removes the constant mode (μ = 2): the
// estimate 2⟨a, softmin p⟩ after a Chebyshev step was off by twice the a-weighted mean of p's error, to first
// order. The 3D value is now the dual objective, second order whatever the last step; the plain last step still
// passes a settled potential to the next stage (docs/yardstick.md, "The 3D yardstick's sixth round").
double self_sweep_weight(int it, bool grew) {
  if (it == 0 || grew) return 0.5;
  const double half_spread = 0.5 * std::sqrt(0.5);  // (1/2) cos(π/4)
  return 1.0 / (it % 2 == 1 ? 1.5 + half_spread : 1.5 - half_spread);
}

// One self-term stage on the grid Gauss transform (no kernel, no truncation): the same averaged fixed point
// on the potential itself, p ← (p + softmin p)/2, with softmin p = −ε log Σ_j b_j exp((p_j − |x − x_j|²)/ε);
// in 3D its sweeps after the first run the Chebyshev weights of self_sweep_weight instead (2D keeps its values).
// False (p untouched) when the transform is not usable here; the caller then runs the sparse kernel.
bool self_stage_gauss(MPI_Comm comm, const Level& L, const Stage& s, const MultiscaleOptions& opt, const Slices& sl,
                      Real1& p, Recorded& rec) {
  const double started = static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
  // In 3D at the yardstick's θ a coarser lattice (grid_gauss_transform.hpp, lattice_step_for).
  const detail::GridGaussTransform gt(L, s.eps, 20000000, detail::lattice_step_for(L.dim, opt.truncation));
  if (!gt.usable()) return false;
  Real1 q("mf::ot::ms_gauss_p", L.n), fresh("mf::ot::ms_gauss_fresh", L.n);
  Kokkos::deep_copy(q, p);
  if (L.dim == 3) detail::self_potential_at_half_eps(q, s.eps, L.dim);  // p comes from the stage at 2ε
  // softmin(q) into fresh (all points), false on a sum that under- or overflowed (on any rank).
  auto softmin = [&]() {
    int ok = gt.log_sums(comm, q, fresh, sl.lo(), sl.hi()) ? 1 : 0;
    detail::allreduce_quietly(&ok, 1, MPI_INT, MPI_MIN, comm);  // waits for the slowest rank's sums
    for (int i = sl.lo(); i < sl.hi(); ++i) fresh(i) = -s.eps * fresh(i);
    sl.gather(comm, fresh);
    return ok == 1;
  };
  const double tol = s.recorded ? opt.tol : std::max(opt.tol, opt.stage_tol);
  double err = std::numeric_limits<double>::infinity();
  int stage_it = 0;
  bool grew = false;
  double dual_value = 0.0;  // 3D: the dual objective at (q, softmin q) of the last sweep
  while (err > tol && rec.iterations < opt.max_iterations) {
    if (!softmin()) return false;
    // The L1 violation of the marginal of the plan built with q on both sides.
    const double previous = err;
    err = 0.0;
    for (int i = 0; i < L.n; ++i) err += L.w(i) * std::fabs(std::exp((q(i) - fresh(i)) / s.eps) - 1.0);
    grew = grew || err > previous;
    if (L.dim == 3 && s.recorded) dual_value = dot(L, q) + dot(L, fresh);
    const double w = L.dim == 3 && err > tol ? self_sweep_weight(stage_it, grew) : 0.5;
    if (w == 0.5)
      for (int i = 0; i < L.n; ++i) q(i) = 0.5 * (q(i) + fresh(i));
    else
      for (int i = 0; i < L.n; ++i) q(i) += w * (fresh(i) - q(i));
    ++rec.iterations;
    ++stage_it;
    if (!std::isfinite(err)) return false;
  }
  if (tracing(comm))
    std::fprintf(stderr, "multiscale self (gauss transform): eps %.3e level %d n %d lattice %lld sweeps %d err %.2e cpu %.3f s\n",
                 s.eps, s.level, L.n, gt.lattice_points(), stage_it, err, static_cast<double>(std::clock()) / CLOCKS_PER_SEC - started);
  if (s.recorded) {
    rec.converged = rec.converged && err <= tol;
    double& value = s.eps > opt.eps ? rec.value_2eps : rec.value_eps;
    if (L.dim == 3) {
      // The dual objective at (q, softmin q) of the last sweep, ⟨a, q⟩ + ⟨a, softmin q⟩ (softmin q is q's exact
      // c-transform, so the plan's mass term vanishes): a lower bound of OT_ε(x, x), off by the square of q's
      // error, like the estimate below; it saves that estimate's extra sweep (a splat and a gather of every point).
      value = dual_value;
    } else {
      // A last plain update: at the fixed point q = softmin(q), and OT_ε(x, x) = 2⟨a, softmin q⟩.
      if (!softmin()) return false;
      value = 2.0 * dot(L, fresh);
    }
  }
  Kokkos::deep_copy(p, q);
  return true;
}

// OT_ε(x, x) by the symmetric averaged fixed point p ← (p + softmin(p)) / 2; dual value 2⟨a, p⟩. The kernel
// of a cloud against itself under one potential p̂ is symmetric: one matrix serves both sides.
Recorded self_solve(MPI_Comm comm, const std::vector<Level>& X, const std::vector<Stage>& stages,
                    const MultiscaleOptions& opt) {
  Recorded rec;
  Real1 p;
  SparseKernel k;  // declared here so that every stage and rebuild reuses the pair buffers
  int cur = -1;
  for (Stage s : stages) {
    // A 3D grid view runs its level-1 stages on level 0 too, where the separable convolution on its own lattice
    // pays: the level-1 kernel keeps 1.1–1.6·10³ pairs per row on linear_3d and its builds were a fifth of the
    // yardstick, the convolution costs a few ms a sweep (docs/yardstick.md, "The 3D yardstick's fifth round").
    if (s.level == 1 && X[0].dim == 3 && opt.gauss_transform < 0 && detail::separable_cost_per_point(X[0], s.eps) > 0.0 &&
        detail::gauss_transform_pays(X[0], s.eps, opt.truncation))
      s.level = 0;
    if (cur < 0) p = Real1("mf::ot::ms_p", X[s.level].n);
    for (; cur > s.level; --cur) p = detail::prolong(X[cur - 1], p);
    cur = s.level;
    const double started = static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
    const Level& L = X[cur];
    const Slices sl(comm, L.n);
    // A cloud much denser than ε: the Gauss transform replaces the pairs (grid_gauss_transform.hpp). The
    // decision depends on the cloud alone, so it is the same on every rank.
    const bool gauss = s.level == 0 && (opt.gauss_transform > 0 ||
                                        (opt.gauss_transform < 0 && detail::gauss_transform_pays(L, s.eps, opt.truncation)));
    if (gauss && self_stage_gauss(comm, L, s, opt, sl, p, rec)) continue;
    Real1 lp("mf::ot::ms_lp", L.n), fresh("mf::ot::ms_lp_fresh", L.n);
    k = kernel(comm, L, p, L, p, s.eps, opt, sl, false, &k);
    const double tol = s.recorded ? opt.tol : std::max(opt.tol, opt.stage_tol);
    double err = std::numeric_limits<double>::infinity();
    int stage_it = 0, rebuilds = 0;
    while (err > tol && rec.iterations < opt.max_iterations) {
      if (max_abs(lp) > kAbsorbAt) {
        absorb(p, lp, s.eps);
        k = kernel(comm, L, p, L, p, s.eps, opt, sl, false, &k);
        ++rebuilds;
      }
      scaling_update(comm, k, lp, sl, fresh);
      err = violation(L, lp, fresh);
      for (int i = 0; i < L.n; ++i) lp(i) = 0.5 * (lp(i) + fresh(i));
      ++rec.iterations;
      ++stage_it;
      if (!std::isfinite(err)) throw SolverError("multiscale Sinkhorn (self term): marginal error is not finite");
    }
    trace(comm, "self", s, L.n, L.n, total_pairs(comm, k), k.stored, stage_it, rebuilds, err, started);
    if (s.recorded) {
      rec.converged = rec.converged && err <= tol;
      // A last plain update: at the fixed point p = softmin(p), and OT_ε(x, x) = 2⟨a, p⟩.
      scaling_update(comm, k, lp, sl, fresh);
      Real1 last("mf::ot::ms_p_last", L.n);
      for (int i = 0; i < L.n; ++i) last(i) = p(i) + s.eps * fresh(i);
      (s.eps > opt.eps ? rec.value_2eps : rec.value_eps) = 2.0 * dot(L, last);
    }
    absorb(p, lp, s.eps);
  }
  return rec;
}

double squared_box_diagonal(const HostCloud& x, const HostCloud& y) {
  const int d = x.dim;
  double s = 0.0;
  for (int a = 0; a < d; ++a) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const HostCloud* c : {&x, &y})
      for (std::size_t i = 0; i < c->size(); ++i) {
        lo = std::min(lo, c->positions[d * i + a]);
        hi = std::max(hi, c->positions[d * i + a]);
      }
    s += (hi - lo) * (hi - lo);
  }
  return s;
}

}  // namespace

namespace detail {

namespace {

CrossPotentials cross_potentials(const Recorded& r) {
  CrossPotentials out;
  out.f = r.f;
  out.g = r.g;
  out.transport_cost = r.transport_cost;
  out.entropic_cost = r.value_eps;
  out.marginal_error = r.error;
  out.pairs = r.pairs;
  out.iterations = r.iterations;
  out.converged = r.converged;
  return out;
}

}  // namespace

CrossPotentials multiscale_cross_potentials(MPI_Comm comm, const std::vector<Level>& X, const std::vector<Level>& Y,
                                            const HostCloud& x, const HostCloud& y, const MultiscaleOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("multiscale_cross_potentials: eps must be finite and > 0, got " + std::to_string(opt.eps));
  MultiscaleOptions o = opt;
  o.record_2eps = false;
  return cross_potentials(cross_solve(comm, X, Y, schedule(X, Y, squared_box_diagonal(x, y), o), o));
}

CrossPotentials continue_cross_potentials(MPI_Comm comm, const Level& X0, const Level& Y0, const Real1& f,
                                          const Real1& g, double eps_from, const MultiscaleOptions& opt) {
  if (!(opt.eps > 0.0) || !(eps_from > opt.eps))
    throw std::invalid_argument("continue_cross_potentials: need 0 < eps < eps_from, got " + std::to_string(opt.eps) +
                                " and " + std::to_string(eps_from));
  MultiscaleOptions o = opt;
  o.record_2eps = false;
  // ε_from / 2, ε_from / 4, ... down to opt.eps, all on level 0; only the last one solved to tol.
  std::vector<Stage> stages;
  const int k_top = std::max(0, static_cast<int>(std::ceil(std::log2(eps_from / opt.eps))) - 1);
  for (int k = k_top; k >= 0; --k) stages.push_back({opt.eps * std::ldexp(1.0, k), 0, k == 0});
  return cross_potentials(cross_solve(comm, {X0}, {Y0}, stages, o, &f, &g));
}

double multiscale_self_cost(MPI_Comm comm, const std::vector<Level>& X, const HostCloud& x, const MultiscaleOptions& opt,
                            bool& converged) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("multiscale_self_cost: eps must be finite and > 0, got " + std::to_string(opt.eps));
  MultiscaleOptions o = opt;
  o.record_2eps = false;
  const Recorded r = self_solve(comm, X, schedule(X, X, squared_box_diagonal(x, x), o), o);
  converged = r.converged;
  return r.value_eps;
}

}  // namespace detail

MultiscaleDivergence multiscale_divergence(MPI_Comm comm, const HostCloud& x, const HostCloud& y,
                                           const BinLattice& lattice, const MultiscaleOptions& opt) {
  if (!(opt.eps > 0.0) || !std::isfinite(opt.eps))
    throw std::invalid_argument("multiscale_divergence: eps must be finite and > 0, got " + std::to_string(opt.eps));
  if (lattice.dim < 1 || lattice.dim > 3) throw std::invalid_argument("multiscale_divergence: dimension must be 1, 2 or 3");
  const ScopedLogEvent event("mf::ot::multiscale_divergence");
  const double t0 = MPI_Wtime();
  const std::clock_t c0 = std::clock();
  const std::vector<Level> X = detail::hierarchy(x, lattice, "x");
  const std::vector<Level> Y = detail::hierarchy(y, lattice, "y");
  const std::vector<Stage> stages = schedule(X, Y, squared_box_diagonal(x, y), opt);
  const Recorded xy = cross_solve(comm, X, Y, stages, opt);
  const Recorded xx = opt.self_terms ? self_solve(comm, X, stages, opt) : Recorded{};
  const Recorded yy = opt.self_terms ? self_solve(comm, Y, stages, opt) : Recorded{};
  MultiscaleDivergence r;
  r.eps = opt.eps;
  if (opt.self_terms) {
    r.divergence = xy.value_eps - 0.5 * (xx.value_eps + yy.value_eps);
    r.divergence_2eps = xy.value_2eps - 0.5 * (xx.value_2eps + yy.value_2eps);
  }
  r.marginal_error = xy.error;
  r.entropic_cost = xy.value_eps;
  r.transport_cost = xy.transport_cost;
  r.kernel_pairs = xy.pairs;
  r.iterations = xy.iterations;
  r.transform_stages = xy.transform_stages;
  r.rebalanced_builds = xy.rebalanced_builds;
  r.converged = xy.converged && xx.converged && yy.converged;
  const double seconds = MPI_Wtime() - t0;
  MPI_Allreduce(&seconds, &r.seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  MPI_Allreduce(&cpu, &r.cpu_seconds, 1, MPI_DOUBLE, MPI_SUM, comm);
  return r;
}

}  // namespace mf::ot
