#include "gradient_flow_eulerian.hpp"

#include <cmath>
#include <algorithm>
#include <numeric>

#include "gradient_flow_closed_form.hpp"
#include "jko_heat_1d.hpp"
#include "jko_quantiles.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/grid_field.hpp"
#include "measureflow/moments.hpp"

namespace mf::gradient_flow {

GradientFlowEulerian::GradientFlowEulerian(const GradientFlowConfig& config, MPI_Comm comm, const Measure& initial)
    : config_(config), grid_(comm, config.domain, config.second_order ? 2 : 1, DMDA_STENCIL_STAR), density_(grid_.create_global()),
      fv_(grid_, make_local_energy(config.energy)) {
  backup_ = grid_.create_global();
  if (config.bdf2) {
    previous_ = grid_.create_global();
    base_ = grid_.create_global();
  }
  if (config.scheme == EulerianScheme::Jko && config.jko_solver != JkoSolver::Quantiles) {
    initial_grid_density(initial, grid_, density_);
    if (config.jko_solver == JkoSolver::BackAndForth) {
      JkoBfmOptions opt;
      opt.tolerance = config.jko_tolerance;
      opt.max_iterations = config.jko_max_iterations;
      opt.warm_start = config.jko_warm_start;
      jko_grid_ = std::make_unique<JkoBfmSolver>(config.domain, make_local_energy(config.energy), opt);
    } else {
      JkoGridOptions opt;
      opt.time_cells = config.jko_time_cells;
      opt.tolerance = config.jko_tolerance;
      opt.max_iterations = config.jko_max_iterations;
      opt.step = config.jko_step_size;
      opt.warm_start = config.jko_warm_start;
      jko_grid_ = std::make_unique<JkoGridSolver>(config.domain, make_local_energy(config.energy), opt);
    }
    PetscCallThrow(DMDAGlobalToNaturalAllCreate(grid_.dm(), to_all_.out()));
    PetscCallThrow(VecCreateSeq(PETSC_COMM_SELF, grid_.global_cells(), all_.out()));
    if (config.initial.type == "gaussian") {
      const int d = config.domain.dim;
      const Matrix& c = config.initial.cov;
      bool isotropic = true;
      for (int a = 0; a < d; ++a)
        for (int b = 0; b < d; ++b)
          if (std::abs(c(a, b) - (a == b ? c(0, 0) : 0.0)) > 1e-12 * c(0, 0)) isotropic = false;
      if (isotropic) jko_sd_exact_ = std::sqrt(c(0, 0));
    }
    energies_.push_back(fv_.energy(density_));
    return;
  }
  if (config.scheme == EulerianScheme::Jko) {
    // Validated: 1D heat equation. The grid density is only the nodes' picture, for the diagnostics.
    quantiles_ = measure_quantiles_1d(initial, config.domain.lower[0], config.domain.upper[0], config.jko_nodes);
    quantiles0_ = quantiles_;
    if (config.initial.type == "gaussian") jko_sd_exact_ = std::sqrt(config.initial.cov(0, 0));
    quantiles_to_cell_averages(quantiles_, grid_, density_);
    energies_.push_back(quantile_entropy(quantiles_));
    return;
  }
  initial_grid_density(initial, grid_, density_);
  if (config.energy.interaction != Interaction::None) {
    convolution_ = std::make_unique<GridConvolution>(grid_, make_interaction(config.energy, grid_.dim()));
    phi_ = grid_.create_global();
    phi_backup_ = grid_.create_global();
    refresh_interaction();
  }
  energies_.push_back(fv_.energy(density_));
}

void GradientFlowEulerian::refresh_interaction() {
  if (!convolution_) return;
  convolution_->apply(density_, phi_);
  fv_.set_frozen_potential(phi_);
}

void GradientFlowEulerian::advance(double /*t*/, double dt) {
  const int n = std::max(1, static_cast<int>(std::ceil(dt / config_.dt * (1.0 - 1e-12))));
  const double h = dt / n;
  for (int s = 0; s < n; ++s) {
    if (config_.scheme == EulerianScheme::Jko && jko_grid_)
      jko_grid_step(h);
    else if (config_.scheme == EulerianScheme::Jko)
      jko_step(h);
    else
      guarded_step(h, config_.max_step_halvings);
  }
}

// Why a guard and not a proof: with W∗ρ frozen over the step the scheme dissipates U + V exactly, but
// the interaction energy changes by ⟨Φ^n, δ⟩ + ½⟨δ, W δ⟩, δ = ρ^{n+1} − ρ^n, and the second term has
// no sign for the kernels offered (it is O(dt²), so small enough steps do decrease the energy).
// Treating W∗ρ implicitly would make every Newton residual a dense O(N²) sum with a dense Jacobian.
// Checking the energy costs one evaluation per step, and a rejected step costs two half steps.
void GradientFlowEulerian::guarded_step(double h, int depth) {
  const double e0 = energies_.back();
  PetscCallThrow(VecCopy(density_, backup_));
  if (phi_) PetscCallThrow(VecCopy(phi_, phi_backup_));
  bool failed = false;
  StepStats st;
  try {
    if (config_.bdf2 && h_previous_ > 0.0) {
      // Variable-step BDF2 in backward-Euler form, ω = h/h_prev:
      // ρ − ((1+ω)²ρ^n − ω²ρ^{n−1})/(1+2ω) = h (1+ω)/(1+2ω) (−div F(ρ)); the base keeps the mass.
      const double w = h / h_previous_;
      PetscCallThrow(VecAXPBYPCZ(base_, (1.0 + w) * (1.0 + w) / (1.0 + 2.0 * w), -w * w / (1.0 + 2.0 * w), 0.0,
                                 backup_, previous_));
      st = fv_.solve(base_, h * (1.0 + w) / (1.0 + 2.0 * w), density_);
    } else {
      st = fv_.step(density_, h);
    }
  } catch (const SolverError&) {
    PetscCallThrow(VecCopy(backup_, density_));
    if (depth == 0) throw;
    failed = true;
  }
  double e1 = e0;
  if (!failed) {
    refresh_interaction();
    e1 = fv_.energy(density_);
  }
  // The same test as energy_monotone(), so an accepted step never spoils that metric.
  const bool rises = e1 > e0 + 1e-12 * std::abs(e0);
  if ((failed || rises) && depth > 0) {
    ++rejected_;
    PetscCallThrow(VecCopy(backup_, density_));
    if (phi_) {
      PetscCallThrow(VecCopy(phi_backup_, phi_));
      fv_.set_frozen_potential(phi_);
    }
    guarded_step(0.5 * h, depth - 1);
    guarded_step(0.5 * h, depth - 1);
    return;
  }
  newton_.push_back(st.newton_iterations);
  linear_.push_back(st.linear_iterations);
  energies_.push_back(e1);
  if (config_.bdf2) {
    PetscCallThrow(VecCopy(backup_, previous_));
    h_previous_ = h;
  }
}

void GradientFlowEulerian::jko_step(double tau) {
  const JkoResult r = jko_heat_step_1d(quantiles_, tau);
  quantiles_ = r.quantiles;
  newton_.push_back(r.newton_iterations);
  linear_.push_back(0);
  if (jko_sd_exact_ > 0.0) jko_sd_exact_ = 0.5 * (jko_sd_exact_ + std::sqrt(jko_sd_exact_ * jko_sd_exact_ + 4.0 * tau));
  quantiles_to_cell_averages(quantiles_, grid_, density_);
  energies_.push_back(quantile_entropy(quantiles_));
}

// The density is gathered to every rank and the step solved there in full (jko_grid.hpp): the space-time
// problem of one density is small, and every rank then holds the same answer bit for bit.
void GradientFlowEulerian::jko_grid_step(double tau) {
  PetscCallThrow(VecScatterBegin(to_all_, density_, all_, INSERT_VALUES, SCATTER_FORWARD));
  PetscCallThrow(VecScatterEnd(to_all_, density_, all_, INSERT_VALUES, SCATTER_FORWARD));
  std::vector<double> rho(static_cast<size_t>(grid_.global_cells()));
  {
    const PetscScalar* a = nullptr;
    PetscCallThrow(VecGetArrayRead(all_, &a));
    std::copy(a, a + rho.size(), rho.begin());
    PetscCallThrow(VecRestoreArrayRead(all_, &a));
  }
  const JkoStepStats st = jko_grid_->step(rho, tau);
  {
    const IndexBox& ob = grid_.owned();
    VecBlockWrite out(density_, ob);
    const auto o = out.view();
    const long nx = grid_.spec().cells[0], ny = grid_.spec().cells[1];
    for (PetscInt k = 0; k < ob.count[2]; ++k)
      for (PetscInt j = 0; j < ob.count[1]; ++j)
        for (PetscInt i = 0; i < ob.count[0]; ++i)
          o(k, j, i) = rho[((ob.start[2] + k) * ny + ob.start[1] + j) * nx + ob.start[0] + i];
  }
  newton_.push_back(st.iterations);
  linear_.push_back(0);
  jko_w2sq_.push_back(st.w2sq);
  jko_w2sq_exact_.push_back(jko_exact_step_w2sq(tau));
  energies_.push_back(fv_.energy(density_));
}

double GradientFlowEulerian::jko_exact_step_w2sq(double tau) {
  const double t = jko_elapsed_;
  jko_elapsed_ += tau;
  if (jko_sd_exact_ > 0.0) {
    // One exact JKO step of V = k|x|²/2 + entropy from N(μ, s²I): N(μ/(1 + kτ), s'²I) (per axis
    // (s' − s)/τ − 1/s' + k s' = 0), moved by the linear map; W2² = d (s' − s)² + |μ' − μ|².
    const double k = config_.energy.potential == Potential::Quadratic ? config_.energy.potential_strength : 0.0;
    if (config_.energy.internal != Internal::Entropy) return -1.0;
    const double s = jko_sd_exact_;
    const double s1 = (s + std::sqrt(s * s + 4.0 * tau * (1.0 + k * tau))) / (2.0 * (1.0 + k * tau));
    jko_sd_exact_ = s1;
    double mu2 = 0.0;
    for (int a = 0; a < config_.domain.dim; ++a) mu2 += config_.initial.mean[a] * config_.initial.mean[a];
    const double shift = jko_mean_shift_ * (1.0 - 1.0 / (1.0 + k * tau));
    jko_mean_shift_ /= 1.0 + k * tau;
    return config_.domain.dim * (s1 - s) * (s1 - s) + shift * shift * mu2;
  }
  const bool barenblatt = config_.initial.type == "barenblatt" && config_.energy.internal == Internal::Porous &&
                          config_.energy.potential == Potential::None;
  if (!barenblatt) return -1.0;
  const int d = config_.domain.dim;
  const double beta = 1.0 / (d * (config_.energy.m - 1.0) + 2.0);
  const double t0 = config_.initial.t0 + t, t1 = t0 + tau;
  const double gap = std::pow(t1, beta) - std::pow(t0, beta);
  return gap * gap * barenblatt_unit_second_moment(d, config_.energy.m);
}

double GradientFlowEulerian::jko_step_w2sq_error() const {
  double worst = -1.0;
  for (size_t i = 0; i < jko_w2sq_.size(); ++i) {
    if (!(jko_w2sq_exact_[i] > 0.0)) return -1.0;
    worst = std::max(worst, std::abs(jko_w2sq_[i] - jko_w2sq_exact_[i]) / jko_w2sq_exact_[i]);
  }
  return worst;
}

double GradientFlowEulerian::jko_recursion_error() const {
  if (jko_grid_) {
    if (!(jko_sd_exact_ > 0.0) || config_.energy.internal != Internal::Entropy) return -1.0;
    const Moments mo = grid_moments(grid_, density_);
    double tr = 0.0;
    for (int a = 0; a < grid_.dim(); ++a) tr += mo.cov(a, a);
    const double sd = std::sqrt(tr / grid_.dim());
    return std::abs(sd - jko_sd_exact_) / jko_sd_exact_;
  }
  if (quantiles_.empty() || !(jko_sd_exact_ > 0.0)) return -1.0;
  const double s0 = std::sqrt(config_.initial.cov(0, 0));
  const double sd = quantile_std(quantiles_) / quantile_std(quantiles0_) * s0;
  return std::abs(sd - jko_sd_exact_) / jko_sd_exact_;
}

void GradientFlowEulerian::save_state(ViewStateWriter& out) const {
  out.put_reals("energies", energies_);
  out.put_integers("newton_iterations", std::vector<long long>(newton_.begin(), newton_.end()));
  out.put_integers("linear_iterations", std::vector<long long>(linear_.begin(), linear_.end()));
  out.put_integers("rejected_steps", {rejected_});
  out.put_reals("bdf2_previous_step", {h_previous_});
  if (previous_) out.put_grid_vector("bdf2_previous_density", grid_, previous_);
  out.put_reals("jko_quantiles", quantiles_);
  out.put_reals("jko_exact_spread", {jko_sd_exact_});
  if (jko_grid_) {
    out.put_reals("jko_grid_state", jko_grid_->state());  // the warm start of the next step
    out.put_reals("jko_step_w2sq", jko_w2sq_);
    out.put_reals("jko_step_w2sq_exact", jko_w2sq_exact_);
    out.put_reals("jko_exact_recursion", {jko_elapsed_, jko_mean_shift_});
  }
}

void GradientFlowEulerian::restore_state(const ViewStateReader& in) {
  energies_ = in.reals("energies");
  const auto newton = in.integers("newton_iterations"), linear = in.integers("linear_iterations");
  newton_.assign(newton.begin(), newton.end());
  linear_.assign(linear.begin(), linear.end());
  rejected_ = static_cast<int>(in.integers("rejected_steps").at(0));
  h_previous_ = in.reals("bdf2_previous_step").at(0);
  if (previous_) in.grid_vector("bdf2_previous_density", grid_, previous_);
  quantiles_ = in.reals("jko_quantiles");
  jko_sd_exact_ = in.reals("jko_exact_spread").at(0);
  if (jko_grid_) {
    jko_grid_->set_state(in.reals("jko_grid_state"));
    jko_w2sq_ = in.reals("jko_step_w2sq");
    jko_w2sq_exact_ = in.reals("jko_step_w2sq_exact");
    const auto rec = in.reals("jko_exact_recursion");
    jko_elapsed_ = rec.at(0);
    jko_mean_shift_ = rec.at(1);
  }
  if (energies_.empty()) throw InputError("gradient_flow: the checkpoint's eulerian energy history is empty");
  // W∗ρ of the restored density: what the last accepted step left frozen in the scheme.
  refresh_interaction();
}

bool GradientFlowEulerian::energy_monotone(double relative_slack) const {
  for (size_t i = 1; i < energies_.size(); ++i)
    if (energies_[i] > energies_[i - 1] + relative_slack * std::abs(energies_[i - 1])) return false;
  return true;
}

double GradientFlowEulerian::newton_iterations_mean() const {
  return newton_.empty() ? 0.0 : std::accumulate(newton_.begin(), newton_.end(), 0.0) / newton_.size();
}

double GradientFlowEulerian::linear_iterations_mean() const {
  return linear_.empty() ? 0.0 : std::accumulate(linear_.begin(), linear_.end(), 0.0) / linear_.size();
}

}  // namespace mf::gradient_flow

namespace mf::gradient_flow {

double support_radius(const Grid& grid, Vec density, const Vector& center, double rel_threshold) {
  PetscReal max_rho = 0.0;
  PetscCallThrow(VecMax(density, nullptr, &max_rho));
  const double cut = rel_threshold * max_rho;
  const IndexBox& ob = grid.owned();
  VecBlockRead rho(density, ob);
  const auto r = rho.view();
  double local = 0.0;
  for (PetscInt k = 0; k < ob.count[2]; ++k)
    for (PetscInt j = 0; j < ob.count[1]; ++j)
      for (PetscInt i = 0; i < ob.count[0]; ++i) {
        if (r(k, j, i) <= cut) continue;
        const PetscInt idx[3] = {ob.start[0] + i, ob.start[1] + j, ob.start[2] + k};
        double d2 = 0.0;
        for (int a = 0; a < grid.dim(); ++a) {
          const double dx = grid.center(a, idx[a]) - center[a];
          d2 += dx * dx;
        }
        local = std::max(local, std::sqrt(d2));
      }
  double global = 0.0;
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, grid.comm());
  return global;
}

}  // namespace mf::gradient_flow
