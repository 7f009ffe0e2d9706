// Building blocks for gradient_flow tests that do not go through a deck.
#pragma once
#include <cmath>
#include <vector>

#include "models/gradient_flow/gradient_flow_config.hpp"

namespace mf::testing {

inline gradient_flow::GradientFlowConfig gf_config(int dim, double half_width, PetscInt n) {
  gradient_flow::GradientFlowConfig c;
  c.domain.dim = dim;
  for (int a = 0; a < dim; ++a) {
    c.domain.lower[a] = -half_width;
    c.domain.upper[a] = half_width;
    c.domain.cells[a] = n;
  }
  c.domain.boundary = Boundary::NoFlux;
  return c;
}

inline void set_barenblatt(gradient_flow::GradientFlowConfig& c, double m, double t0) {
  c.energy.internal = gradient_flow::Internal::Porous;
  c.energy.m = m;
  c.initial.type = "barenblatt";
  c.initial.dim = c.domain.dim;
  c.initial.m = m;
  c.initial.t0 = t0;
  c.initial.center = Vector(c.domain.dim, 0.0);
}

inline void set_gaussian(gradient_flow::GradientFlowConfig& c, const Vector& mean, const Matrix& cov) {
  c.energy.internal = gradient_flow::Internal::Entropy;
  c.initial.type = "gaussian";
  c.initial.dim = c.domain.dim;
  c.initial.mean = mean;
  c.initial.cov = cov;
}

// A log gas confined by x²/2 (interaction −½log(|x|² + softening²), no internal energy) started from a
// Gaussian: the semicircle deck's energy, relaxing to the semicircle (1D) or the disk (2D).
inline void set_log_gas(gradient_flow::GradientFlowConfig& c, double softening, const Vector& mean, const Matrix& cov) {
  c.energy.internal = gradient_flow::Internal::None;
  c.energy.potential = gradient_flow::Potential::Quadratic;
  c.energy.potential_strength = 1.0;
  c.energy.interaction = gradient_flow::Interaction::Log;
  c.energy.softening = softening;
  c.initial.type = "gaussian";
  c.initial.dim = c.domain.dim;
  c.initial.mean = mean;
  c.initial.cov = cov;
}

inline double observed_order(double coarse, double fine, double ratio = 2.0) {
  return std::log(coarse / fine) / std::log(ratio);
}

}  // namespace mf::testing
