// The continuity model (`model: continuity`), survey §2: a measure carried by a prescribed field.
//   1. grid, initial measure and field from the deck
//   2. Eulerian view: cell averages of α_0, finite volumes (MUSCL + SSP-RK3)
//   3. Lagrangian view: counter-based samples of α_0, RK4
//   4. closed form: affine push-forward (linear field) or the return to α_0 at whole periods (swirl)
#include <cmath>

#include "continuity_schema.hpp"
#include "continuity_views.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"

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

std::unique_ptr<Model> build(const Deck& deck, MPI_Comm comm) {
  auto model = std::make_unique<ContinuityModel>();
  const GridSpec spec = grid_spec_from_deck(deck);
  const std::shared_ptr<const Measure> initial = measure_from_deck(deck, "initial");
  const VelocitySpec velocity = velocity_from_deck(deck);

  // The grid exists even without the Eulerian view: particles use its domain decomposition.
  auto eulerian = std::make_unique<ContinuityEulerian>(spec, comm, *initial, velocity,
                                                       parse_limiter(deck.text("eulerian.limiter")),
                                                       deck.has("time.cfl") ? deck.real("time.cfl") : 0.4);
  if (deck.flag("lagrangian.enabled")) {
    ParticleSet particles = sample_particles(*initial, deck.integer("lagrangian.particles"),
                                             static_cast<std::uint64_t>(deck.integer("lagrangian.seed")),
                                             eulerian->grid(), initial->mass());
    const double sub_dt = deck.has("lagrangian.dt") ? deck.real("lagrangian.dt") : 0.0;
    model->lagrangian = std::make_unique<ContinuityLagrangian>(
        std::move(particles), eulerian->grid(), velocity, parse_integrator(deck.text("lagrangian.integrator")), sub_dt);
  }
  if (velocity.kind == VelocitySpec::Kind::Linear)
    model->closed_form = std::make_unique<ContinuityClosedForm>(AffineClosedForm(initial, velocity.A, velocity.b, velocity.A_rate));
  else
    model->closed_form = std::make_unique<PeriodicReturnClosedForm>(initial, velocity.swirl.period);
  if (deck.flag("eulerian.enabled")) {
    model->eulerian = std::move(eulerian);
  } else {
    model->keep_alive_ = std::move(eulerian);
  }
  return model;
}

}  // namespace

VelocitySpec velocity_from_deck(const Deck& deck) {
  VelocitySpec v;
  const int d = static_cast<int>(deck.integer("domain.dim"));
  if (deck.text("velocity.type") == "linear") {
    v.kind = VelocitySpec::Kind::Linear;
    v.A = deck.has("velocity.A") ? deck.mat("velocity.A") : Matrix(d, d);
    v.b = deck.has("velocity.b") ? deck.vec("velocity.b") : Vector(d, 0.0);
    v.A_rate = deck.has("velocity.A_rate") ? deck.mat("velocity.A_rate") : Matrix(d, d);
    v.linear = make_linear_field(v.A, v.b, v.A_rate);
  } else {
    v.kind = VelocitySpec::Kind::Swirl;
    v.swirl.dim = d;
    const auto lo = deck.vec("domain.lower"), hi = deck.vec("domain.upper");
    for (int a = 0; a < d; ++a) {
      v.swirl.lower[a] = lo[a];
      v.swirl.length[a] = hi[a] - lo[a];
    }
    v.swirl.period = deck.real("velocity.period");
  }
  return v;
}

void register_continuity_model() {
  register_model("continuity", "a measure carried by a prescribed velocity field (survey §2)", declare_continuity_keys,
                 build);
}

}  // namespace mf::continuity
