#include <cmath>
#include <limits>
#include <stdexcept>

#include "measureflow/counter_rng.hpp"
#include "transformer_config.hpp"

namespace mf::transformer {

Variant parse_variant(const std::string& s) {
  if (s == "softmax") return Variant::Softmax;
  if (s == "sphere") return Variant::Sphere;
  if (s == "sinkhorn") return Variant::Sinkhorn;
  throw std::invalid_argument("unknown variant '" + s + "' (allowed: softmax, sphere, sinkhorn)");
}

std::string to_string(Variant v) {
  switch (v) {
    case Variant::Softmax: return "softmax";
    case Variant::Sphere: return "sphere";
    case Variant::Sinkhorn: return "sinkhorn";
  }
  return "?";
}

namespace {

// Entries N(0, 1/d) from the counter-based stream (seed, which): the same matrices on every rank.
Matrix gaussian_matrix(int d, std::uint64_t seed, std::uint64_t which) {
  const CounterRng rng(seed, which);
  Matrix g(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) g(i, j) = rng.normal(static_cast<std::uint64_t>(i) * d + j) / std::sqrt(double(d));
  return g;
}

}  // namespace

AttentionLayer make_preset(const AttentionPreset& p, int d) {
  AttentionLayer l;
  if (p.preset == "identity") {
    if (p.scale < 0.0) throw std::invalid_argument("attention.scale must be >= 0 for the identity preset");
    l.Q = std::sqrt(p.scale) * Matrix::identity(d);
    l.K = l.Q;
    l.V = Matrix::identity(d);
  } else if (p.preset == "potential") {
    const Matrix g = gaussian_matrix(d, p.seed, 0);
    l.Q = Matrix::identity(d);
    l.K = (0.5 * p.scale) * (g + transpose(g));
    l.V = transpose(l.Q) * l.K;
  } else if (p.preset == "random") {
    l.Q = p.scale * gaussian_matrix(d, p.seed, 1);
    l.K = p.scale * gaussian_matrix(d, p.seed, 2);
    l.V = p.scale * gaussian_matrix(d, p.seed, 3);
  } else {
    throw std::invalid_argument("unknown attention preset '" + p.preset + "' (allowed: identity, potential, random)");
  }
  return l;
}

const AttentionLayer& layer_at(const std::vector<AttentionLayer>& layers, double t) {
  if (layers.empty()) throw std::invalid_argument("transformer: no attention layers");
  for (const auto& l : layers)
    if (t < l.t_end) return l;
  return layers.back();
}

double next_layer_change(const std::vector<AttentionLayer>& layers, double t) {
  for (size_t i = 0; i + 1 < layers.size(); ++i)
    if (t < layers[i].t_end) return layers[i].t_end;
  return std::numeric_limits<double>::infinity();
}

}  // namespace mf::transformer
