#include "gradient_flow_model.hpp"

#include <cmath>

#include "measureflow/cross_view_w2.hpp"
#include "measureflow/diagnostics.hpp"
#include "steady_states.hpp"

namespace mf::gradient_flow {

GradientFlowModel::GradientFlowModel(const GradientFlowConfig& config, MPI_Comm comm)
    : config_(config), initial_(make_measure(config.initial)) {
  const Grid* decomposition = nullptr;
  if (config_.eulerian_enabled) {
    auto e = std::make_unique<GradientFlowEulerian>(config_, comm, *initial_);
    grid_view_ = e.get();
    decomposition = &e->grid();
    eulerian = std::move(e);
  } else {
    own_grid_ = std::make_unique<Grid>(comm, config_.domain, 1);
    decomposition = own_grid_.get();
  }
  if (config_.lagrangian_enabled) {
    auto l = std::make_unique<GradientFlowLagrangian>(config_, *decomposition, *initial_);
    particle_view_ = l.get();
    lagrangian = std::move(l);
  }
  if (auto cf = GradientFlowClosedForm::make(config_)) {
    exact_ = cf.get();
    closed_form = std::move(cf);
  }
  // Interaction conserves the mean, so the steady state sits at the initial mean.
  if (auto m = initial_->exact_moments()) steady_center_ = m->mean;
}

bool GradientFlowModel::reports_cross_w2() const {
  return config_.domain.dim == 1 && grid_view_ != nullptr && particle_view_ != nullptr;
}

void GradientFlowModel::add_metrics(double t, Metrics& metrics) {
  const bool barenblatt = exact_ && exact_->kind() == GradientFlowClosedForm::Kind::Barenblatt;
  const bool pure_aggregation = config_.energy.internal == Internal::None &&
                                config_.energy.potential == Potential::None && !steady_center_.empty();
  const bool interval = pure_aggregation && config_.energy.interaction == Interaction::AbsQuadratic && config_.domain.dim == 1;
  const bool disk = pure_aggregation && config_.energy.interaction == Interaction::LogQuadratic;
  // W = −log|x| confined by V = k|x|²/2 (the minimum sits at 0): the semicircle (k/π)√(2/k − x²) in
  // 1D, the uniform density k/π on the disk of radius 1/√k in 2D.
  const bool log_confined = config_.energy.internal == Internal::None && config_.energy.potential == Potential::Quadratic &&
                            config_.energy.interaction == Interaction::Log;
  const double k = config_.energy.potential_strength;
  const double semicircle_R = std::sqrt(2.0 / k), zero[3] = {0.0, 0.0, 0.0};
  auto semicircle = [k, semicircle_R](double x) {
    return std::abs(x) < semicircle_R ? k / M_PI * std::sqrt(semicircle_R * semicircle_R - x * x) : 0.0;
  };
  auto log_steady_w2 = [&](MPI_Comm comm, const WeightedPoints& pts) {
    return config_.domain.dim == 1 ? w2_1d_to_density(comm, pts, semicircle, -semicircle_R, semicircle_R)
                                   : radial_w2_to_uniform_disk(comm, pts, zero, 1.0 / std::sqrt(k));
  };
  const char* log_metric = config_.domain.dim == 1 ? "w2_steady_state" : "radial_w2_steady_state";
  if (grid_view_) {
    metrics["eulerian.energy"] = grid_view_->energy_history().back();
    metrics["eulerian.energy_monotone"] = grid_view_->energy_monotone() ? 1.0 : 0.0;
    metrics["eulerian.newton_iterations_mean"] = grid_view_->newton_iterations_mean();
    metrics["eulerian.ksp_iterations_mean"] = grid_view_->linear_iterations_mean();
    metrics["eulerian.rejected_steps"] = grid_view_->rejected_steps();
    if (grid_view_->jko_recursion_error() >= 0.0) metrics["eulerian.jko_recursion_error"] = grid_view_->jko_recursion_error();
    if (grid_view_->jko_step_w2sq_error() >= 0.0) metrics["eulerian.jko_step_w2sq_error"] = grid_view_->jko_step_w2sq_error();
    if (barenblatt) {
      const double r = support_radius(grid_view_->grid(), grid_view_->density(), exact_->center());
      metrics["eulerian.support_radius_error"] = std::abs(r - exact_->support_radius(t)) / exact_->support_radius(t);
    }
    const WeightedPoints pts = grid_as_points(grid_view_->grid(), grid_view_->density());
    if (interval)
      metrics["eulerian.w2_steady_state"] =
          w2_to_uniform_interval(grid_view_->grid().comm(), pts, steady_center_[0] - 1.0, steady_center_[0] + 1.0);
    if (disk)
      metrics["eulerian.radial_w2_steady_state"] =
          radial_w2_to_uniform_disk(grid_view_->grid().comm(), pts, steady_center_.data(), 1.0);
    if (log_confined) metrics[std::string("eulerian.") + log_metric] = log_steady_w2(grid_view_->grid().comm(), pts);
  }
  // In 1D the quantile coupling gives W2 exactly, without the OT subsystem.
  if (config_.domain.dim == 1) {
    const double lo = config_.domain.lower[0], hi = config_.domain.upper[0];
    auto exact_density = [&](double x) { return exact_->density(t, &x); };
    MPI_Comm comm = grid_view_ ? grid_view_->grid().comm() : own_grid_->comm();
    if (exact_ && grid_view_)
      metrics["eulerian.w2_error"] =
          w2_1d_to_density(comm, grid_as_points(grid_view_->grid(), grid_view_->density()), exact_density, lo, hi);
    if (exact_ && particle_view_)
      metrics["lagrangian.w2_error"] = w2_1d_to_density(comm, particle_view_->particles().as_points(), exact_density, lo, hi);
    // The whole yardstick, exact in 1D (no ε, no bias, every particle): the Driver makes no solve of its own.
    if (grid_view_ && particle_view_)
      add_cross_w2_metrics(cross_view_w2(grid_view_->grid(), grid_view_->density(), particle_view_->particles(), 0.0, 0),
                           metrics);
  }
  if (particle_view_) {
    const Grid& g = grid_view_ ? grid_view_->grid() : *own_grid_;
    metrics["lagrangian.halo_particles"] = static_cast<double>(particle_view_->halo_particles_last());
    if (exact_ && config_.energy.internal != Internal::None) {
      VecHandle rho = g.create_global(), ref = g.create_global();
      blob_density_on_grid(g, particle_view_->particles(), particle_view_->mollifier(), rho);
      exact_->cell_averages(t, g, ref);
      metrics["lagrangian.l1_error"] = relative_l1(rho, ref);
      if (barenblatt) {
        const double r = support_radius(g, rho, exact_->center());
        metrics["lagrangian.support_radius_error"] = std::abs(r - exact_->support_radius(t)) / exact_->support_radius(t);
      }
    }
    const WeightedPoints pts = particle_view_->particles().as_points();
    if (interval)
      metrics["lagrangian.w2_steady_state"] =
          w2_to_uniform_interval(g.comm(), pts, steady_center_[0] - 1.0, steady_center_[0] + 1.0);
    if (disk) metrics["lagrangian.radial_w2_steady_state"] = radial_w2_to_uniform_disk(g.comm(), pts, steady_center_.data(), 1.0);
    if (log_confined) metrics[std::string("lagrangian.") + log_metric] = log_steady_w2(g.comm(), pts);
  }
}

std::unique_ptr<Model> build_gradient_flow_model(const GradientFlowConfig& config, MPI_Comm comm) {
  return std::make_unique<GradientFlowModel>(config, comm);
}

}  // namespace mf::gradient_flow
