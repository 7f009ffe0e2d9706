// Deck keys of the gradient_flow model (beside the core keys), the deck → GradientFlowConfig mapping,
// and the model's registration. Pinned keys: energy.{internal, potential, interaction},
// lagrangian.method; the others are this model's own.
#include <vector>
#include <string>

#include "gradient_flow_model.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"

namespace mf::gradient_flow {

namespace {

// The text of root[a][b]...[type] (or of a scalar key), "" when absent: cross-checks run on the
// resolved deck, where an optional variant that was not given is absent.
std::string text_at(const YAML::Node& node, const std::vector<const char*>& path, std::size_t depth = 0) {
  if (depth == path.size()) return node.IsScalar() ? node.as<std::string>() : "";
  if (!node.IsMap()) return "";
  const YAML::Node child = node[path[depth]];  // const lookup: never adds the key to the deck
  if (!child.IsDefined()) return "";
  return text_at(child, path, depth + 1);
}

void check_combinations(const YAML::Node& root, Errors& e) {
  const int dim = e.dim();
  const std::string internal = text_at(root, {"energy", "internal", "type"});
  const std::string potential = text_at(root, {"energy", "potential", "type"});
  const std::string interaction = text_at(root, {"energy", "interaction", "type"});
  const bool has_interaction = !interaction.empty() && interaction != "none";
  const YAML::Node type_node = root["energy"] && root["energy"]["interaction"] ? root["energy"]["interaction"]["type"]
                                                                               : YAML::Node();
  if (interaction == "log_quadratic" && dim != 0 && dim != 2)
    e.add("energy.interaction.type", "log_quadratic (dim " + std::to_string(dim) +
          ") is not supported; allowed: log_quadratic in 2D only; abs_quadratic | power | gaussian in any dimension",
          type_node);
  if (interaction == "log" && dim > 2)
    e.add("energy.interaction.type",
          "log (dim 3) is not supported; allowed: log in 1D and 2D; abs_quadratic | power | gaussian in any dimension",
          type_node);
  const bool eulerian = text_at(root, {"eulerian", "enabled"}) != "false";
  const YAML::Node cells = root["domain"] ? root["domain"]["cells"] : YAML::Node();
  if (has_interaction && eulerian && cells.IsSequence()) {
    long long total = 1;
    for (const auto& c : cells) total *= c.as<long long>();
    if (total > 65536)
      e.add("domain.cells", std::to_string(total) + " cells with an interaction; allowed: at most 65536 cells (W∗ρ is a "
            "direct sum), or eulerian.enabled: false", cells);
  }
  const YAML::Node scheme = root["eulerian"] ? root["eulerian"]["scheme"] : YAML::Node();
  if (eulerian && text_at(root, {"eulerian", "scheme"}) == "jko") {
    const bool heat_1d = dim == 1 && internal == "entropy" && (potential.empty() || potential == "none") && !has_interaction;
    if (has_interaction)
      e.add("eulerian.scheme", "jko with an interaction energy is not supported; allowed: jko with energy.interaction.type: "
            "none (internal and potential energies), or scheme fv", scheme);
    else if (text_at(root, {"eulerian", "jko_solver"}) == "quantiles" && !heat_1d)
      e.add("eulerian.jko_solver", "quantiles (dim " + std::to_string(dim) + ") is not supported; allowed: quantiles for "
            "the heat equation in 1D only (domain.dim: 1, energy.internal.type: entropy, no potential); dynamic_ot or "
            "auto otherwise", root["eulerian"]["jko_solver"]);
    else if (text_at(root, {"eulerian", "jko_solver"}) == "back_and_forth" && internal != "entropy" && internal != "porous")
      e.add("eulerian.jko_solver", "back_and_forth needs an internal energy (its density is the energy's conjugate "
            "gradient); allowed: back_and_forth with energy.internal.type: entropy or porous; dynamic_ot otherwise",
            root["eulerian"]["jko_solver"]);
    if (text_at(root, {"eulerian", "time_integrator"}) == "bdf2")
      e.add("eulerian.time_integrator", "bdf2 with scheme jko; allowed: backward_euler with scheme jko; bdf2 with scheme fv",
            root["eulerian"]["time_integrator"]);
  }
  const bool lagrangian = text_at(root, {"lagrangian", "enabled"}) != "false";
  if (lagrangian && text_at(root, {"lagrangian", "method"}) == "stochastic" && internal != "entropy")
    e.add("lagrangian.method", "stochastic needs the heat equation's Brownian form; allowed: blob, pairwise, or "
          "stochastic with energy.internal.type: entropy", root["lagrangian"]["method"]);
}

void declare_gradient_flow_keys(Schema& s) {
  // Implicit steps of a fixed dt: no CFL, limiter, particle integrator or particle dt is read.
  declare_time_end(s);
  declare_fixed_time_step(s);
  declare_eulerian_switch(s);
  Schema& energy = s.section("energy", "f(ρ) = ∫U(ρ) + ∫V dρ + ½∫∫W(x−y) dρ dρ; the PDE is ∂ρ = div(ρ∇(U'(ρ)+V+W∗ρ))");
  VariantRef internal = energy.variant("internal", Optional, "internal energy U (absent: none)");
  internal.option("none", "no diffusion");
  internal.option("entropy", "U = ρ log ρ: the heat equation");
  internal.option("porous", "U = ρ^m/(m−1): the porous medium equation").real("m", Required, "exponent").greater_than(1.0);
  VariantRef potential = energy.variant("potential", Optional, "confinement V (absent: none)");
  potential.option("none", "no confinement");
  potential.option("quadratic", "V = strength |x|²/2 (Ornstein–Uhlenbeck, nonlinear Fokker–Planck)")
      .real("strength", 1.0, "strength of V")
      .positive();
  VariantRef interaction = energy.variant("interaction", Optional, "interaction kernel W (absent: none)");
  interaction.option("none", "no interaction");
  // Every singular kernel is softened the same way.
  const auto softened = [](Schema& kernel) { kernel.real("softening", 1e-3, "|x| → √(|x|² + ε²) near 0").positive(); };
  softened(interaction.option("log_quadratic", "W = |x|²/2 − log|x| (2D): uniform disk of radius 1 at rest"));
  softened(interaction.option("abs_quadratic", "W = |x|²/2 − |x| (1D): uniform on [−1, 1] at rest"));
  Schema& power = interaction.option("power", "W = |x|^a/a − |x|^b/b");
  power.real("a", 2.0, "attractive exponent a").positive();
  power.real("b", 1.0, "repulsive exponent b").positive();
  softened(power);
  softened(interaction.option("log", "W = −log|x| (1D, 2D); with V = k|x|²/2: semicircle (1D), uniform disk (2D) at rest"));
  Schema& gaussian = interaction.option("gaussian", "W = −strength e^{−|x|²/(2 width²)}");
  gaussian.real("width", 1.0, "kernel width").positive();
  gaussian.real("strength", 1.0, "kernel strength").positive();
  gaussian.real("softening", 1e-3, "unused by this kernel (accepted for uniformity)").positive();

  auto& eulerian = s.section("eulerian");
  eulerian.enumeration("reconstruction", {"linear", "constant"}, "linear", "face values of the upwind flux");
  eulerian.enumeration("scheme", {"fv", "jko"}, "fv",
                       "fv (implicit finite volumes) | jko (JKO steps: internal and potential energies, no interaction)");
  eulerian.enumeration("jko_solver", {"auto", "quantiles", "dynamic_ot", "back_and_forth"}, "auto",
                       "jko: quantiles (1D heat equation in quantile coordinates) | dynamic_ot (each step a dynamic OT "
                       "problem on the grid, d = 1, 2, 3) | back_and_forth (each step's dual by the back-and-forth "
                       "method, internal energy entropy or porous; validated in d = 1, 2) | auto (quantiles for the 1D heat "
                       "equation, else dynamic_ot)");
  eulerian.integer("jko_time_cells", 2LL, "jko dynamic_ot: time cells of each step's space-time problem").min(1);
  eulerian.real("jko_tolerance", 1e-4, "jko dynamic_ot: Douglas–Rachford fixed-point residual relative to the step's "
                "own size; back_and_forth: L1 mismatch of the energy's density and the transported one, relative "
                "to the mass").positive();
  eulerian.integer("jko_max_iterations", 5000LL, "jko dynamic_ot, back_and_forth: iterations per step before a "
                   "SolverError (exit 3)").min(1);
  eulerian.real("jko_step_size", 0.3, "jko dynamic_ot: step γ of the proximal maps (speed only)").positive();
  eulerian.flag("jko_warm_start", true,
                "jko dynamic_ot: start each step from the previous step's iterate (speed only; false: from rest)");
  eulerian.enumeration("time_integrator", {"backward_euler", "bdf2"}, "backward_euler",
                       "fv: backward_euler (energy-dissipative without interaction) | bdf2 (second order in dt; "
                       "energy kept monotone by the step guard)");
  eulerian.integer("jko_nodes", 2000LL, "quantile nodes of the jko scheme").min(3);
  eulerian.integer("max_step_halvings", 12LL,
                   "fv: a step whose discrete energy rises is redone as two half steps, at most this deep (0: off)")
      .min(0);
  auto& lagrangian = s.section("lagrangian");
  lagrangian.enumeration("method", {"blob", "stochastic", "pairwise"}, "blob",
                         "blob (deterministic, Carrillo–Craig–Patacchini; cell lists + halo) | stochastic "
                         "(Euler–Maruyama, heat/OU) | pairwise (the blob forces by all pairs over a ring of ranks)");
  lagrangian.real("blob_width", 0.0, "mollifier width δ (0: 4 × the initial lattice spacing)").non_negative();
  lagrangian.integer("substeps", 1LL, "explicit RK2 particle sub-steps per time.dt").min(1);
  s.cross_check([](const YAML::Node& root, Errors& e) {
    require_grid_keys(root, e, "the gradient_flow model always has a grid (it also decomposes the particles)");
    if (!root["time"] || !root["time"]["dt"].IsDefined())
      e.add("time.dt", "is required by gradient_flow (implicit steps; time.cfl does not apply)", root["time"]);
    // A Barenblatt profile of exponent m solves the porous medium equation of that m only; with another
    // energy.internal.m the closed form would describe a different PDE than the one solved.
    const YAML::Node init = root["initial"];
    const YAML::Node internal = root["energy"] ? root["energy"]["internal"] : YAML::Node();
    if (init.IsMap() && internal.IsMap() && init["type"] && internal["type"] && init["type"].Scalar() == "barenblatt" &&
        internal["type"].Scalar() == "porous" && init["m"] && internal["m"] &&
        init["m"].as<double>() != internal["m"].as<double>())
      e.add("initial.m", init["m"].Scalar() + " differs from energy.internal.m = " + internal["m"].Scalar() +
                             " (a Barenblatt profile solves the porous medium equation of its own m: give the same m)",
            init["m"]);
    const YAML::Node b = root["domain"] ? root["domain"]["boundary"] : YAML::Node();
    if (b.IsDefined() && b.IsScalar() && b.as<std::string>() != "noflux")
      e.add("domain.boundary", "'" + b.as<std::string>() + "' is not supported by gradient_flow (allowed: noflux)", b);
  });
  // Combinations of valid values that this model does not solve (each key alone is checked above).
  s.cross_check([](const YAML::Node& root, Errors& e) { check_combinations(root, e); });
}

GradientFlowConfig config_from_deck(const Deck& deck) {
  GradientFlowConfig c;
  c.domain = grid_spec_from_deck(deck);
  c.initial = measure_spec_from_deck(deck, "initial");
  EnergyConfig& en = c.energy;
  const std::string internal = deck.has("energy.internal.type") ? deck.text("energy.internal.type") : "none";
  en.internal = internal == "entropy" ? Internal::Entropy : internal == "porous" ? Internal::Porous : Internal::None;
  if (en.internal == Internal::Porous) en.m = deck.real("energy.internal.m");
  const std::string potential = deck.has("energy.potential.type") ? deck.text("energy.potential.type") : "none";
  en.potential = potential == "quadratic" ? Potential::Quadratic : Potential::None;
  if (en.potential == Potential::Quadratic) en.potential_strength = deck.real("energy.potential.strength");
  const std::string inter = deck.has("energy.interaction.type") ? deck.text("energy.interaction.type") : "none";
  en.interaction = inter == "log_quadratic"   ? Interaction::LogQuadratic
                   : inter == "abs_quadratic" ? Interaction::AbsQuadratic
                   : inter == "power"         ? Interaction::Power
                   : inter == "gaussian"      ? Interaction::Gaussian
                   : inter == "log"           ? Interaction::Log
                                              : Interaction::None;
  if (deck.has("energy.interaction.softening")) en.softening = deck.real("energy.interaction.softening");
  if (en.interaction == Interaction::Power) {
    en.power_a = deck.real("energy.interaction.a");
    en.power_b = deck.real("energy.interaction.b");
  }
  if (en.interaction == Interaction::Gaussian) {
    en.gaussian_width = deck.real("energy.interaction.width");
    en.gaussian_strength = deck.real("energy.interaction.strength");
  }
  c.t_end = deck.real("time.end");
  c.dt = deck.real("time.dt");
  c.eulerian_enabled = deck.flag("eulerian.enabled");
  c.second_order = deck.text("eulerian.reconstruction") == "linear";
  c.scheme = deck.text("eulerian.scheme") == "jko" ? EulerianScheme::Jko : EulerianScheme::Fv;
  c.jko_nodes = static_cast<int>(deck.integer("eulerian.jko_nodes"));
  const std::string jko_solver = deck.text("eulerian.jko_solver");
  const bool heat_1d = c.domain.dim == 1 && en.internal == Internal::Entropy && en.potential == Potential::None &&
                       en.interaction == Interaction::None;
  c.jko_solver = jko_solver == "quantiles" || (jko_solver == "auto" && heat_1d) ? JkoSolver::Quantiles
                 : jko_solver == "back_and_forth"                              ? JkoSolver::BackAndForth
                                                                                 : JkoSolver::DynamicOt;
  c.jko_time_cells = static_cast<int>(deck.integer("eulerian.jko_time_cells"));
  c.jko_tolerance = deck.real("eulerian.jko_tolerance");
  c.jko_max_iterations = static_cast<int>(deck.integer("eulerian.jko_max_iterations"));
  c.jko_step_size = deck.real("eulerian.jko_step_size");
  c.jko_warm_start = deck.flag("eulerian.jko_warm_start");
  c.bdf2 = deck.text("eulerian.time_integrator") == "bdf2";
  c.max_step_halvings = static_cast<int>(deck.integer("eulerian.max_step_halvings"));
  c.lagrangian_enabled = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  const std::string method = deck.text("lagrangian.method");
  c.method = method == "stochastic" ? ParticleMethod::Stochastic
             : method == "pairwise"   ? ParticleMethod::Pairwise
                                      : ParticleMethod::Blob;
  c.blob_width = deck.real("lagrangian.blob_width");
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  c.particle_substeps = static_cast<int>(deck.integer("lagrangian.substeps"));
  return c;
}

}  // namespace

void register_gradient_flow_model() {
  register_model("gradient_flow", "Wasserstein gradient flows: heat, Fokker–Planck, porous medium, aggregation (survey §5)",
                 declare_gradient_flow_keys, [](const Deck& deck, MPI_Comm comm) {
                   return build_gradient_flow_model(config_from_deck(deck), comm);
                 });
}

}  // namespace mf::gradient_flow
