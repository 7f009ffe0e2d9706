// Deck keys of the transformer model (beside the core keys), the deck → TransformerConfig mapping, and
// the model's registration.
//   attention: {Q, K, V}  or  {preset: identity | potential | random, scale, seed}
//   layers: [{Q, K, V | preset, scale, seed, until}, ...]      (instead of attention)
//   variant: softmax | sphere | sinkhorn;  beta (sphere);  sinkhorn_iterations (sinkhorn)
//   lagrangian.moment_match, lagrangian.cluster_radius
#include <yaml-cpp/yaml.h>

#include "measureflow/deck.hpp"
#include "measureflow/model.hpp"
#include "measureflow/schema.hpp"
#include "measureflow/setup_from_deck.hpp"
#include "models/model_list.hpp"
#include "transformer_views.hpp"

namespace mf::transformer {

namespace {

// The keys of one parameter set, shared by `attention:` and each item of `layers:`.
void declare_parameter_set(Schema& s) {
  s.matrix("Q", Optional, "query matrix (scores ⟨Qx, Ky⟩ = xᵀQᵀK y, survey eq. 26)");
  s.matrix("K", Optional, "key matrix");
  s.matrix("V", Optional, "value matrix (a source y contributes V y)");
  s.enumeration("preset", {"identity", "potential", "random"}, Optional,
                "instead of Q, K, V: identity (Q = K = √scale I, V = I), potential (V = QᵀK symmetric), random (seeded)");
  s.real("scale", 1.0, "preset scale").positive();
  s.integer("seed", 1LL, "preset seed (random, potential)").min(0);
  s.cross_check([](const YAML::Node& sec, Errors& e) {
    const bool preset = sec["preset"].IsDefined();
    const int given = sec["Q"].IsDefined() + sec["K"].IsDefined() + sec["V"].IsDefined();
    if (preset && given > 0) e.add("preset", "give either a preset or the matrices Q, K, V, not both", sec["preset"]);
    // An empty set is judged at the root (attention may be absent when layers are given).
    if (!preset && given > 0 && given != 3)
      e.add("Q", "give all of Q, K, V (or a preset: identity, potential, random)", sec);
  });
}

void declare_transformer_keys(Schema& s) {
  // The core keys the transformer views read beyond those of every model (no lagrangian.dt).
  declare_time_end(s);
  declare_explicit_time_step(s);
  declare_eulerian_switch(s);
  declare_limiter(s);
  declare_particle_integrator(s);
  declare_parameter_set(s.section("attention", "one parameter set θ = (Q, K, V) for all depth (or use layers)"));
  Schema& layer = s.list("layers", Optional, "piecewise-constant parameters in depth, instead of attention");
  declare_parameter_set(layer);
  layer.real("until", Optional, "this layer applies for depth t < until (the last layer runs to the end)").positive();
  s.enumeration("variant", {"softmax", "sphere", "sinkhorn"}, "softmax",
                "softmax attention (eq. 26-28); tokens on the unit sphere; Sinkhorn-normalised attention");
  s.real("beta", 1.0, "sphere variant: scores β⟨x, y⟩").positive();
  s.integer("sinkhorn_iterations", 3LL, "sinkhorn variant: normalisation passes").min(1);
  auto& lagrangian = s.section("lagrangian");
  lagrangian.flag("moment_match", false, "shift and whiten the sampled tokens to the exact initial mean/covariance");
  lagrangian.real("cluster_radius", 1e-2, "tokens closer than this count as one cluster (lagrangian.clusters)").positive();
  s.cross_check([](const YAML::Node& root, Errors& e) {
    const bool layers = root["layers"].IsDefined() && root["layers"].IsSequence() && root["layers"].size() > 0;
    const YAML::Node att = root["attention"];
    const bool attention = att.IsMap() && (att["Q"].IsDefined() || att["preset"].IsDefined());
    if (layers && attention) e.add("layers", "give either attention or layers, not both", root["layers"]);
    if (!layers && !attention)
      e.add("attention", "is required: Q, K, V or a preset (identity, potential, random), or a `layers:` list", att);
    if (layers)
      for (size_t i = 0; i < root["layers"].size(); ++i) {
        const YAML::Node l = root["layers"][i];
        if (!l["preset"].IsDefined() && !l["Q"].IsDefined())
          e.add("layers", "item " + std::to_string(i) + " gives neither Q, K, V nor a preset", l);
      }
    // Tokens on the unit sphere have no density on a box grid.
    const YAML::Node variant = root["variant"];
    const YAML::Node enabled = root["eulerian"] ? root["eulerian"]["enabled"] : YAML::Node();
    if (variant.IsDefined() && variant.IsScalar() && variant.as<std::string>() == "sphere" &&
        !(enabled.IsDefined() && enabled.IsScalar() && enabled.as<std::string>() == "false"))
      e.add("variant", "sphere has no grid view; allowed: variant sphere with eulerian.enabled: false, or softmax | "
            "sinkhorn with a grid", variant);
  });
}

AttentionLayer layer_from(const Deck& deck, const std::string& prefix, int dim) {
  if (deck.has(prefix + ".preset")) {
    AttentionPreset p;
    p.preset = deck.text(prefix + ".preset");
    p.scale = deck.real(prefix + ".scale");
    p.seed = static_cast<std::uint64_t>(deck.integer(prefix + ".seed"));
    return make_preset(p, dim);
  }
  AttentionLayer l;
  l.Q = deck.mat(prefix + ".Q");
  l.K = deck.mat(prefix + ".K");
  l.V = deck.mat(prefix + ".V");
  return l;
}

TransformerConfig config_from_deck(const Deck& deck) {
  TransformerConfig c;
  const int d = static_cast<int>(deck.integer("domain.dim"));
  if (deck.has("layers")) {
    const YAML::Node layers = deck.node("layers");
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::string prefix = "layers." + std::to_string(i);
      AttentionLayer l = layer_from(deck, prefix, d);
      if (deck.has(prefix + ".until")) l.t_end = deck.real(prefix + ".until");
      c.layers.push_back(l);
    }
  } else {
    c.layers.push_back(layer_from(deck, "attention", d));
  }
  c.variant = parse_variant(deck.text("variant"));
  c.beta = deck.real("beta");
  c.sinkhorn_iterations = static_cast<int>(deck.integer("sinkhorn_iterations"));
  c.eulerian_enabled = deck.flag("eulerian.enabled");
  if (c.eulerian_enabled) c.domain = grid_spec_from_deck(deck);
  c.domain.dim = d;
  c.initial = measure_spec_from_deck(deck, "initial");
  c.t_end = deck.real("time.end");
  c.dt = deck.has("time.dt") ? deck.real("time.dt") : 0.0;
  c.cfl = deck.has("time.cfl") ? deck.real("time.cfl") : 0.4;
  c.limiter = parse_limiter(deck.text("eulerian.limiter"));
  c.lagrangian_enabled = deck.flag("lagrangian.enabled");
  c.particles = deck.integer("lagrangian.particles");
  c.integrator = parse_integrator(deck.text("lagrangian.integrator"));
  c.seed = static_cast<std::uint64_t>(deck.integer("lagrangian.seed"));
  c.moment_match = deck.flag("lagrangian.moment_match");
  c.cluster_radius = deck.real("lagrangian.cluster_radius");
  return c;
}

}  // namespace

void register_transformer_model() {
  register_model("transformer", "tokens moved by self-attention through depth (survey §7)", declare_transformer_keys,
                 [](const Deck& deck, MPI_Comm comm) { return build_transformer_model(config_from_deck(deck), comm); });
}

}  // namespace mf::transformer
