// Deck keys of the flow_matching model (beside the core keys; pinned in DESIGN.md and issue #14), the
// deck → FlowMatchingConfig mapping, and the model's registration.
//   target: gaussian | mixture | dataset {name, samples, seed} | file {path, snapshot}
//   field: {type: exact | score | learned, basis: {type, size}, training: {pairs, epochs, batch, learning_rate, seed}}
//   coupling: independent | minibatch_ot, coupling_batch, coupling_eps
//   time: {steps, integrator: euler | heun | rk4}     (the path always runs over t ∈ [0, 1])
#include <yaml-cpp/yaml.h>

#include "flow_matching_views.hpp"
#include "measureflow/deck.hpp"
#include "measureflow/errors.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"

namespace mf::flow_matching {

DatasetName parse_dataset_name(const std::string& s) {
  if (s == "eight_gaussians") return DatasetName::EightGaussians;
  if (s == "moons") return DatasetName::Moons;
  if (s == "checkerboard") return DatasetName::Checkerboard;
  if (s == "rings") return DatasetName::Rings;
  throw InputError("target.name: '" + s + "' is not a data set (allowed: eight_gaussians, moons, checkerboard, rings)");
}
std::string to_string(DatasetName n) {
  switch (n) {
    case DatasetName::EightGaussians: return "eight_gaussians";
    case DatasetName::Moons: return "moons";
    case DatasetName::Checkerboard: return "checkerboard";
    case DatasetName::Rings: return "rings";
  }
  return "?";
}
FieldType parse_field_type(const std::string& s) {
  if (s == "exact") return FieldType::Exact;
  if (s == "score") return FieldType::Score;
  if (s == "learned") return FieldType::Learned;
  throw InputError("field.type: '" + s + "' (allowed: exact, score, learned)");
}
std::string to_string(FieldType f) { return f == FieldType::Exact ? "exact" : f == FieldType::Score ? "score" : "learned"; }
Coupling parse_coupling(const std::string& s) {
  if (s == "independent") return Coupling::Independent;
  if (s == "minibatch_ot") return Coupling::MinibatchOt;
  throw InputError("coupling: '" + s + "' (allowed: independent, minibatch_ot)");
}
Integrator parse_fm_integrator(const std::string& s) {
  if (s == "euler") return Integrator::Euler;
  if (s == "heun") return Integrator::Heun;
  if (s == "rk4") return Integrator::Rk4;
  throw InputError("time.integrator: '" + s + "' (allowed: euler, heun, rk4)");
}
std::string to_string(Integrator i) { return i == Integrator::Euler ? "euler" : i == Integrator::Heun ? "heun" : "rk4"; }
int stages(Integrator i) { return i == Integrator::Euler ? 1 : i == Integrator::Heun ? 2 : 4; }

namespace {

std::string scalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar() ? n.as<std::string>() : std::string(); }

void declare_target(Schema& s) {
  VariantRef target = s.variant("target", Required, "α1, the measure the flow carries α0 to at t = 1");
  declare_gaussian_keys(target.option("gaussian", "N(mean, cov): the exact field is Prop. 3.2 (affine in x)"));
  declare_mixture_keys(target.option("mixture", "Σ π_k N(μ_k, Σ_k): the exact field is a posterior-weighted sum of Prop. 3.2 fields"));
  Schema& dataset = target.option("dataset", "a generated 2D point set (the mixture with Σ_k = 0): eight_gaussians | moons | checkerboard | rings");
  dataset.enumeration("name", {"eight_gaussians", "moons", "checkerboard", "rings"}, Required, "which data set");
  dataset.integer("samples", 10000LL, "number of data points (spread over ranks by id blocks)").min(1);
  dataset.integer("seed", 7LL, "seed of the data set's counter-based generator").min(0);
  Schema& file = target.option("file", "an HDF5 point set (particles.h5, or root datasets positions N×d and optional weights)");
  file.string("path", Required, "HDF5 file, relative to the deck's folder").hdf5_file();
  file.integer("snapshot", -1LL, "snapshot index of a particles.h5; -1 = the last one").min(-1);
}

void declare_flow_matching_keys(Schema& s) {
  declare_target(s);
  Schema& field = s.section("field", "the velocity field the samples and the grid density follow");
  field.enumeration("type", {"exact", "score", "learned"}, "exact",
                    "exact: E[X1 − X0 | x_t = x] in closed form | score: from ∇log α_t (corrected Prop. 3.3) | "
                    "learned: least squares / Adam on the flow-matching loss (8)");
  Schema& basis = field.section("basis", "the learned field's parametrisation (field.type: learned)");
  basis.enumeration("type", {"affine", "random_features", "mlp"}, "affine",
                    "affine and random_features: exact least squares; mlp: Adam");
  basis.integer("size", 64LL, "affine: Legendre polynomials in t; random_features: cosine features; mlp: hidden width").min(1);
  Schema& training = field.section("training", "how the learned field is trained (field.type: learned)");
  training.integer("pairs", 10000LL, "training pairs (X0, X1) per epoch").min(1);
  training.integer("epochs", 1LL, "passes (fresh pairs each)").min(1);
  training.integer("batch", 256LL, "Adam minibatch size (mlp); minibatch_ot couples batches of coupling_batch").min(1);
  training.real("learning_rate", 1e-3, "Adam step (mlp)").positive();
  training.integer("seed", 1LL, "seed of the training pairs and initial weights").min(0);
  s.enumeration("coupling", {"independent", "minibatch_ot"}, "independent",
                "how the pairs (X0, X1) are drawn for training and for the path");
  s.integer("coupling_batch", 256LL, "minibatch_ot: pairs per OT batch (a global batch across ranks)").min(2);
  s.real("coupling_eps", 0.0, "minibatch_ot: entropic ε of the batch coupling (0: unregularised)").non_negative();
  // The shared keys the views read (the path runs over t ∈ [0, 1]: no time.end, no time.dt).
  declare_eulerian_switch(s);
  declare_limiter(s);
  s.section("time").real("cfl", 0.4, "CFL number of the grid view's FV steps").greater_than(0.0).max(1.0);
  s.section("output").real("every", 0.25, "time between snapshots (snapped to the step grid k/steps)").positive().max(1.0);
  Schema& time = s.section("time");
  time.integer("steps", 16LL, "steps of the sampling ODE from t = 0 to t = 1").min(1);
  time.enumeration("integrator", {"euler", "heun", "rk4"}, "rk4", "integrator of the sampling ODE");

  s.cross_check([](const YAML::Node& root, Errors& e) {
    const YAML::Node time = root["time"];
    const YAML::Node target = root["target"];
    const std::string ttype = target ? scalar(target["type"]) : "";
    const YAML::Node dim = root["domain"] ? root["domain"]["dim"] : YAML::Node();
    if (ttype == "dataset" && dim.IsDefined() && scalar(dim) != "2")
      e.add("target.type", "dataset needs domain.dim = 2 (got " + scalar(dim) + "); in other dimensions use gaussian, mixture or file",
            target["type"]);
    const YAML::Node eulerian = root["eulerian"] ? root["eulerian"]["enabled"] : YAML::Node();
    const bool grid = !eulerian.IsDefined() || scalar(eulerian) != "false";
    if (grid && (ttype == "dataset" || ttype == "file"))
      e.add("eulerian.enabled", "true needs a target with a density (gaussian or mixture); a point-set target (" + ttype +
                                    ") is a sum of Diracs at t = 1: set eulerian.enabled: false",
            eulerian.IsDefined() ? eulerian : root["target"]);
    const YAML::Node initial = root["initial"];
    const std::string itype = initial ? scalar(initial["type"]) : "";
    if (!itype.empty() && itype != "gaussian")
      e.add("initial.type", "'" + itype + "': flow_matching needs a Gaussian source α0 (allowed: gaussian)", initial["type"]);
    const YAML::Node ftype = root["field"] ? root["field"]["type"] : YAML::Node();
    const YAML::Node coupling = root["coupling"];
    if (scalar(coupling) == "minibatch_ot" && scalar(ftype) != "learned")
      e.add("coupling", "minibatch_ot changes the path only through a trained field: it needs field.type: learned "
                        "(the exact and score fields are those of the independent coupling)",
            coupling);
  });
}

TargetSpec target_from_deck(const Deck& deck) {
  TargetSpec t;
  const std::string type = deck.text("target.type");
  if (type == "gaussian" || type == "mixture") {
    t.kind = type == "gaussian" ? TargetKind::Gaussian : TargetKind::Mixture;
    t.measure = measure_spec_from_deck(deck, "target");
  } else if (type == "dataset") {
    t.kind = TargetKind::Dataset;
    t.name = parse_dataset_name(deck.text("target.name"));
    t.samples = deck.integer("target.samples");
    t.seed = static_cast<std::uint64_t>(deck.integer("target.seed"));
  } else {
    t.kind = TargetKind::File;
    t.path = deck.resolve_path(deck.text("target.path"));
    t.snapshot = static_cast<int>(deck.integer("target.snapshot"));
  }
  return t;
}

}  // namespace

