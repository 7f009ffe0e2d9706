// The continuity model (`model: continuity`), survey §2: a measure carried by a prescribed field.
//   1. grid, initial measure and field: the configuration (continuity_deck.cpp reads the deck)
//   2. Eulerian view: cell averages of α_0, finite volumes (MUSCL + SSP-RK3)
//   3. Lagrangian view: counter-based samples of α_0, RK4
//   4. closed form: affine push-forward (linear field) or the return to α_0 at whole periods (swirl)
#include <cmath>

#include "continuity_model.hpp"
#include "continuity_views.hpp"
#include "measureflow/particle_sampling.hpp"

namespace mf::continuity {

namespace {

// Exact answer of a flow that returns to its start at whole periods (the swirl): α_{kT} = α_0.
class PeriodicReturnClosedForm : public ClosedFormView {
 public:
  PeriodicReturnClosedForm(std::shared_ptr<const Measure> initial, double period)
      : initial_(std::move(initial)), period_(period) {}
  std::optional<Moments> moments(double t) const override {
    if (!at_whole_period(t)) return std::nullopt;
    return initial_->exact_moments();
  }
  bool cell_averages(double t, const Grid& grid, Vec out) const override {
    if (!at_whole_period(t)) return false;
    fill_cell_averages(grid, [&](const double* x) { return initial_->density(x); }, out);
    return true;
  }
  std::optional<Moments> push_forward(double t, const Moments& initial) const override {
    if (!at_whole_period(t)) return std::nullopt;
    return initial;
  }

 private:
  bool at_whole_period(double t) const {
    const double k = std::round(t / period_);
    return k >= 1.0 && std::abs(t - k * period_) < 1e-10 * period_;
  }
  std::shared_ptr<const Measure> initial_;
  double period_;
};

class ContinuityModel : public Model {
 public:
  // Owns the grid when the Eulerian view is disabled: particles still use its decomposition.
  std::unique_ptr<EulerianView> keep_alive_;
};

}  // namespace

std::unique_ptr<Model> build_continuity_model(const ContinuityConfig& c, MPI_Comm comm) {
  auto model = std::make_unique<ContinuityModel>();
  // The grid exists even without the Eulerian view: particles use its domain decomposition.
  auto eulerian = std::make_unique<ContinuityEulerian>(c.domain, comm, *c.initial, c.velocity, c.limiter, c.cfl);
  if (c.lagrangian_enabled) {
    ParticleSet particles = sample_particles(*c.initial, c.particles, c.seed, eulerian->grid(), c.initial->mass());
    model->lagrangian = std::make_unique<ContinuityLagrangian>(std::move(particles), eulerian->grid(), c.velocity,
                                                               c.integrator, c.substep_dt);
  }
  if (c.velocity.kind == fields::PrescribedField::Kind::Linear)
    model->closed_form = std::make_unique<ContinuityClosedForm>(
        AffineClosedForm(c.initial, c.velocity.A, c.velocity.b, c.velocity.A_rate));
  else
    model->closed_form = std::make_unique<PeriodicReturnClosedForm>(c.initial, c.velocity.swirl.period);
  if (c.eulerian_enabled) {
    model->eulerian = std::move(eulerian);
  } else {
    model->keep_alive_ = std::move(eulerian);
  }
  return model;
}

}  // namespace mf::continuity
