// The continuity model ∂_t α + div(α v) = 0 with a prescribed field, seen three ways:
// finite volumes on the grid, RK4 particles, and the exact affine push-forward.
#pragma once
#include <memory>

#include "affine_closed_form.hpp"
#include "measureflow/fv_advection.hpp"
#include "measureflow/model.hpp"
#include "measureflow/particle_integrator.hpp"
#include "measureflow/prescribed_fields.hpp"

namespace mf::continuity {

class ContinuityEulerian : public EulerianView {
 public:
  ContinuityEulerian(const GridSpec& spec, MPI_Comm comm, const Measure& initial, const fields::PrescribedField& velocity,
                     Limiter limiter, double cfl);
  const Grid& grid() const override { return grid_; }
  Vec density() const override { return density_; }
  double stable_dt(double t) override { return fv_->stable_dt(t, cfl_); }
  void advance(double t, double dt) override;
  // The next step reads the density only (the CFL step comes from the field), which the Driver saves.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }

 private:
  Grid grid_;
  VecHandle density_;
  std::unique_ptr<FvAdvection> fv_;
  double cfl_;
};

class ContinuityLagrangian : public LagrangianView {
 public:
  // substep_dt ≤ 0: one integrator step per Driver step.
  ContinuityLagrangian(ParticleSet particles, const Grid& decomposition, const fields::PrescribedField& velocity,
                       ParticleIntegrator integrator, double substep_dt);
  const ParticleSet& particles() const override { return particles_; }
  ParticleSet& mutable_particles() override { return particles_; }
  const Grid* decomposition() const override { return &decomposition_; }
  double stable_dt(double t) override;
  void advance(double t, double dt) override;
  // The next step reads the particles only (the field is prescribed), which the Driver saves.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }

 private:
  ParticleSet particles_;
  const Grid& decomposition_;
  fields::PrescribedField velocity_;
  ParticleIntegrator integrator_;
  double substep_dt_;
};

class ContinuityClosedForm : public ClosedFormView {
 public:
  explicit ContinuityClosedForm(AffineClosedForm exact) : exact_(std::move(exact)) {}
  std::optional<Moments> moments(double t) const override { return exact_.moments(t); }
  bool cell_averages(double t, const Grid& grid, Vec out) const override;
  std::optional<Moments> push_forward(double t, const Moments& initial) const override {
    return exact_.push_forward(t, initial);
  }
  bool is_gaussian(double) const override { return exact_.initial_is_gaussian(); }
  // A function of t alone: nothing to save.
  RestartSupport restart_support() const override { return RestartSupport::yes(); }

 private:
  AffineClosedForm exact_;
};

}  // namespace mf::continuity
