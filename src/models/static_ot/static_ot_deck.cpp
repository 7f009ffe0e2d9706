// Deck keys of the static_ot model (pinned: initial = α, target = β; not pinned: solver.{eps, tolerance,
// max_iterations}), the deck → StaticOtConfig mapping, and the model's registration.
#include <string>

#include "measureflow/deck.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

namespace {

// The dense solver visits every pair once per sweep: n² work, so a cloud of more points than this would
// run for hours on a workstation; larger problems belong to the multiscale solver (docs/static_ot.md).
constexpr long long kMaxPoints = 65536;

void declare_static_ot_keys(Schema& s) {
  declare_eulerian_switch(s);
  declare_measure(s, "target", true);
  Schema& solver = s.section("solver", "log-domain Sinkhorn with ε-scaling, the same ε for both views");
  solver.real("eps", 0.0, "ε in length² (cost |x − y|²); 0: h² of the grid's coarsest axis").non_negative();
  solver.real("tolerance", 1e-6, "stop when the L1 marginal violation of the plan is below it").positive();
  solver.integer("max_iterations", 20000LL, "Sinkhorn sweeps, all ε stages together; not reaching the tolerance is exit 3")
      .min(1);
  s.cross_check([](const YAML::Node& root, Errors& e) {
    // The grid is the Eulerian view's cells and the particles' decomposition, and sets the default ε.
    require_grid_keys(root, e, "static_ot places both measures on the grid and takes its default eps from h");
    const YAML::Node domain = root["domain"];
    const YAML::Node boundary = domain ? domain["boundary"] : YAML::Node();
    if (boundary.IsDefined() && boundary.IsScalar() && boundary.as<std::string>() != "noflux")
      e.add("domain.boundary",
            "'" + boundary.as<std::string>() + "' is not supported: the cost is |x - y|^2 in the box (allowed: noflux)",
            boundary);
    const YAML::Node cells = domain ? domain["cells"] : YAML::Node();
    const YAML::Node enabled = root["eulerian"] ? root["eulerian"]["enabled"] : YAML::Node();
    const bool grid_view = !(enabled.IsDefined() && enabled.IsScalar() && enabled.as<std::string>() == "false");
    if (grid_view && cells.IsDefined() && cells.IsSequence()) {
      double total = 1.0;
      for (const YAML::Node& c : cells) total *= c.IsScalar() ? c.as<double>() : 1.0;
      if (total > static_cast<double>(kMaxPoints))
        e.add("domain.cells",
              "the grid view solves densely over every cell: at most " + std::to_string(kMaxPoints) + " cells (got " +
                  std::to_string(static_cast<long long>(total)) + "); use fewer cells or eulerian.enabled: false",
              cells);
    }
    const YAML::Node lag = root["lagrangian"];
    const YAML::Node lag_enabled = lag ? lag["enabled"] : YAML::Node();
    const bool particle_view = !(lag_enabled.IsDefined() && lag_enabled.IsScalar() && lag_enabled.as<std::string>() == "false");
    const YAML::Node count = lag ? lag["particles"] : YAML::Node();
    if (particle_view && count.IsDefined() && count.IsScalar() && count.as<double>() > static_cast<double>(kMaxPoints))
      e.add("lagrangian.particles",
            "the particle view solves densely over every pair: at most " + std::to_string(kMaxPoints) + " samples (got " +
                count.as<std::string>() + ")",
            count);
    if (!grid_view && !particle_view)
      e.add("eulerian.enabled", "false with lagrangian.enabled false leaves nothing to solve (enable one view)", enabled);
  });
}

StaticOtConfig config_from_deck(const Deck& deck) {
  StaticOtConfig c;
  c.domain = grid_spec_from_deck(deck);
  c.initial = measure_from_deck(deck, "initial");
  c.target = measure_from_deck(deck, "target");
  c.eps = deck.real("solver.eps");
  c.tolerance = deck.real("solver.tolerance");
  c.max_iterations = static_cast<int>(deck.integer("solver.max_iterations"));
  c.eulerian_enabled = deck.flag("eulerian.enabled");
  c.lagrangian_enabled = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  c.target_seed = c.seed + 1;  // an independent stream for β's samples
  return c;
}

}  // namespace

void register_static_ot_model() {
  register_model("static_ot",
                 "static optimal transport between two measures: entropic plan, potentials and map (survey §4.1)",
                 declare_static_ot_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_static_ot_model(config_from_deck(deck), comm); });
}

}  // namespace mf::static_ot
