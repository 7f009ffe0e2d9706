// The gradient_flow model assembled from its config: grid view (implicit FV), particle view (blob
// method + ring interaction), closed form where one is known, and the model-specific metrics.
#pragma once
#include <memory>

#include "gradient_flow_closed_form.hpp"
#include "gradient_flow_config.hpp"
#include "gradient_flow_eulerian.hpp"
#include "gradient_flow_lagrangian.hpp"
#include "measureflow/model.hpp"

namespace mf::gradient_flow {

class GradientFlowModel : public Model {
 public:
  GradientFlowModel(const GradientFlowConfig& config, MPI_Comm comm);
  // eulerian.{energy, energy_monotone, newton_iterations_mean, ksp_iterations_mean, support_radius_error,
  // w2_steady_state | radial_w2_steady_state}, lagrangian.{l1_error, support_radius_error,
  // halo_particles, w2_steady_state | radial_w2_steady_state}; in 1D also eulerian.w2_error,
  // lagrangian.w2_error and cross.w2_eulerian_lagrangian, exact by quantile functions.
  void add_metrics(double t, Metrics& metrics) override;
  // In 1D the exact quantile W2 above is the cross yardstick (the Driver skips its entropic solve).
  bool reports_cross_w2() const override;

 private:
  GradientFlowConfig config_;
  std::unique_ptr<Measure> initial_;
  std::unique_ptr<Grid> own_grid_;  // particle decomposition when the grid view is off
  GradientFlowEulerian* grid_view_ = nullptr;
  GradientFlowLagrangian* particle_view_ = nullptr;
  GradientFlowClosedForm* exact_ = nullptr;
  Vector steady_center_;
};

std::unique_ptr<Model> build_gradient_flow_model(const GradientFlowConfig& config, MPI_Comm comm);

}  // namespace mf::gradient_flow
