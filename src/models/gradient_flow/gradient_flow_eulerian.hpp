// The grid view of the gradient_flow model: implicit finite volumes (U and V implicit, W∗ρ by a direct
// sum frozen at the start of each step) with an energy guard (a step whose discrete energy rises is
// redone as two half steps), or (eulerian.scheme: jko, 1D heat) JKO steps in quantile coordinates. The
// discrete energy and the Newton iteration counts of every accepted step are recorded for the metrics.
#pragma once
#include <memory>
#include <vector>

#include "gradient_flow_config.hpp"
#include "grid_convolution.hpp"
#include "implicit_fv.hpp"
#include "jko_bfm.hpp"
#include "jko_grid.hpp"
#include "measureflow/model.hpp"

namespace mf::gradient_flow {

class GradientFlowEulerian : public EulerianView {
 public:
  GradientFlowEulerian(const GradientFlowConfig& config, MPI_Comm comm, const Measure& initial);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  // Sub-steps of at most time.dt (the implicit scheme has no stability bound; dt sets accuracy).
  void advance(double t, double dt) override;
  // Restart: the energy history (the guard's reference and energy_monotone), Newton/KSP counts, rejected
  // steps, BDF2's previous state and step, the JKO quantiles; W∗ρ is rebuilt from the restored density.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void save_state(ViewStateWriter& out) const override;
  void restore_state(const ViewStateReader& in) override;

  const std::vector<double>& energy_history() const { return energies_; }  // initial, then every step
  bool energy_monotone(double relative_slack = 1e-12) const;
  double newton_iterations_mean() const;
  double linear_iterations_mean() const;
  int steps() const { return static_cast<int>(newton_.size()); }
  // Trial steps thrown away by the energy guard (each replaced by two half steps).
  int rejected_steps() const { return rejected_; }
  // JKO only: the quantile nodes, and the relative error of their spread against the exact Gaussian
  // recursion s_{k+1} = (s_k + √(s_k² + 4τ))/2 over the same τs (measured as sd(X_k)/sd(X_0) · s_0, which
  // cancels the quantisation bias of n atoms; s_0 from the initial Gaussian's variance).
  const std::vector<double>& jko_quantiles() const { return quantiles_; }
  // Quantiles, or (dynamic_ot on the grid) the grid spread √(tr Cov/d) against the Ornstein–Uhlenbeck
  // recursion s_{k+1} = (s_k + √(s_k² + 4τ(1 + kτ)))/(2(1 + kτ)) from an isotropic Gaussian; −1 otherwise.
  double jko_recursion_error() const;
  // dynamic_ot: max over steps of |W2²(ρ_k, ρ_{k+1}) − exact| / exact, the exact value of the step between
  // Barenblatt profiles ((t+τ)^β − t^β)² M2(1), or between the Gaussians of the recursion; −1 otherwise.
  double jko_step_w2sq_error() const;
  const std::vector<double>& jko_step_w2sq() const { return jko_w2sq_; }

 private:
  GradientFlowConfig config_;
  Grid grid_;
  VecHandle density_;
  ImplicitFv fv_;
  std::unique_ptr<GridConvolution> convolution_;  // W∗ρ, frozen over each step (semi-implicit)
  VecHandle phi_;
  VecHandle backup_, phi_backup_;  // state before a trial step (energy guard)
  VecHandle previous_, base_;      // BDF2: the accepted state before backup_, and the step's base
  double h_previous_ = 0.0;        // BDF2: size of the last accepted step (0: none yet, backward Euler)
  void refresh_interaction();
  // One implicit step of size h; if the energy rises (or Newton fails), two of h/2, down to `depth`
  // halvings below the requested step.
  void guarded_step(double h, int depth);
  void jko_step(double tau);
  void jko_grid_step(double tau);
  double jko_exact_step_w2sq(double tau);  // advances the exact recursions by τ; −1 without a closed form
  std::unique_ptr<JkoStepSolver> jko_grid_;   // eulerian.jko_solver: dynamic_ot or back_and_forth
  VecScatterHandle to_all_;                   // the whole density on every rank (replicated JKO solve)
  VecHandle all_;
  std::vector<double> jko_w2sq_, jko_w2sq_exact_;
  double jko_elapsed_ = 0.0;                  // time advanced by JKO steps (Barenblatt: t = t0 + elapsed)
  double jko_mean_shift_ = 1.0;               // Gaussian: μ_k / μ_0 of the exact recursion
  std::vector<double> energies_;
  std::vector<int> newton_, linear_;
  int rejected_ = 0;
  std::vector<double> quantiles_, quantiles0_;
  double jko_sd_exact_ = 0.0;  // s_k of the exact recursion; 0 if the initial measure is not Gaussian
};

}  // namespace mf::gradient_flow

namespace mf::gradient_flow {
// Radius of the numerical support: the largest |x_i − c| over cell centres with ρ_i above
// rel_threshold × max ρ. Collective. Resolution is one cell (the front lies inside that cell).
double support_radius(const Grid& grid, Vec density, const Vector& center, double rel_threshold = 1e-3);
}  // namespace mf::gradient_flow
