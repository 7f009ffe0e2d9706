#include "measureflow/diagnostics.hpp"

#include <mpi.h>

#include <cmath>
#include <sstream>

#include "measureflow/cross_view_w2.hpp"
#include "measureflow/deposit_cic.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/ot/gaussian.hpp"

namespace mf {

double relative_mean_error(const Moments& got, const Moments& exact) {
  return norm2(got.mean - exact.mean) / std::sqrt(trace(exact.cov));
}

double relative_cov_error(const Moments& got, const Moments& exact) {
  return frobenius_norm(got.cov - exact.cov) / frobenius_norm(exact.cov);
}

double gaussian_w2_error(const Moments& got, const Moments& exact) {
  const double w2sq = ot::w2_squared_gaussian(got.mean, got.cov, exact.mean, exact.cov);
  return std::sqrt(std::max(w2sq, 0.0)) / std::sqrt(trace(exact.cov));
}

namespace {
// Σ|a_i − b_i| (or Σ|a_i| without b) over the owned entries in index order, then over the ranks. Not
// VecNorm(NORM_1): PETSc hands that to BLAS dasum, whose vectorised kernel (OpenBLAS on AVX-512) sums in an
// order set by the array's address alignment, so the same run gave metrics differing in the last bit from
// one launch to the next (regression.restart.gradient_flow_bdf2 compares them bitwise).
double ordered_l1(Vec a, Vec b) {
  PetscInt n = 0;
  PetscCallThrow(VecGetLocalSize(a, &n));
  const PetscScalar* x = nullptr;
  const PetscScalar* y = nullptr;
  PetscCallThrow(VecGetArrayRead(a, &x));
  if (b) PetscCallThrow(VecGetArrayRead(b, &y));
  double local = 0.0;
  for (PetscInt i = 0; i < n; ++i) local += std::fabs(y ? x[i] - y[i] : x[i]);
  if (b) PetscCallThrow(VecRestoreArrayRead(b, &y));
  PetscCallThrow(VecRestoreArrayRead(a, &x));
  double total = 0.0;
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, PetscObjectComm(reinterpret_cast<PetscObject>(a)));
  return total;
}
}  // namespace

double relative_l1(Vec a, Vec b) {
  const double num = ordered_l1(a, b);
  const double den = ordered_l1(b, nullptr);
  return den > 0.0 ? num / den : num;
}

namespace {
double vec_sum(Vec v) {
  PetscScalar s = 0.0;
  PetscCallThrow(VecSum(v, &s));
  return s;
}
}  // namespace

Diagnostics::Diagnostics(Model& model, MPI_Comm comm, DiagnosticsOptions options)
    : model_(model), comm_(comm), options_(std::move(options)) {
  if (model_.eulerian) {
    baseline_.grid_mass0 = vec_sum(model_.eulerian->density()) * model_.eulerian->grid().cell_volume();
    scratch_ = model_.eulerian->grid().create_global();
  }
  if (model_.lagrangian) {
    baseline_.particles0 = compute_moments(comm_, model_.lagrangian->particles().as_points());
  }
}

DiagnosticsBaseline Diagnostics::baseline() const { return baseline_; }

void Diagnostics::restore(const DiagnosticsBaseline& b) { baseline_ = b; }

void Diagnostics::check_health(double t) const {
  std::ostringstream problem;
  if (model_.eulerian) {
    const double s = vec_sum(model_.eulerian->density());
    if (!std::isfinite(s)) problem << "eulerian density is not finite (sum " << s << ")";
  }
  if (model_.lagrangian) {
    const auto& p = model_.lagrangian->particles();
    auto x = p.positions;
    const int d = p.dim();
    long long bad = 0;
    Kokkos::parallel_reduce(
        "mf::driver::particle_health", Kokkos::RangePolicy<>(0, p.size()),
        KOKKOS_LAMBDA(const int i, long long& n) {
          for (int a = 0; a < d; ++a)
            if (!(x(i, a) == x(i, a)) || x(i, a) - x(i, a) != 0.0) {
              ++n;
              return;
            }
        },
        bad);
    long long total = 0;
    MPI_Allreduce(&bad, &total, 1, MPI_LONG_LONG, MPI_SUM, comm_);
    if (total > 0) problem << (problem.tellp() > 0 ? "; " : "") << total << " particles have non-finite positions";
  }
  const std::string text = problem.str();
  if (!text.empty()) {
    std::ostringstream msg;
    msg << "numerical failure at t = " << t << ": " << text;
    throw SolverError(msg.str());
  }
}

