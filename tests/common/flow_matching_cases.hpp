// Shared flow-matching cases: the 2D non-commuting Gaussian of issue #14 and eight Gaussians on a circle.
#pragma once
#include <cmath>

#include "models/flow_matching/flow_matching_config.hpp"

namespace mf::flow_matching::cases {

inline Matrix rotation(double th) { return Matrix::from_rows({{std::cos(th), -std::sin(th)}, {std::sin(th), std::cos(th)}}); }

// Σ0 = diag(1, 0.25) → Σ1 = R(0.6) diag(4, 0.5) R(0.6)ᵀ (Σ0 and Σ1 do not commute), with means.
inline FlowMatchingConfig noncommuting_gaussian() {
  FlowMatchingConfig c;
  c.dim = 2;
  c.initial.type = "gaussian";
  c.initial.dim = 2;
  c.initial.mean = {0.2, -0.1};
  c.initial.cov = Matrix::from_rows({{1.0, 0.0}, {0.0, 0.25}});
  c.target.kind = TargetKind::Gaussian;
  c.target.measure.type = "gaussian";
  c.target.measure.dim = 2;
  c.target.measure.mean = {1.0, 0.5};
  const Matrix R = rotation(0.6);
  c.target.measure.cov = R * Matrix::from_rows({{4.0, 0.0}, {0.0, 0.5}}) * transpose(R);
  c.domain.dim = 2;
  for (int a = 0; a < 2; ++a) {
    c.domain.lower[a] = -8.0;
    c.domain.upper[a] = 8.0;
    c.domain.cells[a] = 32;
  }
  c.domain.boundary = Boundary::NoFlux;
  c.particles = 4000;
  c.steps = 8;
  return c;
}

// Eight N(2(cos 2πk/8, sin 2πk/8), σ² I) of equal weight, from α0 = N(0, I).
inline FlowMatchingConfig eight_gaussians(double sigma = 0.2) {
  FlowMatchingConfig c = noncommuting_gaussian();
  c.initial.mean = {0.0, 0.0};
  c.initial.cov = Matrix::identity(2);
  c.target = TargetSpec{};
  c.target.kind = TargetKind::Mixture;
  c.target.measure.type = "mixture";
  c.target.measure.dim = 2;
  const double pi = 3.14159265358979323846;
  for (int k = 0; k < 8; ++k)
    c.target.measure.components.push_back(
        GaussianComponent{1.0, {2.0 * std::cos(2 * pi * k / 8), 2.0 * std::sin(2 * pi * k / 8)}, (sigma * sigma) * Matrix::identity(2)});
  c.eulerian_enabled = false;
  return c;
}

}  // namespace mf::flow_matching::cases
