// Exact solutions of the gradient_flow model where known: Barenblatt (porous medium, no potential),
// heat kernel and Ornstein–Uhlenbeck Gaussians (entropy, with or without a quadratic potential).
#pragma once
#include <memory>
#include <optional>

#include "gradient_flow_config.hpp"
#include "measureflow/model.hpp"

namespace mf::gradient_flow {

// ∫|y|² ρ(1, y) dy of the unit-mass Barenblatt profile at t = 1 (centred): the Barenblatt solution is the
// dilation y ↦ (s/t)^β y, so W2²(ρ_t, ρ_s) = (s^β − t^β)² M2(1). Closed form by a Beta integral:
// π^{d/2} (d/2) Γ(p+1)/Γ(d/2+p+2) k^{−d/2−1} C^{d/2+p+1}, p = 1/(m−1).
double barenblatt_unit_second_moment(int dim, double m);

class GradientFlowClosedForm : public ClosedFormView {
 public:
  enum class Kind { Barenblatt, Gaussian };
  // nullptr when the configuration has no known exact solution.
  static std::unique_ptr<GradientFlowClosedForm> make(const GradientFlowConfig& config);

  std::optional<Moments> moments(double t) const override;
  bool cell_averages(double t, const Grid& grid, Vec out) const override;
  // The exact density at time t (unit mass).
  double density(double t, const double* x) const;
  Kind kind() const { return kind_; }
  // Barenblatt only: radius of the support at time t.
  double support_radius(double t) const;
  const Vector& center() const { return center_; }
  // Formulas in t alone: nothing to save.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }

 private:
  GradientFlowClosedForm() = default;
  Kind kind_ = Kind::Gaussian;
  int dim_ = 1;
  Vector center_;        // Barenblatt centre, or Gaussian initial mean
  double m_ = 2.0, t0_ = 0.1;
  Matrix cov0_;
  double k_ = 0.0;       // quadratic potential strength
  Moments gaussian_at(double t) const;
};

}  // namespace mf::gradient_flow