Metrics Diagnostics::evaluate(double t, bool final_output) {
  Metrics m;
  std::optional<Moments> exact;
  if (model_.closed_form) exact = model_.closed_form->moments(t);

  if (model_.eulerian) {
    EulerianView& e = *model_.eulerian;
    const Grid& grid = e.grid();
    const Moments gm = grid_moments(grid, e.density());
    m["eulerian.mass"] = gm.mass;
    // The moments themselves (not only their errors): what rank-count tests compare to round-off.
    m["eulerian.cov_trace"] = trace(gm.cov);
    m["eulerian.mean_norm"] = norm2(gm.mean);
    m["eulerian.mass_drift"] = std::abs(gm.mass - baseline_.grid_mass0) / baseline_.grid_mass0;
    PetscReal vmin = 0.0;
    PetscCallThrow(VecMin(e.density(), nullptr, &vmin));
    m["eulerian.min_density"] = vmin;
    if (exact) {
      m["eulerian.mean_error"] = relative_mean_error(gm, *exact);
      m["eulerian.cov_error"] = relative_cov_error(gm, *exact);
    }
    if (model_.closed_form && model_.closed_form->cell_averages(t, grid, scratch_)) {
      m["eulerian.l1_error"] = relative_l1(e.density(), scratch_);
    }
    if (exact && model_.closed_form->is_gaussian(t))
      m["eulerian.w2_error"] = gaussian_w2_error(gm, *exact);
  }
  if (model_.lagrangian) {
    const ParticleSet& p = model_.lagrangian->particles();
    const Moments pm = compute_moments(comm_, p.as_points());
    m["lagrangian.mass_drift"] = std::abs(pm.mass - baseline_.particles0.mass) / baseline_.particles0.mass;
    m["lagrangian.particles"] = static_cast<double>(global_count(p, comm_));
    m["lagrangian.cov_trace"] = trace(pm.cov);
    m["lagrangian.mean_norm"] = norm2(pm.mean);
    if (exact) {
      m["lagrangian.mean_error"] = relative_mean_error(pm, *exact);
      m["lagrangian.cov_error"] = relative_cov_error(pm, *exact);
      if (model_.closed_form->is_gaussian(t)) m["lagrangian.w2_error"] = gaussian_w2_error(pm, *exact);
    }
    if (model_.closed_form) {
      if (auto pushed = model_.closed_form->push_forward(t, baseline_.particles0)) {
        // Integrator error alone: the same particles moved by the exact flow map.
        m["lagrangian.integrator_mean_error"] = relative_mean_error(pm, *pushed);
        m["lagrangian.integrator_cov_error"] = relative_cov_error(pm, *pushed);
      }
    }
  }
  if (model_.eulerian && model_.lagrangian) {
    const Grid& grid = model_.eulerian->grid();
    deposit_cic(grid, model_.lagrangian->particles(), scratch_);
    m["cross.l1_eulerian_lagrangian"] = relative_l1(scratch_, model_.eulerian->density());
    // A model that reports its own cross W2 would overwrite the Driver's: no second solve (docs/yardstick.md).
    const bool want_w2 = !model_.reports_cross_w2() && (options_.w2_when == DiagnosticsOptions::W2When::Outputs ||
                         (options_.w2_when == DiagnosticsOptions::W2When::Final && final_output));
    if (want_w2) {
      const CrossW2 r = cross_view_w2(grid, model_.eulerian->density(), model_.lagrangian->particles(),
                                      options_.w2_eps, options_.w2_particles);
      add_cross_w2_metrics(r, m);
    }
  }
  model_.add_metrics(t, m);
  return m;
}

}  // namespace mf
