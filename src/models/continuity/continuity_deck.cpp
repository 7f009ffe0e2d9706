// Deck keys of the continuity model (beside the core keys: the prescribed velocity field), the
// deck → ContinuityConfig mapping, and the model's registration.
#include "continuity_deck.hpp"

#include "continuity_model.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"

namespace mf::continuity {

void declare_continuity_keys(Schema& s) {
  // The core keys the continuity views read beyond those of every model.
  declare_time_end(s);
  declare_explicit_time_step(s);
  declare_eulerian_switch(s);
  declare_limiter(s);
  declare_particle_integrator(s);
  declare_particle_substep(s);
  VariantRef velocity = s.variant("velocity", Required, "the prescribed velocity field v_t(x)");
  Schema& linear = velocity.option("linear", "v(x) = A x + b; the exact solution is the affine push-forward");
  linear.matrix_zero_default("A", "d×d matrix (any: rotation, shear, contraction)");
  linear.vector_zero_default("b", "constant drift");
  linear.matrix_zero_default("A_rate", "d×d: A(t) = A + t A_rate (zero: a constant field)");
  Schema& swirl = velocity.option(
      "swirl", "LeVeque's swirling deformation flow on the domain box, reversing at period/2 (d = 2 or 3)");
  swirl.real("period", 1.0, "T: the flow reverses at T/2 and the measure is back at its start at T").positive();
  // Particles migrate by the grid's domain decomposition, so the grid exists even without the
  // Eulerian view.
  s.cross_check([](const YAML::Node& root, Errors& errors) {
    const YAML::Node enabled = root["eulerian"] ? root["eulerian"]["enabled"] : YAML::Node();
    if (enabled.IsDefined() && enabled.IsScalar() && enabled.as<std::string>() == "false")
      require_grid_keys(root, errors, "the continuity model decomposes particles by the grid");
  });
  s.cross_check([](const YAML::Node& root, Errors& errors) {
    if (root["velocity"] && root["velocity"]["type"] && root["velocity"]["type"].as<std::string>() == "swirl" &&
        errors.dim() == 1)
      errors.add("velocity.type", "'swirl' needs domain.dim = 2 or 3 (got 1); allowed in 1D: linear",
                 root["velocity"]["type"]);
  });
}

namespace {

fields::PrescribedField velocity_from_deck(const Deck& deck, const GridSpec& domain) {
  const int d = domain.dim;
  if (deck.text("velocity.type") == "linear")
    return fields::linear_prescribed_field(deck.has("velocity.A") ? deck.mat("velocity.A") : Matrix(d, d),
                                           deck.has("velocity.b") ? deck.vec("velocity.b") : Vector(d, 0.0),
                                           deck.has("velocity.A_rate") ? deck.mat("velocity.A_rate") : Matrix(d, d));
  fields::PrescribedField v;
  v.kind = fields::PrescribedField::Kind::Swirl;
  v.swirl = fields::make_swirl_field(d, domain.lower.data(), domain.upper.data(), deck.real("velocity.period"));
  return v;
}

}  // namespace

ContinuityConfig config_from_deck(const Deck& deck) {
  ContinuityConfig c;
  c.domain = grid_spec_from_deck(deck);
  c.initial = measure_from_deck(deck, "initial");
  c.velocity = velocity_from_deck(deck, c.domain);
  c.eulerian_enabled = deck.flag("eulerian.enabled");
  c.limiter = parse_limiter(deck.text("eulerian.limiter"));
  if (deck.has("time.cfl")) c.cfl = deck.real("time.cfl");
  c.lagrangian_enabled = deck.flag("lagrangian.enabled");
  if (c.lagrangian_enabled) {
    c.particles = deck.integer("lagrangian.particles");
    c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
    c.integrator = parse_integrator(deck.text("lagrangian.integrator"));
    if (deck.has("lagrangian.dt")) c.substep_dt = deck.real("lagrangian.dt");
  }
  return c;
}

void register_continuity_model() {
  register_model("continuity", "a measure carried by a prescribed velocity field (survey §2)", declare_continuity_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_continuity_model(config_from_deck(deck), comm); });
}

}  // namespace mf::continuity
