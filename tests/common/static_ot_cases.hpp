// Configurations of the static_ot tests: two Gaussians in a 2D box, with the measures well inside it
// (≥ 6 standard deviations to every face) so the box truncates nothing the tests can see.
#pragma once
#include <memory>

#include "measureflow/measures.hpp"
#include "models/static_ot/static_ot_config.hpp"

namespace mf::testing {

inline std::shared_ptr<const Measure> gaussian_2d(double mx, double my, double sxx, double sxy, double syy) {
  MeasureSpec s;
  s.type = "gaussian";
  s.dim = 2;
  s.mean = Vector{mx, my};
  s.cov = Matrix(2, 2);
  s.cov(0, 0) = sxx;
  s.cov(0, 1) = s.cov(1, 0) = sxy;
  s.cov(1, 1) = syy;
  return make_measure(s);
}

inline std::shared_ptr<const Measure> ball_2d(double cx, double cy, double radius) {
  MeasureSpec s;
  s.type = "uniform_ball";
  s.dim = 2;
  s.center = Vector{cx, cy};
  s.radius = radius;
  return make_measure(s);
}

// α = N((−0.2, −0.1), Σα), β = N((0.15, 0.1), Σβ) on [−1, 1]² with `cells` per axis; both views on.
inline static_ot::StaticOtConfig two_gaussians(PetscInt cells, double eps = 0.0) {
  static_ot::StaticOtConfig c;
  c.domain.dim = 2;
  c.domain.lower = {-1.0, -1.0, 0.0};
  c.domain.upper = {1.0, 1.0, 1.0};
  c.domain.cells = {cells, cells, 1};
  c.domain.boundary = Boundary::NoFlux;
  c.initial = gaussian_2d(-0.2, -0.1, 0.02, 0.006, 0.015);
  c.target = gaussian_2d(0.15, 0.1, 0.012, -0.003, 0.022);
  c.eps = eps;
  c.tolerance = 1e-8;
  return c;
}

// The pair of the shipped deck inputs/static_ot/gaussian_2d_256.yaml, wider than two_gaussians' (α's lower
// x face of [−1, 1]² is 4.6 standard deviations away), on [−half_width, half_width]² with `cells` per axis;
// grid view only, solved by the multiscale solver at ε = h² (tolerance 1e-8).
inline static_ot::StaticOtConfig deck_gaussians(double half_width, PetscInt cells) {
  static_ot::StaticOtConfig c = two_gaussians(cells);
  c.domain.lower = {-half_width, -half_width, 0.0};
  c.domain.upper = {half_width, half_width, 1.0};
  c.initial = gaussian_2d(-0.2, -0.1, 0.03, 0.01, 0.02);
  c.target = gaussian_2d(0.15, 0.1, 0.015, -0.004, 0.035);
  c.method = static_ot::StaticMethod::Multiscale;
  c.lagrangian_enabled = false;
  return c;
}

}  // namespace mf::testing
