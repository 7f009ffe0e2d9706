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

// The field recovered at every observation time. Times are relative to the first observation (the
// Driver starts at 0).
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
  double energy_rate(int k) const { return energy_rate_[k]; }
  double kinetic_energy() const;  // trapezoid over the observation times
  Vec potential(int k) const { return potential_[k]; }
  double max_speed() const { return max_speed_; }  // max over times and axes of |v| / h
  int total_ksp_iterations() const { return ksp_iterations_; }

 private:
  std::pair<int, double> bracket(double tau) const;  // interval k and weight θ of t_{k+1}

  std::shared_ptr<const Grid> grid_;
  ObservedPath path_;
  std::vector<double> offsets_;
  std::vector<FaceVelocities> faces_;
  std::vector<std::array<VecHandle, 3>> cell_velocity_;
  std::vector<VecHandle> potential_;
  std::vector<double> energy_rate_;
  double max_speed_ = 0.0;
  int ksp_iterations_ = 0;
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
