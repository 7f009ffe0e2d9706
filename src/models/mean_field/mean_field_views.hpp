// The mean-field training dynamics ∂_t α = div(α ∇ δf/δα) (survey §6, eq. 19–22) seen two ways: neurons as
// particles spread over ranks (explicit Euler is full-batch gradient descent; RK4 follows the flow),
// and, for the linear network, the closed moment ODE (eq. 23 with the survey's signs corrected).
#pragma once
#include <memory>
#include <optional>

#include "linear_closure.hpp"
#include "mean_field_config.hpp"
#include "measureflow/model.hpp"
#include "network_kernels.hpp"

namespace mf::mean_field {

// Neurons drawn from `measure` with the counter-based stream `seed`: rank r draws the ids of its id block,
// so the set is the same for any rank count; equal weights 1/total.
ParticleSet sample_neurons(MPI_Comm comm, const Measure& measure, long long total, std::uint64_t seed);

class MeanFieldLagrangian : public LagrangianView {
 public:
  // step: the gradient-descent step (euler) or the RK4 step; a Driver step is cut into equal sub-steps
  // no longer than it.
  // decomposition: with a grid view, neurons migrate to their cells' owners after each advance (so the
  // Driver can deposit them on the grid); the dynamics does not need it.
  MeanFieldLagrangian(std::shared_ptr<RiskModel> risk, ParticleSet neurons, ParticleIntegrator integrator, double step,
                      const Grid* decomposition = nullptr);
  const ParticleSet& particles() const override { return neurons_; }
  ParticleSet& mutable_particles() override { return neurons_; }
  const Grid* decomposition() const override { return decomposition_; }
  double stable_dt(double) override { return step_; }
  void advance(double t, double dt) override;
  // The risk f(α_n) of the current neurons (collective).
  double risk();
  // Velocity of the local neurons at their current positions (collective); returns the risk.
  double velocity(const PointsView& out);
  // Teacher data: Σ_i w_i |u_i||v_i| max_j cos(u_i, w_j) / Σ_i w_i |u_i||v_i| over the input part of u
  // (the bias coordinate left out): 1 when all of the network's mass sits on teacher directions.
  double teacher_alignment(const Matrix& directions) const;
  // Restart: the neurons are the whole state (the data is rebuilt from the deck).
  RestartSupport restart_support() const override { return RestartSupport::yes(); }

 private:
  void step(double h);
  std::shared_ptr<RiskModel> risk_;
  ParticleSet neurons_;
  ParticleIntegrator integrator_;
  double step_;
  const Grid* decomposition_;
  BatchRk4Work rk_;
};

// Linear network: the moments of α_t by the closed moment ODE (any initial with known moments; Gaussian
// stays Gaussian).
class MeanFieldClosedForm : public ClosedFormView {
 public:
  MeanFieldClosedForm(LinearNetworkClosure closure, Moments initial, bool gaussian);
  std::optional<Moments> moments(double t) const override { return closure_.moments(initial_, t); }
  std::optional<Moments> push_forward(double t, const Moments& m0) const override { return closure_.moments(m0, t); }
  bool is_gaussian(double) const override { return gaussian_; }
  double risk(double t) const { return closure_.risk(closure_.cross_moment(closure_.moments(initial_, t))); }
  RestartSupport restart_support() const override { return RestartSupport::yes(); }  // a function of t alone

 private:
  LinearNetworkClosure closure_;
  Moments initial_;
  bool gaussian_;
};

std::unique_ptr<Model> build_mean_field_model(const MeanFieldConfig& config, MPI_Comm comm);

}  // namespace mf::mean_field
