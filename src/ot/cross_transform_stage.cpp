// A cross stage on the grid cross transform (cross_transform_stage.hpp).
#include "cross_transform_stage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grid_cross_transform.hpp"
#include "row_slices.hpp"
#include "sparse_kernel.hpp"

namespace mf::ot::detail {

bool cross_transform_wanted(const MultiscaleOptions& opt, const Level& X) {
  if (opt.relative_truncation || opt.transposed_sweeps || opt.gradient_prolongation) return false;
  return opt.cross_transform > 0 || (opt.cross_transform < 0 && X.dim == 3);
}

namespace {

// The most mass the rows may have on their windows' outermost layers (each side, cells in no window included),
// per unit of the stage's L1 marginal tolerance: the windows may move the marginals by a thousandth of what the
// solve leaves.
constexpr double kOuterMassPerTol = 1e-3;
// The windows hold the pairs with a Gaussian factor above e^{−(θ + margin)}.
constexpr double kWindowMargin = 10.0;

// −ε log of one side's window sums for this rank's rows, gathered: the exact update of that side's potential.
// False on every rank when a sum failed on any.
template <class Sums>
bool softmin(MPI_Comm comm, const Slices& sl, double eps, const Real1& out, Sums&& sums) {
  int ok = sums(sl.lo(), sl.hi()) ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm);
  for (int i = sl.lo(); i < sl.hi(); ++i) out(i) = -eps * out(i);
  sl.gather(comm, out);
  return ok == 1;
}

// Σ_i w_i S_outer,i/S_full,i over the rows, from the two updates −ε log S: the mass of the rows on their
// windows' outermost layer (a row in no window, +inf, counts whole; an empty layer, +inf, counts 0). In index
// order: the same on every rank.
double outer_mass(const Level& L, const Real1& full, const Real1& layer, double eps) {
  double m = 0.0;
  for (int i = 0; i < L.n; ++i) m += L.w(i) * (std::isinf(full(i)) ? 1.0 : std::exp((full(i) - layer(i)) / eps));
  return m;
}

}  // namespace

// Each rank searches its slice of the tail cells (in index order, by count), then the slices are gathered: the
// search was every rank's whole tail before, about a tenth of a stage's processor time per rank on 2 ranks
// (docs/yardstick.md, "The 3D yardstick's ninth round"). A cell's value does not depend on which rank finds it
// (an exact minimum, then a sum over the same pairs in the same order), so the bits do not depend on the ranks.
int tail_cells_by_c_transform(MPI_Comm comm, const Level& X, const Level& Y, const Real1& g, const Real1& fresh, double eps,
                              double truncation, Real1& f) {
  std::vector<int> tail;
  std::vector<double> at;
  for (int i = 0; i < X.n; ++i)
    if (std::isinf(fresh(i))) {
      tail.push_back(i);
      for (int a = 0; a < X.dim; ++a) at.push_back(X.pos(i, a));
    }
  const int count = static_cast<int>(tail.size());  // the same on every rank (gathered potentials)
  if (count == 0) return 0;
  const Slices st(comm, count);
  Real1 value("mf::ot::ct_tail_value", count);
  std::vector<double> map(at.size());
  soft_c_transform(Y, g, eps, truncation, at.data(), st.lo(), st.hi(), value.data(), map.data());
  st.gather(comm, value);
  for (int q = 0; q < count; ++q) f(tail[q]) = value(q);
  return count;
}

