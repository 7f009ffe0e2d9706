// The views of the reconstruction model. The recovered field is solved once, at every observation time,
// and interpolated linearly in time between them; the views then show that it explains the path:
//   Eulerian: the first observed density moved by the recovered field with the FV scheme (re-advection);
//   Lagrangian: particles sampled from the first observation moved by the same field (Heun, bilinear
//               interpolation of the cell-centred velocity);
//   closed form: the observed path itself (exact Gaussian for gaussian_linear).
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "fields/reconstruction/minimal_field.hpp"
#include "measureflow/fv_advection.hpp"
#include "measureflow/model.hpp"
#include "models/reconstruction/observed_path.hpp"

namespace mf::reconstruction {

// The recovered field, held at knot times and linear in time between them (constant outside): for the
// grid methods the knots are the observation times; for `ot` the midpoints of the observation intervals
// (the displacement velocity of an interval is its midpoint value). Times are relative to the first
// observation (the Driver starts at 0).
class RecoveredField {
 public:
  RecoveredField(const ReconstructionConfig& config, std::shared_ptr<const Grid> grid);

  const Grid& grid() const { return *grid_; }
  const ObservedPath& path() const { return path_; }
  const std::vector<double>& offsets() const { return offsets_; }  // t_k − t_0
  // Face velocities at time τ (linear in τ between observations; constant outside).
  void faces_at(double tau, FaceVelocities& out) const;
  // Cell-centred velocity components at time τ into global vectors.
  void cell_velocity_at(double tau, Vec out[3]) const;
  // The observation index at τ, or −1 if τ is not an observation time.
  int observation_at(double tau) const;
  // ∫∫|v|² dα dt: grid methods, the trapezoid over the observation times of Σ_faces ρ v² vol;
  // ot, Σ_k Δt_k Σ_i a_i |u_i|² (exact for the piecewise displacement interpolation).
  double kinetic_energy() const { return kinetic_energy_; }
  bool has_potential() const { return !potential_.empty(); }  // φ or ψ (not for ot)
  Vec potential(int k) const { return potential_[k]; }
  double max_speed() const { return max_speed_; }  // max over times and axes of |v| / h
  int total_ksp_iterations() const { return ksp_iterations_; }
  int total_sinkhorn_iterations() const { return sinkhorn_iterations_; }

 private:
  void solve_on_grid(const ReconstructionConfig& config);  // least squares / Dacorogna–Moser
  void solve_at_midpoints(fields::MinimalFieldSolver& solver);  // run, path.derivative: midpoint
  void solve_by_ot(const ReconstructionConfig& config);    // ot: snapshots
  void add_knot(double offset, FaceVelocities faces, std::array<VecHandle, 3> cells);
  void add_solved_knot(const fields::MinimalFieldSolver& solver, double offset, FaceVelocities faces);
  std::pair<int, double> bracket(double tau) const;  // knot interval k and weight θ of knot k + 1

  std::shared_ptr<const Grid> grid_;
  ObservedPath path_;
  std::vector<double> offsets_;
  std::vector<double> knots_;
  std::vector<FaceVelocities> faces_;
  std::vector<std::array<VecHandle, 3>> cell_velocity_;
  std::vector<VecHandle> potential_;
  double kinetic_energy_ = 0.0;
  double max_speed_ = 0.0;
  int ksp_iterations_ = 0;
  int sinkhorn_iterations_ = 0;
};

class ReadvectedDensity : public EulerianView {
 public:
  ReadvectedDensity(std::shared_ptr<const RecoveredField> field, double cfl);
  const Grid& grid() const override { return field_->grid(); }
  Vec density() const override { return density_; }
  double stable_dt(double t) override { return fv_.stable_dt(t, cfl_); }
  void advance(double t, double dt) override;
  // The recovered velocity, its potential and the observed density at the current time.
  std::vector<std::pair<std::string, Vec>> extra_fields() override;

 private:
  std::shared_ptr<const RecoveredField> field_;
  double cfl_;
  FvAdvection fv_;
  VecHandle density_;
  VecHandle velocity_[3];
  VecHandle observed_;
  double time_ = 0.0;
};

class ReadvectedParticles : public LagrangianView {
 public:
  ReadvectedParticles(std::shared_ptr<const RecoveredField> field, ParticleSet particles, double cfl);
  const ParticleSet& particles() const override { return particles_; }
  ParticleSet& mutable_particles() override { return particles_; }
  const Grid* decomposition() const override { return &field_->grid(); }
  double stable_dt(double t) override;
  void advance(double t, double dt) override;

 private:
  void heun_step(double t, double dt);
  // k(i, :) = v(τ, x(i, :)) by bilinear interpolation of the cell-centred velocity (ghosted).
  void velocity(double tau, const PointsView& x, const PointsView& k);

  std::shared_ptr<const RecoveredField> field_;
  ParticleSet particles_;
  double cfl_;
  VecHandle global_[3], local_[3];
  PointsView stage_, k1_, k2_;
};

class ObservedPathClosedForm : public ClosedFormView {
 public:
  ObservedPathClosedForm(const ReconstructionConfig& config, std::shared_ptr<const RecoveredField> field);
  std::optional<Moments> moments(double t) const override;
  bool cell_averages(double t, const Grid& grid, Vec out) const override;
  bool is_gaussian(double t) const override { return config_.path == PathType::GaussianLinear; }

 private:
  ReconstructionConfig config_;
  std::shared_ptr<const RecoveredField> field_;
};

}  // namespace mf::reconstruction
