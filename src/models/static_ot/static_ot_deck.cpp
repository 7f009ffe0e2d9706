// Deck keys of the static_ot model (pinned: initial = α, target = β; not pinned: solver.{eps, tolerance,
// max_iterations, method, max_stored_pairs}), the deck → StaticOtConfig mapping, and the model's registration.
#include <string>

#include "measureflow/deck.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"
#include "static_ot_views.hpp"

namespace mf::static_ot {

namespace {

// The most points per cloud solver.method allows (static_ot_config.hpp): the dense limit, or the
// multiscale one for auto and multiscale (auto runs the multiscale solver on every cloud above 4096 points).
long long max_points(const YAML::Node& root) {
  const YAML::Node method = root["solver"] ? root["solver"]["method"] : YAML::Node();
  const bool dense = method.IsDefined() && method.IsScalar() && method.as<std::string>() == "dense";
  return dense ? kMaxDensePoints : kMaxMultiscalePoints;
}

std::string limit_reason(long long limit) {
  return limit == kMaxDensePoints ? "with solver.method: dense (every pair every sweep)"
                                  : "with the multiscale solver (solver.method: auto or multiscale)";
}

void declare_static_ot_keys(Schema& s) {
  declare_eulerian_switch(s);
  declare_measure(s, "target", true);
  Schema& solver = s.section("solver", "log-domain Sinkhorn with ε-scaling, the same ε for both views");
  solver.real("eps", 0.0, "ε in length² (cost |x − y|²); 0: h² of the grid's coarsest axis").non_negative();
  solver.real("tolerance", 1e-6, "stop when the L1 marginal violation of the plan is below it").positive();
  solver.integer("max_iterations", 20000LL, "Sinkhorn sweeps, all ε stages together; not reaching the tolerance is exit 3")
      .min(1);
  solver.enumeration("method", {"auto", "dense", "multiscale"}, "auto",
                     "dense: every pair every sweep (up to 65536 points); multiscale: bin hierarchy and truncated "
                     "kernel (up to 262144 points, 1-3 D); auto: dense up to 4096 points per cloud, multiscale above");
  solver.integer("max_stored_pairs", kDefaultMaxStoredPairs,
                 "multiscale: kernel pairs stored per rank and orientation (12 bytes each); a stage with more "
                 "recomputes its kernel every sweep (slower, memory O(points))")
      .min(0);
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
    const long long limit = max_points(root);
    if (grid_view && cells.IsDefined() && cells.IsSequence()) {
      double total = 1.0;
      for (const YAML::Node& c : cells) total *= c.IsScalar() ? c.as<double>() : 1.0;
      if (total > static_cast<double>(limit))
        e.add("domain.cells",
              "the grid view solves over every cell: at most " + std::to_string(limit) + " cells " +
                  limit_reason(limit) + " (got " + std::to_string(static_cast<long long>(total)) +
                  "); use fewer cells or eulerian.enabled: false",
              cells);
    }
    const YAML::Node lag = root["lagrangian"];
    const YAML::Node lag_enabled = lag ? lag["enabled"] : YAML::Node();
    const bool particle_view = !(lag_enabled.IsDefined() && lag_enabled.IsScalar() && lag_enabled.as<std::string>() == "false");
    const YAML::Node count = lag ? lag["particles"] : YAML::Node();
    if (particle_view && count.IsDefined() && count.IsScalar() && count.as<double>() > static_cast<double>(limit))
      e.add("lagrangian.particles",
            "the particle view solves over every sample: at most " + std::to_string(limit) + " samples " +
                limit_reason(limit) + " (got " + count.as<std::string>() + ")",
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
  const std::string method = deck.text("solver.method");
  c.method = method == "dense" ? StaticMethod::Dense : method == "multiscale" ? StaticMethod::Multiscale : StaticMethod::Auto;
  c.max_stored_pairs = deck.integer("solver.max_stored_pairs");
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
