// Plain configuration of the transformer model: one field per deck key (pinned key names in comments).
// The deck layer fills it; tests and the factory read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "measureflow/fv_advection.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/particle_integrator.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::transformer {

// One attention parameter set θ = (Q, K, V), in force for depth t < t_end.
// Scores are ⟨Qx, Ky⟩ = xᵀQᵀK y (survey eq. 26); the value of a source y is V y.
struct AttentionLayer {
  Matrix Q, K, V;
  double t_end = 1e300;  // layers: [{..., until: t_end}]; the last layer runs to the end of time
};

// `attention: {preset: identity | potential | random, scale, seed}` before it is turned into matrices.
struct AttentionPreset {
  std::string preset = "identity";  // attention.preset
  double scale = 1.0;               // attention.scale
  std::uint64_t seed = 1;           // attention.seed
};

enum class Variant { Softmax, Sphere, Sinkhorn };
Variant parse_variant(const std::string& s);  // "softmax" | "sphere" | "sinkhorn"
std::string to_string(Variant v);

struct TransformerConfig {
  // model: transformer
  // attention: {Q, K, V} or {preset, scale, seed} (one layer), or layers: [{Q, K, V | preset.., until}, ...]
  std::vector<AttentionLayer> layers;
  Variant variant = Variant::Softmax;  // variant
  double beta = 1.0;                   // beta (sphere: scores β⟨x, y⟩)
  int sinkhorn_iterations = 3;         // sinkhorn_iterations (sinkhorn variant)

  GridSpec domain;  // domain.{dim, lower, upper, cells, boundary}; only dim when eulerian is off
  MeasureSpec initial;  // initial.*

  double t_end = 1.0;  // time.end
  double dt = 0.0;     // time.dt (Lagrangian RK4 step in depth; ≤ 0: one step per Driver step)
  double cfl = 0.4;    // time.cfl (Eulerian)

  bool eulerian_enabled = true;       // eulerian.enabled
  Limiter limiter = Limiter::MC;      // eulerian.limiter: minmod | mc
  bool lagrangian_enabled = true;     // lagrangian.enabled
  long long particles = 10000;        // lagrangian.particles
  ParticleIntegrator integrator = ParticleIntegrator::RK4;  // lagrangian.integrator: rk4 | euler (euler = the T-layer map)
  std::uint64_t seed = 42;            // lagrangian.seed
  bool moment_match = false;          // lagrangian.moment_match: shift/whiten samples to the exact m0, Σ0
  double cluster_radius = 1e-2;       // lagrangian.cluster_radius (radius of lagrangian.clusters)
};

// The matrices of a preset in dimension d (G: seeded matrix of N(0, 1/d) entries, counter-based):
//   identity:  Q = K = √scale·I, V = I            (scores scale·⟨x, y⟩)
//   potential: Q = I, K = scale·(G + Gᵀ)/2, V = QᵀK (symmetric, so the dynamics is a gradient flow)
//   random:    Q, K, V = scale·G1, scale·G2, scale·G3
AttentionLayer make_preset(const AttentionPreset& p, int dim);

// The layer in force at depth t (piecewise constant; the last layer extends to infinity).
const AttentionLayer& layer_at(const std::vector<AttentionLayer>& layers, double t);
// Depth of the next layer change after t (infinity if none).
double next_layer_change(const std::vector<AttentionLayer>& layers, double t);

}  // namespace mf::transformer
