// The grid view of the gradient_flow model: implicit finite volumes (U and V implicit, W∗ρ by a direct
// sum frozen at the start of each step), with the discrete energy and the Newton iteration counts of
// every step recorded for the metrics.
#pragma once
#include <memory>
#include <vector>

#include "gradient_flow_config.hpp"
#include "grid_convolution.hpp"
#include "implicit_fv.hpp"
#include "measureflow/model.hpp"

namespace mf::gradient_flow {

class GradientFlowEulerian : public EulerianView {
 public:
  GradientFlowEulerian(const GradientFlowConfig& config, MPI_Comm comm, const Measure& initial);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  // Sub-steps of at most time.dt (the implicit scheme has no stability bound; dt sets accuracy).
  void advance(double t, double dt) override;

  const std::vector<double>& energy_history() const { return energies_; }  // initial, then every step
  bool energy_monotone(double relative_slack = 1e-12) const;
  double newton_iterations_mean() const;
  double linear_iterations_mean() const;
  int steps() const { return static_cast<int>(newton_.size()); }

 private:
  GradientFlowConfig config_;
  Grid grid_;
  VecHandle density_;
  ImplicitFv fv_;
  std::unique_ptr<GridConvolution> convolution_;  // W∗ρ, frozen over each step (semi-implicit)
  VecHandle phi_;
  void refresh_interaction();
  std::vector<double> energies_;
  std::vector<int> newton_, linear_;
};

}  // namespace mf::gradient_flow

namespace mf::gradient_flow {
// Radius of the numerical support: the largest |x_i − c| over cell centres with ρ_i above
// rel_threshold × max ρ. Collective. Resolution is one cell (the front lies inside that cell).
double support_radius(const Grid& grid, Vec density, const Vector& center, double rel_threshold = 1e-3);
}  // namespace mf::gradient_flow
