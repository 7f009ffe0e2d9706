// Interaction potentials W of the energy ½∫∫W(x−y)dρdρ and their gradients, with the singular ones
// softened by |z| → √(|z|² + ε²) (ε = energy.interaction.softening).
#pragma once
#include "gradient_flow_config.hpp"
#include "measureflow/kokkos_math.hpp"

namespace mf::gradient_flow {

struct InteractionKernel {
  int type = 0;  // 0 none, 1 |z|²/2 − log|z|, 2 |z|²/2 − |z|, 3 |z|^a/a − |z|^b/b, 4 −s e^{−|z|²/2w²}, 5 −log|z|
  int dim = 1;
  double eps2 = 1e-6, a = 2.0, b = 1.0, width = 1.0, strength = 1.0;

  KOKKOS_INLINE_FUNCTION double W(const double* z) const {
    double r2 = 0.0;
    for (int c = 0; c < dim; ++c) r2 += z[c] * z[c];
    const double s2 = r2 + eps2;
    switch (type) {
      case 1: return 0.5 * r2 - 0.5 * kmath::log(s2);
      case 2: return 0.5 * r2 - kmath::sqrt(s2);
      case 3: return kmath::pow(s2, 0.5 * a) / a - kmath::pow(s2, 0.5 * b) / b;
      case 4: return -strength * kmath::exp(-0.5 * r2 / (width * width));
      case 5: return -0.5 * kmath::log(s2);
      default: return 0.0;
    }
  }
  // g += ∇W(z).
  KOKKOS_INLINE_FUNCTION void add_gradient(const double* z, double* g) const {
    double r2 = 0.0;
    for (int c = 0; c < dim; ++c) r2 += z[c] * z[c];
    const double s2 = r2 + eps2;
    double f = 0.0;  // ∇W = f z
    switch (type) {
      case 1: f = 1.0 - 1.0 / s2; break;
      case 2: f = 1.0 - 1.0 / kmath::sqrt(s2); break;
      case 3: f = kmath::pow(s2, 0.5 * a - 1.0) - kmath::pow(s2, 0.5 * b - 1.0); break;
      case 4: f = strength / (width * width) * kmath::exp(-0.5 * r2 / (width * width)); break;
      case 5: f = -1.0 / s2; break;
      default: f = 0.0;
    }
    for (int c = 0; c < dim; ++c) g[c] += f * z[c];
  }
};

inline InteractionKernel make_interaction(const EnergyConfig& e, int dim) {
  InteractionKernel k;
  k.dim = dim;
  k.eps2 = e.softening * e.softening;
  k.a = e.power_a;
  k.b = e.power_b;
  k.width = e.gaussian_width;
  k.strength = e.gaussian_strength;
  switch (e.interaction) {
    case Interaction::LogQuadratic: k.type = 1; break;
    case Interaction::AbsQuadratic: k.type = 2; break;
    case Interaction::Power: k.type = 3; break;
    case Interaction::Gaussian: k.type = 4; break;
    case Interaction::Log: k.type = 5; break;
    default: k.type = 0;
  }
  return k;
}

}  // namespace mf::gradient_flow
