// Plain configuration of the dynamic_ot model: one field per pinned deck key (key path in comments).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"

namespace mf::dynamic_ot {

enum class Method { Alg2, DouglasRachford, PrimalDual };
// How the Lagrangian view pairs α0 and α1 samples (lagrangian.coupling).
enum class Coupling { Auto, Exact, Entropic };
Coupling parse_coupling(const std::string& s);  // "auto" | "exact" | "entropic"
std::string to_string(Coupling c);
Method parse_method(const std::string& s);  // "alg2" | "douglas_rachford" | "primal_dual"
std::string to_string(Method m);

// solver.tolerance: auto: the fixed tolerance of the coarsest grid, which has no coarser W2² to compare with.
constexpr double kAutoCoarsestTolerance = 1e-4;

struct DynamicOtConfig {
  GridSpec space;                 // domain.{dim, lower, upper, cells, boundary}  (d = 1, 2 or 3)
  MeasureSpec initial;            // initial:  α0
  MeasureSpec target;             // target:   α1
  // Overrides for densities outside the measure schema (e.g. the periodic Ishida–Lavenant profile);
  // when set they replace `initial` / `target`. Normalised to unit discrete mass either way.
  std::function<double(const double*)> initial_density, target_density;
  PetscInt time_cells = 16;       // time.cells
  Method method = Method::DouglasRachford;  // solver.method
  double tolerance = 1e-5;        // solver.tolerance (relative constraint residual and energy change)
  // solver.tolerance: auto (primal_dual): stop at a fraction of the discretisation error estimated from
  // the multilevel start's coarse W2² (levels raised to 2 at least); `tolerance` then holds the fixed
  // rule of the coarsest grid (kAutoCoarsestTolerance).
  bool tolerance_auto = false;
  int max_iterations = 2000;      // solver.max_iterations
  double step = 1.0;              // solver.step: γ (DR), 1/r (ALG2), τ (primal-dual); default 1
  double relaxation = 1.0;        // solver.relaxation: primal_dual over-relaxation ρ ∈ (0, 2)
  int levels = 1;                 // solver.levels: grids of the multilevel start (primal_dual), 1 = none
  std::string poisson = "auto";   // solver.poisson: auto (-dot_projection, else fft) | fft | ksp
  bool progress = false;          // rank-0 progress lines
  bool lagrangian = true;         // lagrangian.enabled
  std::int64_t particles = 1000;  // lagrangian.particles
  std::uint64_t seed = 1;         // lagrangian.seed
  Coupling coupling = Coupling::Auto;  // lagrangian.coupling: auto = exact in 1D, entropic in d ≥ 2
  double coupling_eps = 0.0;      // lagrangian.coupling_eps: Sinkhorn ε (length²); 0 = min(h², λ_min(Σ)/16)
  double velocity_threshold = 1e-8;  // α below which v = m/α is reported as 0
  // Core diagnostics keys, read here because the cross-view W2 runs over every time face (model metric).
  bool cross_w2 = true;           // diagnostics.w2 != none
  double cross_w2_eps = 0.0;      // diagnostics.w2_eps
  long long cross_w2_particles = 10000;  // diagnostics.w2_particles
};

}  // namespace mf::dynamic_ot
