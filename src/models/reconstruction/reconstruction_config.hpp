// Plain configuration of the reconstruction model (`model: reconstruction`): one field per deck key.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "fields/reconstruction/minimal_field.hpp"
#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::reconstruction {

enum class PathType { GaussianLinear, Run };
PathType parse_path_type(const std::string& s);  // gaussian_linear | run

struct ReconstructionConfig {
  GridSpec domain;                      // domain.* (for `run`: must match the file's grid)
  PathType path = PathType::GaussianLinear;  // path.type
  MeasureSpec initial;                  // initial: the Gaussian at t = 0 (gaussian_linear)
  Matrix A;                             // path.A (gaussian_linear)
  Vector b;                             // path.b (gaussian_linear)
  std::string file;                     // path.file (run): a fields.h5, resolved against the deck
  std::vector<double> times;            // path.times: observation times, increasing
  fields::ReconstructionOptions solver; // method, solver.{density_floor, rtol}
  double cfl = 0.4;                     // time.cfl of the re-advection
  bool lagrangian = true;               // lagrangian.enabled
  long long particles = 10000;          // lagrangian.particles
  std::uint64_t seed = 42;              // lagrangian.seed
  double w2_eps = 0.0;                  // diagnostics.w2_eps (0: (2h)²) for lagrangian.readvect_w2
  long long w2_points = 1000;           // diagnostics.w2_points
};

}  // namespace mf::reconstruction
