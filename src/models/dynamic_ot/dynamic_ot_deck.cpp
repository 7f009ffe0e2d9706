// Deck keys of the dynamic_ot model (pinned: initial = α0, target = α1, time.cells, solver.{method,
// tolerance, max_iterations}, lagrangian.{enabled, particles, seed}; not pinned: lagrangian.{coupling,
// coupling_eps}), the deck → DynamicOtConfig
// mapping, and the model's registration.
#include <exception>
#include <optional>
#include <string>

#include "dynamic_ot_views.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"

namespace mf::dynamic_ot {

namespace {

void declare_dynamic_ot_keys(Schema& s) {
  declare_measure(s, "target", true);
  s.section("time").integer("cells", 16LL, "N_t: time cells of the space-time grid on [0, 1]").min(2);
  Schema& solver = s.section("solver", "the proximal splitting for the convex Benamou–Brenier problem");
  solver.enumeration("method", {"alg2", "douglas_rachford", "primal_dual"}, "douglas_rachford",
                     "alg2 (augmented Lagrangian) | douglas_rachford (Papadakis–Peyré–Oudet) | primal_dual (Chambolle–Pock)");
  solver.string("tolerance", "1e-05",
                 "a number > 0: stop when the relative constraint residual and energy change are below it | auto "
                 "(primal_dual): stop when W2² moves by less than a tenth of the discretisation error estimated "
                 "from the multilevel start's grid twice as coarse (levels >= 2)")
      .check([](const YAML::Node& v, const std::string&) -> std::optional<std::string> {
        if (v.Scalar() == "auto") return std::nullopt;
        try {
          std::size_t used = 0;
          const double x = std::stod(v.Scalar(), &used);
          if (used == v.Scalar().size() && x > 0.0) return std::nullopt;
        } catch (const std::exception&) {
        }
        return "expected a number > 0 or auto, got " + v.Scalar();
      });
  solver.integer("max_iterations", 2000LL, "iteration cap").min(1);
  solver.real("step", 1.0, "γ (douglas_rachford), 1/r (alg2), τ (primal_dual)").positive();
  solver.enumeration("poisson", {"auto", "fft", "ksp"}, "auto",
                     "space-time Poisson solve of the continuity projection: fft (exact, fast cosine/Fourier transforms) | "
                     "ksp (PETSc CG + GAMG, options -dot_*) | auto (-dot_projection fft|ksp from the PETSc options, else fft)");
  solver.real("relaxation", 1.0, "primal_dual: over-relaxation ρ of each step, in (0, 2)").positive().less_than(2.0);
  solver.integer("levels", 1LL,
                 "primal_dual: grids of the multilevel start (solve on 2^(levels-1), ..., 2 times coarser grids first); 1 = none")
      .min(1);
  solver.real("velocity_threshold", 1e-8, "where α is below it, v = m/α is written as 0").positive();
  Schema& lagrangian = s.section("lagrangian");
  lagrangian.enumeration("coupling", {"auto", "exact", "entropic"}, "auto",
                         "pairing of the α0 and α1 samples: exact (sorting in 1D, Hungarian O(n³) in d ≥ 2, n ≤ 2000) | "
                         "entropic (Sinkhorn + barycentric projection) | auto (exact in 1D, entropic in d ≥ 2)");
  lagrangian.real("coupling_eps", 0.0,
                  "Sinkhorn ε of the entropic coupling, in length² (0: min(h² of the coarsest grid axis, smallest sample variance / 16))")
      .non_negative();
  s.cross_check([](const YAML::Node& root, Errors& e) {
    require_grid_keys(root, e, "dynamic_ot solves on a space-time grid");
    const YAML::Node dim = root["domain"] ? root["domain"]["dim"] : YAML::Node();
    // The Hungarian's O(n³) limit, caught here rather than after the Eulerian solve. An absent
    // lagrangian.particles means the core default (10 000), above the limit too.
    const YAML::Node lag = root["lagrangian"];
    const YAML::Node coupling = lag ? lag["coupling"] : YAML::Node();
    const YAML::Node count = lag ? lag["particles"] : YAML::Node();
    const bool many = !count.IsDefined() || (count.IsScalar() && count.as<double>() > 2000);
    if (coupling.IsDefined() && coupling.IsScalar() && coupling.as<std::string>() == "exact" && dim.IsDefined() &&
        dim.IsScalar() && dim.as<std::string>() != "1" && many)
      e.add("lagrangian.coupling", "exact in d >= 2 is the O(n^3) Hungarian, limited to 2000 particles (use entropic)",
            coupling);
    // The multilevel start hands a dual variable to the next grid: primal_dual's only.
    const YAML::Node solver_node = root["solver"];
    const YAML::Node levels = solver_node ? solver_node["levels"] : YAML::Node();
    const YAML::Node method = solver_node ? solver_node["method"] : YAML::Node();
    if (levels.IsDefined() && levels.IsScalar() && levels.as<std::string>() != "1" &&
        (!method.IsDefined() || !method.IsScalar() || method.as<std::string>() != "primal_dual"))
      e.add("solver.levels", "a multilevel start (levels > 1) needs solver.method: primal_dual", levels);
    const YAML::Node tolerance = solver_node ? solver_node["tolerance"] : YAML::Node();
    if (tolerance.IsDefined() && tolerance.IsScalar() && tolerance.Scalar() == "auto" &&
        (!method.IsDefined() || !method.IsScalar() || method.as<std::string>() != "primal_dual"))
      e.add("solver.tolerance", "auto (from the multilevel start's coarse W2²) needs solver.method: primal_dual", tolerance);
    const YAML::Node end = root["time"] ? root["time"]["end"] : YAML::Node();
    if (end.IsDefined())
      e.add("time.end", "does not apply to dynamic_ot (the path runs over t in [0, 1]; give time.cells)", end);
  });
}

DynamicOtConfig config_from_deck(const Deck& deck) {
  DynamicOtConfig c;
  c.space = grid_spec_from_deck(deck);
  c.initial = measure_spec_from_deck(deck, "initial");
  c.target = measure_spec_from_deck(deck, "target");
  c.time_cells = static_cast<PetscInt>(deck.integer("time.cells"));
  c.method = parse_method(deck.text("solver.method"));
  c.tolerance_auto = deck.text("solver.tolerance") == "auto";
  c.tolerance = c.tolerance_auto ? kAutoCoarsestTolerance : deck.real("solver.tolerance");
  c.max_iterations = static_cast<int>(deck.integer("solver.max_iterations"));
  c.step = deck.real("solver.step");
  c.poisson = deck.text("solver.poisson");
  c.relaxation = deck.real("solver.relaxation");
  c.levels = static_cast<int>(deck.integer("solver.levels"));
  c.velocity_threshold = deck.real("solver.velocity_threshold");
  c.progress = !deck.flag("output.quiet");
  c.lagrangian = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  c.coupling = parse_coupling(deck.text("lagrangian.coupling"));
  c.coupling_eps = deck.real("lagrangian.coupling_eps");
  c.cross_w2 = deck.text("diagnostics.w2") != "none";
  c.cross_w2_eps = deck.real("diagnostics.w2_eps");
  c.cross_w2_particles = deck.integer("diagnostics.w2_particles");
  return c;
}

}  // namespace

void register_dynamic_ot_model() {
  register_model("dynamic_ot", "dynamic optimal transport: the Benamou–Brenier geodesic between two measures (survey §4.2)",
                 declare_dynamic_ot_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_dynamic_ot_model(config_from_deck(deck), comm); });
}

}  // namespace mf::dynamic_ot