FlowMatchingConfig config_from_deck(const Deck& deck) {
  FlowMatchingConfig c;
  c.dim = static_cast<int>(deck.integer("domain.dim"));
  c.eulerian_enabled = deck.flag("eulerian.enabled");
  if (c.eulerian_enabled) c.domain = grid_spec_from_deck(deck);
  c.domain.dim = c.dim;
  c.initial = measure_spec_from_deck(deck, "initial");
  c.target = target_from_deck(deck);
  c.field = parse_field_type(deck.text("field.type"));
  c.learned.basis = deck.text("field.basis.type");
  c.learned.size = static_cast<int>(deck.integer("field.basis.size"));
  c.learned.pairs = deck.integer("field.training.pairs");
  c.learned.epochs = static_cast<int>(deck.integer("field.training.epochs"));
  c.learned.batch = static_cast<int>(deck.integer("field.training.batch"));
  c.learned.learning_rate = deck.real("field.training.learning_rate");
  c.learned.seed = static_cast<std::uint64_t>(deck.integer("field.training.seed"));
  c.coupling = parse_coupling(deck.text("coupling"));
  c.coupling_batch = static_cast<int>(deck.integer("coupling_batch"));
  c.coupling_eps = deck.real("coupling_eps");
  c.steps = static_cast<int>(deck.integer("time.steps"));
  c.integrator = parse_fm_integrator(deck.text("time.integrator"));
  c.cfl = deck.has("time.cfl") ? deck.real("time.cfl") : 0.4;
  c.output_every = deck.has("output.every") ? deck.real("output.every") : 0.25;
  c.limiter = deck.text("eulerian.limiter");
  c.lagrangian_enabled = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  c.w2_points = deck.integer("diagnostics.w2_points");
  c.w2_eps = deck.real("diagnostics.w2_eps");
  return c;
}

void register_flow_matching_model() {
  register_model("flow_matching",
                 "samples and density carried from a Gaussian α0 to α1 by the flow-matching field (survey §3)",
                 declare_flow_matching_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_flow_matching_model(config_from_deck(deck), comm); });
}

}  // namespace mf::flow_matching