TransformStage cross_stage_by_transform(MPI_Comm comm, const Level& X, const Level& Y, double eps, double tol, OverRelaxation relax,
                                        double truncation, int max_sweeps, bool want_cost, bool forced, Real1& f, Real1& g) {
  TransformStage t;
  const GridCrossTransform gt(X, Y, eps, truncation + kWindowMargin);
  int usable = gt.usable() ? 1 : 0;  // the same on every rank (same clouds), checked all the same
  MPI_Allreduce(MPI_IN_PLACE, &usable, 1, MPI_INT, MPI_MIN, comm);
  if (!usable) return t;
  t.window_cells = gt.window_cells();
  // Where it pays: a grid larger than one window. A smaller grid lies within every particle's window, where the
  // sparse kernel keeps fewer pairs than the windows hold cells and its build is cheap (dynamic_ot's 3D faces,
  // 228 cells against windows of 1551–3911 cells then, 2415–5567 now: the transform was slower there).
  if (!forced && t.window_cells >= X.n) return t;
  const Slices sx(comm, X.n), sy(comm, Y.n);
  Real1 fc("mf::ot::ct_f", X.n), gc("mf::ot::ct_g", Y.n), fx("mf::ot::ct_f_fresh", X.n), fy("mf::ot::ct_g_fresh", Y.n);
  Kokkos::deep_copy(fc, f);
  Kokkos::deep_copy(gc, g);
  auto update_x = [&](const Real1& out, int part) {
    return softmin(comm, sx, eps, out, [&](int lo, int hi) { return gt.log_sums_at_x(gc, out, lo, hi, part); });
  };
  auto update_y = [&](const Real1& out, int part) {
    return softmin(comm, sy, eps, out, [&](int lo, int hi) { return gt.log_sums_at_y(fc, out, lo, hi, part); });
  };
  double err = std::numeric_limits<double>::infinity();
  while (err > tol && t.sweeps < max_sweeps) {
    if (!update_x(fx, 0)) return TransformStage{};
    const double wx = relax.omega();
    for (int i = 0; i < X.n; ++i)
      if (!std::isinf(fx(i))) fc(i) += wx * (fx(i) - fc(i));  // a cell in no window is set at the end
    if (!update_y(fy, 0)) return TransformStage{};
    ++t.sweeps;
    err = 0.0;
    for (int j = 0; j < Y.n; ++j) err += Y.w(j) * std::fabs(std::exp((gc(j) - fy(j)) / eps) - 1.0);
    if (!std::isfinite(err)) return TransformStage{};
    relax.observe(err);
    const double w = err > tol ? relax.omega() : 1.0;
    for (int j = 0; j < Y.n; ++j) gc(j) += w * (fy(j) - gc(j));
  }
  t.err = err;
  // The window check under the final potentials, both orientations: full sums against the sums over the
  // window's outermost layer alone (a failed sum counts as a share of 1). The layer alone, not the window less
  // it: about a fifth of the rows at full width and two cells of the others; measured up to a third cheaper
  // than the inner sums on linear_3d (at ε no cheaper for the particles): a row touched costs its cache lines
  // however few of its cells are used
  // (docs/yardstick.md, "The 3D yardstick's eighth round").
  constexpr int kWhole = GridCrossTransform::kWhole, kLayer = GridCrossTransform::kOuterLayer;
  Real1 lx("mf::ot::ct_f_layer", X.n), ly("mf::ot::ct_g_layer", Y.n);
  const bool y_ok = (t.sweeps > 0 || update_y(fy, kWhole)) && update_y(ly, kLayer);  // fy is already from the final f
  const bool x_ok = update_x(fx, kWhole) && update_x(lx, kLayer);
  t.outer_share = y_ok && x_ok ? std::max(outer_mass(Y, fy, ly, eps), outer_mass(X, fx, lx, eps)) : 1.0;
  if (!(t.outer_share <= kOuterMassPerTol * tol)) return t;
  tail_cells_by_c_transform(comm, X, Y, gc, fx, eps, truncation, fc);
  if (want_cost) {
    Real1 rows("mf::ot::ct_row_cost", Y.n);
    gt.row_costs(fc, gc, rows, sy.lo(), sy.hi());
    sy.gather(comm, rows);
    for (int j = 0; j < Y.n; ++j) t.transport_cost += rows(j);
  }
  Kokkos::deep_copy(f, fc);
  Kokkos::deep_copy(g, gc);
  t.done = true;
  return t;
}

}  // namespace mf::ot::detail
