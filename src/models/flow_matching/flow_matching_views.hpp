// The flow-matching model seen three ways: samples of α0 carried to t = 1 by the sampling ODE (euler |
// heun | rk4 through any FlowField), α0's cell averages carried by the same field with finite volumes,
// and the closed form of the independent-coupling path α_t = Law((1 − t)X0 + tX1).
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "exact_fields.hpp"
#include "fields/field_on_faces.hpp"
#include "flow_matching_config.hpp"
#include "flow_matching_targets.hpp"
#include "measureflow/fv_advection.hpp"
#include "measureflow/model.hpp"
#include "measureflow/particle_integrator.hpp"

namespace mf::flow_matching {

// Samples of α0: ids [0, total) spread over the ranks by id blocks, sample id drawn from the counter
// stream (seed, id), weights 1/total: the same set for any rank count.
ParticleSet sample_source(MPI_Comm comm, const GaussianSource& source, long long total, std::uint64_t seed);

// One step of the sampling ODE from t to t + h for every row of x (in place), with work arrays k[0..3]
// and stage (all n × d). For a field singular at t = 1, a step that ends at t = 1 is the denoiser step
// x ← E[X1 | x_t = x]: the exact solution of dx/dt = (D − x)/(1 − t) with D frozen at its value at t,
// so no stage is evaluated at t = 1 (it equals an Euler step of v there). Returns the field evaluations
// per point used. energy (if given) += Σ_i w_i |v|² integrated over the step by the integrator's own
// quadrature (euler: left rectangle, heun: trapezoid, rk4: Simpson), local sum.
int ode_step(const FlowField& field, Integrator method, double t, double h, const FieldPoints& x, FieldPoints k[4],
             const FieldPoints& stage, const WeightsView& w = WeightsView(), double* energy = nullptr);

class FlowMatchingLagrangian : public LagrangianView {
 public:
  // decomposition: given when a grid view exists (samples then migrate to their cells' owners after
  // each advance, for the grid diagnostics); the field itself does not need it.
  FlowMatchingLagrangian(MPI_Comm comm, ParticleSet samples, const FlowField& field, Integrator integrator, int steps,
                         const Grid* decomposition = nullptr);
  const ParticleSet& particles() const override { return samples_; }
  ParticleSet& mutable_particles() override { return samples_; }
  const Grid* decomposition() const override { return decomposition_; }
  // One ODE step (a hair more, so the Driver lands on the step grid without a sliver).
  double stable_dt(double) override { return (1.0 + 1e-9) / steps_; }
  // Takes round(dt · steps) equal steps (at least one).
  void advance(double t, double dt) override;
  // Field evaluations per sample so far.
  long long nfe() const { return nfe_; }
  // ∫∫|v|² dα_t dt over the path so far, from the stage velocities (collective).
  double kinetic_energy() const;

 private:
  MPI_Comm comm_;
  ParticleSet samples_;
  const FlowField& field_;
  Integrator integrator_;
  int steps_;
  const Grid* decomposition_;
  BatchRk4Work rk_;
  long long nfe_ = 0;
  double energy_local_ = 0.0;
  bool energy_defined_ = true;
};

class FlowMatchingEulerian : public EulerianView {
 public:
  FlowMatchingEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial, const FlowField& field,
                       Limiter limiter, double cfl);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  // The grid sub-steps to its own CFL limit inside advance (the samples set the Driver's step).
  void advance(double t, double dt) override;

 private:
  Grid grid_;
  VecHandle density_;
  fields::FieldOnFaces faces_;
  std::unique_ptr<FvAdvection> fv_;
  double cfl_;
};

// α_t of the independent coupling: mean (1 − t)m0 + t m1, covariance (1 − t)²Σ0 + t²Cov(α1) for every
// target; the density Σ π_k N(m_k, S_k) for Gaussian and mixture targets. With a minibatch_ot coupling
// the path differs in between, and only t = 0 and t = 1 are known.
class FlowMatchingClosedForm : public ClosedFormView {
 public:
  FlowMatchingClosedForm(GaussianSource source, const TargetSpec& target, Moments target_moments, bool endpoints_only);
  std::optional<Moments> moments(double t) const override;
  bool cell_averages(double t, const Grid& grid, Vec out) const override;
  bool is_gaussian(double t) const override;
  // The mixture α_t (nullopt for point sets, or between the endpoints when endpoints_only).
  std::optional<std::vector<GaussianComponent>> mixture(double t) const;

 private:
  bool known_at(double t) const;
  GaussianSource source_;
  TargetSpec target_;
  Moments target_moments_;
  bool endpoints_only_;
};

// Gauss–Legendre nodes and weights on [0, 1].
void gauss_legendre_01(int n, std::vector<double>& nodes, std::vector<double>& weights);
// ∫₀¹ E|v_t(x_t)|² dt of the independent-coupling path between Gaussians, v = m1 − m0 + A_t(x − m_t):
// E|v|² = |m1 − m0|² + tr(A_t Σ_t A_tᵀ), by composite Gauss–Legendre quadrature (≈ 1e-13 relative).
// 1D N(0, 1) → N(0, s²): 1 + s² − πs/2 (checked in the tests).
double gaussian_path_kinetic_energy(const GaussianSource& source, const Vector& m1, const Matrix& S1);

// The α_t-weighted, t-averaged relative L2 distance between two fields:
// sqrt(∫₀¹ E|v − v*|²(x_t) dt / ∫₀¹ E|v*|²(x_t) dt), x_t = (1 − t)X0 + tX1 from `pairs` independent pairs
// (counter stream `seed`, spread over ranks by id blocks) at `nodes` Gauss–Legendre times. Collective.
double field_l2_error(MPI_Comm comm, const VelocityField& field, const VelocityField& exact, const GaussianSource& source,
                      const TargetSampler& target, long long pairs, int nodes, std::uint64_t seed);

// Mean over the samples of the distance to the nearest data point (data blocks passed around the ring).
// Collective.
double nearest_data_distance(MPI_Comm comm, const ParticleSet& samples, const DataBlock& data);

// The learned field (field.type: learned), trained by mf::fields::train_learned_field on pairs drawn
// from the model's endpoint samplers; `report` (if given) gets the training report as metrics
// (training_loss, training_seconds, training_pairs, training_epochs).
std::unique_ptr<VelocityField> make_learned_field(MPI_Comm comm, const FlowMatchingConfig& config,
                                                  const TargetSampler& target, Metrics* report = nullptr);

FlowMatchingConfig config_from_deck(const Deck& deck);
std::unique_ptr<Model> build_flow_matching_model(const FlowMatchingConfig& config, MPI_Comm comm);

}  // namespace mf::flow_matching
