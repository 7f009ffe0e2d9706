// The particle view of the gradient_flow model: deterministic blob-method particles for U, −∇V, and
// all-pairs interaction −Σ w_j ∇W(x_i − x_j) by a ring (Heun's method; halo exchange before each stage,
// migration after each step), started on a lattice. Optionally (method stochastic, entropy only) the
// diffusion is Brownian noise instead: Euler–Maruyama with counter-based normals; with method pairwise
// the blob forces are summed over all pairs by the ring instead of cell lists (same forces).
#pragma once
#include "blob_method.hpp"
#include "gradient_flow_config.hpp"
#include "interaction_kernels.hpp"
#include "measureflow/model.hpp"

namespace mf::gradient_flow {

// Lattice particles: cell centres of a uniform lattice with about `count` points over the domain box,
// weight ρ0(x) × cell volume (zero-weight points dropped), normalised to unit total weight. Ids are
// lattice indices, so the set does not depend on the rank count. Migrated to `grid`'s owners.
ParticleSet lattice_particles(const Measure& initial, const GridSpec& box, long long count, const Grid& grid);
// Lattice spacing lattice_particles uses for `count` points over `box`.
double lattice_spacing(const GridSpec& box, long long count);

class GradientFlowLagrangian : public LagrangianView {
 public:
  GradientFlowLagrangian(const GradientFlowConfig& config, const Grid& decomposition, const Measure& initial);
  const ParticleSet& particles() const override { return particles_; }
  ParticleSet& mutable_particles() override { return particles_; }
  const Grid* decomposition() const override { return &grid_; }
  double stable_dt(double t) override;
  void advance(double t, double dt) override;
  // Restart: the largest blob density (it sets the next stable step), the halo count (a metric) and the
  // Euler–Maruyama step counter (the noise stream), besides the particles the Driver saves.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }
  void save_state(ViewStateWriter& out) const override;
  void restore_state(const ViewStateReader& in) override;
  const Mollifier& mollifier() const { return phi_; }
  long long halo_particles_last() const { return halo_last_; }

 private:
  void heun_step(double dt);
  void euler_maruyama_step(double dt);
  // Velocities of a particle set (the current one or a predictor); reach as in blob_velocities.
  void velocities(const ParticleSet& p, double reach, PointsView v);
  GradientFlowConfig config_;
  const Grid& grid_;
  LocalEnergy energy_;
  InteractionKernel interaction_;
  Mollifier phi_;
  ParticleSet particles_;
  double max_rho_ = 0.0;
  long long halo_last_ = 0;
  bool stochastic_ = false;      // lagrangian.method = stochastic (entropy as Brownian noise)
  std::uint64_t em_steps_ = 0;
};

}  // namespace mf::gradient_flow
