// The transformer PDE ∂_t α + div(α Γ_θ[α]) = 0 (survey §7) seen three ways: tokens moved by streaming
// all-pairs attention (RK4 in depth, or the discrete T-layer Euler map), the token density on the grid
// advanced by finite volumes with Γ evaluated by distributed quadrature over the cells, and the
// Gaussian closure.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "gaussian_closure.hpp"
#include "measureflow/cell_centred_velocity.hpp"
#include "measureflow/fv_advection.hpp"
#include "measureflow/model.hpp"
#include "measureflow/particle_integrator.hpp"
#include "self_attention.hpp"
#include "transformer_config.hpp"

namespace mf::transformer {

// Tokens drawn from `measure` with the counter-based stream `seed`: rank r draws the ids of its
// id_block, so the set is the same for any rank count; equal weights 1/total. With moment_match the
// sample is shifted and whitened (collectively) to have exactly the given mean and covariance.
ParticleSet sample_tokens(MPI_Comm comm, const Measure& measure, long long total, std::uint64_t seed,
                          const Moments* moment_match = nullptr);

// A view's covariance at each output time so far: the data of its blow-up time estimate, kept in the view
// so that it is part of the view's restart state.
struct CovarianceTrajectory {
  std::vector<double> times;
  std::vector<Matrix> covs;
  void record(double t, const Matrix& cov);  // ignores a time not after the last one
  void save(ViewStateWriter& out) const;
  void restore(const ViewStateReader& in);
};

class TransformerLagrangian : public LagrangianView {
 public:
  // integrator Euler with substep_dt = 1/T is the discrete T-layer map x ← x + Γ(x)/T (eq. 26).
  // decomposition: if given (d ≤ 3 with a grid), tokens migrate to their cells' owners after each
  // advance so grid diagnostics can deposit them; the attention itself does not need it.
  TransformerLagrangian(MPI_Comm comm, ParticleSet tokens, std::vector<AttentionLayer> layers, AttentionOptions opt,
                        ParticleIntegrator integrator, double substep_dt, const Grid* decomposition = nullptr);
  const ParticleSet& particles() const override { return tokens_; }
  ParticleSet& mutable_particles() override { return tokens_; }
  const Grid* decomposition() const override { return decomposition_; }
  double stable_dt(double t) override;
  void advance(double t, double dt) override;

  // Γ at the current tokens for the layer in force at t, and the weighted mean attention entropy.
  void velocity(double t, const TokenView& out, ScalarView entropy = ScalarView());
  double attention_entropy(double t);
  // (|Σ x_i|² − Σ|x_i|²) / (n(n−1)) for equal weights: the mean of ⟨x_i, x_j⟩ over pairs i ≠ j.
  double mean_pairwise_inner_product() const;
  MPI_Comm comm() const { return comm_; }
  CovarianceTrajectory& trajectory() { return trajectory_; }
  // Restart: the tokens (saved by the Driver) and the covariance trajectory.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void save_state(ViewStateWriter& out) const override { trajectory_.save(out); }
  void restore_state(const ViewStateReader& in) override { trajectory_.restore(in); }

 private:
  void step(double t, double h, const AttentionLayer& layer);
  MPI_Comm comm_;
  ParticleSet tokens_;
  std::vector<AttentionLayer> layers_;
  AttentionOptions opt_;
  ParticleIntegrator integrator_;
  double substep_dt_;
  const Grid* decomposition_;
  BatchRk4Work rk_;
  CovarianceTrajectory trajectory_;
};

class TransformerEulerian : public EulerianView {
 public:
  TransformerEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial, std::vector<AttentionLayer> layers,
                      AttentionOptions opt, Limiter limiter, double cfl);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  double stable_dt(double t) override;
  // Explicit midpoint in the coupling: Γ from ρⁿ, half step, Γ from ρ^{n+½}, full step from ρⁿ with it
  // (FvAdvection's SSP-RK3 inside each, with the field frozen), sub-stepped to the CFL limit.
  void advance(double t, double dt) override;
  std::vector<std::pair<std::string, Vec>> extra_fields() override;
  CovarianceTrajectory& trajectory() { return trajectory_; }
  // Restart: the density (saved by the Driver) and the covariance trajectory; Γ is recomputed from the
  // restored density, as after any advance.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void save_state(ViewStateWriter& out) const override { trajectory_.save(out); }
  void restore_state(const ViewStateReader& in) override;

 private:
  void update_velocity(double t, Vec rho);  // Γ[ρ] at cell centres → face averages
  Grid grid_;
  VecHandle density_, saved_;
  std::vector<AttentionLayer> layers_;
  AttentionOptions opt_;
  double cfl_;
  TokenView centres_, gamma_;
  ScalarView mass_;
  CellCentredVelocity cell_velocity_;  // Γ at the centres → the transport's face velocities
  std::unique_ptr<FvAdvection> fv_;
  bool have_velocity_ = false;
  double last_t_ = 0.0;
  CovarianceTrajectory trajectory_;
};

class TransformerClosedForm : public ClosedFormView {
 public:
  TransformerClosedForm(std::vector<AttentionLayer> layers, GaussianState initial);
  std::optional<Moments> moments(double t) const override;
  bool cell_averages(double t, const Grid& grid, Vec out) const override;
  // Exact (V = I) or detected blow-up time; infinity if none up to t_max.
  double blowup_time(double t_max) const;
  // Restart: the closure state reached so far (moments(t) continues from it, so the ODE takes the same
  // steps as in the uninterrupted run).
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void save_state(ViewStateWriter& out) const override;
  void restore_state(const ViewStateReader& in) override;

 private:
  std::vector<AttentionLayer> layers_;
  GaussianState initial_;
  mutable double cache_t_ = 0.0;
  mutable GaussianState cache_;
  mutable bool cache_blown_ = false;
};

// Number of clusters among the tokens: greedy leader clustering in global-id order (a token joins the
// first earlier leader within `radius`, else leads), computed on rank 0 and broadcast, so the count is
// the same for any rank count. −1 if more than max_tokens tokens.
long long count_clusters(MPI_Comm comm, const ParticleSet& tokens, double radius, long long max_tokens = 200000);

// The model: views as the config asks, plus transformer metrics (blow-up times, clusters, entropy,
// mean inner product on the sphere).
std::unique_ptr<Model> build_transformer_model(const TransformerConfig& config, MPI_Comm comm);

}  // namespace mf::transformer
