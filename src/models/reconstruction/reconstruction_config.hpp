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

enum class PathType { GaussianLinear, Run, Snapshots };
PathType parse_path_type(const std::string& s);  // gaussian_linear | run | snapshots

// method: ot (snapshots only): static OT between consecutive clouds, barycentric displacement / Δt,
// kernel-regressed onto the grid (fields/reconstruction/snapshot_displacement.hpp).
struct OtReconstructionOptions {
  double eps = 0.0;        // ot.eps: Sinkhorn's ε (0: h², h the largest cell size)
  double bandwidth = 0.0;  // ot.bandwidth: σ of the Gaussian kernel regression (0: h)
  double tolerance = 1e-5; // ot.tolerance: Sinkhorn's marginal tolerance
  int substeps = 4;        // ot.substeps: field samples per interval, at θ = (j + 1/2)/substeps
}; 

struct ReconstructionConfig {
  GridSpec domain;                      // domain.* (for `run`: must match the file's grid)
  PathType path = PathType::GaussianLinear;  // path.type
  MeasureSpec initial;                  // initial: the Gaussian at t = 0 (gaussian_linear)
  Matrix A;                             // path.A (gaussian_linear)
  Vector b;                             // path.b (gaussian_linear)
  std::string file;                     // path.file (run): a fields.h5, resolved against the deck
  std::vector<std::string> files;       // path.files (snapshots): point-set files, resolved against the deck
  bool midpoint = false;                // path.derivative (run): midpoint (fields at interval midpoints) | three_point
  bool ot = false;                      // method: ot
  OtReconstructionOptions ot_options;   // ot.*
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
