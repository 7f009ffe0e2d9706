#include <mpi.h>

#include <algorithm>
#include <cmath>

#include "boundary_densities.hpp"
#include "dynamic_ot_views.hpp"
#include "multilevel_start.hpp"
#include "measureflow/grid_field.hpp"
#include "space_time_field.hpp"

namespace mf::dynamic_ot {

namespace {
std::function<double(const double*)> density_of(const std::function<double(const double*)>& override_fn,
                                                const MeasureSpec& spec, std::shared_ptr<Measure>& keep) {
  if (override_fn) return override_fn;
  keep = make_measure(spec);
  const Measure* m = keep.get();
  return [m](const double* x) { return m->density(x); };
}
}  // namespace

DynamicOtEulerian::DynamicOtEulerian(const DynamicOtConfig& config, MPI_Comm comm)
    : config_(config), st_(comm, config.space, config.time_cells), grid_(comm, config.space, 1) {
  std::shared_ptr<Measure> m0, m1;
  double mass0 = 1.0, mass1 = 1.0;
  SliceView a0 = boundary_density(st_, density_of(config.initial_density, config.initial, m0), &mass0);
  SliceView a1 = boundary_density(st_, density_of(config.target_density, config.target, m1), &mass1);
  truncated_mass_ = std::max(std::abs(1.0 - mass0), std::abs(1.0 - mass1));
  BenamouBrenierSolver::Options opt;
  opt.method = config.method;
  opt.tolerance = config.tolerance;
  opt.max_iterations = config.max_iterations;
  opt.step = config.step;
  opt.poisson = parse_poisson_method(config.poisson);
  opt.relaxation = config.relaxation;
  opt.progress = config.progress;
  opt.auto_tolerance = config.tolerance_auto;
  // solver.tolerance: auto estimates the discretisation error from the grid twice as coarse: two levels at least.
  const int levels = config.tolerance_auto ? std::max(config.levels, 2) : config.levels;
  solver_ = std::make_unique<BenamouBrenierSolver>(st_, a0, a1, opt);
  // solver.levels > 1: start from the solution on the grids 2, 4, ... times coarser (primal_dual only).
  const CoarseWork coarse = multilevel_start(*solver_, st_, density_of(config.initial_density, config.initial, m0),
                                             density_of(config.target_density, config.target, m1), opt,
                                             config.method == Method::PrimalDual ? levels : 1);
  stats_ = solver_->solve();
  stats_.coarse_levels = coarse.levels;
  stats_.coarse_iterations = coarse.iterations;
  stats_.coarse_work = coarse.cell_iterations / (static_cast<double>(st_.space_cells()) * time_cells());
  stats_.seconds_coarse = coarse.seconds;
  stats_.seconds_total += coarse.seconds;
  density_ = grid_.create_global();
  for (int a = 0; a < grid_.dim(); ++a) velocity_.push_back(grid_.create_global());
  select_time(0.0);
}

namespace {

// Calls f(spatial natural index, local logical index with time slot `time_local`) over the owned
// spatial block; natural order is x fastest over the whole spatial grid.
template <class F>
void each_owned_space(const SpaceTimeGrid& st, PetscInt time_local, F&& f) {
  const int d = st.space_dim();
  const Box4& o = st.owned();
  PetscInt count[3] = {1, 1, 1};
  for (int a = 0; a < d; ++a) count[a] = o.count[a];
  for (PetscInt k = 0; k < count[2]; ++k)
    for (PetscInt j = 0; j < count[1]; ++j)
      for (PetscInt i = 0; i < count[0]; ++i) {
        std::array<PetscInt, 4> l{0, 0, 0, 0};
        const PetscInt s[3] = {i, j, k};
        PetscInt natural = 0;
        for (int a = d - 1; a >= 0; --a) {
          l[a] = s[a];
          natural = natural * st.cells(a) + o.start[a] + s[a];
        }
        l[d] = time_local;
        f(natural, l, s);
      }
}

}  // namespace

std::vector<double> DynamicOtEulerian::slice_density(PetscInt k) {
  const int d = st_.space_dim();
  const PetscInt nt = st_.cells(d);
  const Box4& o = st_.owned();
  std::vector<double> local(st_.space_cells(), 0.0), global(st_.space_cells(), 0.0);
  const PetscInt cell = std::min(k, nt - 1);
  const PetscInt t0 = o.start[d], t1 = o.start[d] + o.count[d];
  // Ranks that share a spatial block but own other time blocks contribute zeros (d ≤ 2).
  if (cell >= t0 && cell < t1) {
    StBlockRead rho(solver_->staggered()[d], o);
    const SliceView a0 = solver_->ops().alpha0(), a1 = solver_->ops().alpha1();
    each_owned_space(st_, cell - t0, [&](PetscInt n, const std::array<PetscInt, 4>& l, const PetscInt* s) {
      local[n] = k == 0 ? a0(s[2], s[1], s[0]) : k == nt ? a1(s[2], s[1], s[0]) : rho.at(l);
    });
  }
  MPI_Allreduce(local.data(), global.data(), static_cast<int>(local.size()), MPI_DOUBLE, MPI_SUM, st_.comm());
  return global;
}

std::vector<double> DynamicOtEulerian::slice_momentum(PetscInt k, int axis) {
  const int d = st_.space_dim();
  const PetscInt nt = st_.cells(d);
  const Box4& o = st_.owned();
  std::vector<double> local(st_.space_cells(), 0.0), global(st_.space_cells(), 0.0);
  // Face k of time sits between centred cells k − 1 and k.
  const double w = (k == 0 || k == nt) ? 1.0 : 0.5;
  StBlockRead m(solver_->centred()[axis], o);
  const PetscInt t0 = o.start[d];
  for (PetscInt cell : {k - 1, k}) {
    if (cell < 0 || cell >= nt || cell < t0 || cell >= t0 + o.count[d]) continue;
    each_owned_space(st_, cell - t0, [&](PetscInt n, const std::array<PetscInt, 4>& l, const PetscInt*) {
      local[n] += w * m.at(l);
    });
  }
  MPI_Allreduce(local.data(), global.data(), static_cast<int>(local.size()), MPI_DOUBLE, MPI_SUM, st_.comm());
  return global;
}

void DynamicOtEulerian::fill_from_natural(const std::vector<double>& natural, Vec out) const {
  const IndexBox& o = grid_.owned();
  const auto& n = grid_.spec().cells;
  VecBlockWrite w(out, o);
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i)
        w.view()(k, j, i) = natural[((o.start[2] + k) * n[1] + o.start[1] + j) * n[0] + o.start[0] + i];
}

void DynamicOtEulerian::select_time(double t) {
  const PetscInt nt = st_.cells(st_.space_dim());
  face_ = std::clamp<PetscInt>(static_cast<PetscInt>(std::lround(t * nt)), 0, nt);
  const std::vector<double> rho = slice_density(face_);
  fill_from_natural(rho, density_);
  for (int a = 0; a < grid_.dim(); ++a) {
    std::vector<double> v = slice_momentum(face_, a);
    for (std::size_t c = 0; c < v.size(); ++c) v[c] = rho[c] > config_.velocity_threshold ? v[c] / rho[c] : 0.0;
    fill_from_natural(v, velocity_[a]);
  }
}

std::vector<std::pair<std::string, Vec>> DynamicOtEulerian::extra_fields() {
  static const char* names[3] = {"velocity_x", "velocity_y", "velocity_z"};
  std::vector<std::pair<std::string, Vec>> f;
  for (std::size_t a = 0; a < velocity_.size(); ++a) f.emplace_back(names[a], velocity_[a].get());
  return f;
}

}  // namespace mf::dynamic_ot
