// Plain configuration of the gradient_flow model: one field per pinned deck key (the lead maps the
// deck onto it). Energy f(ρ) = ∫U(ρ) + ∫V dρ + ½∫∫W(x−y) dρ dρ, PDE ∂ρ = div(ρ∇(U'(ρ) + V + W∗ρ)).
#pragma once
#include <cstdint>
#include <string>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"

namespace mf::gradient_flow {

enum class Internal { None, Entropy, Porous };
enum class Potential { None, Quadratic };
enum class Interaction { None, LogQuadratic, AbsQuadratic, Power, Gaussian, Log };
enum class ParticleMethod { Blob, Stochastic, Pairwise };
enum class EulerianScheme { Fv, Jko };
enum class JkoSolver { Quantiles, DynamicOt, BackAndForth };

struct EnergyConfig {
  Internal internal = Internal::Porous;        // energy.internal.type: none | entropy | porous
  double m = 2.0;                              // energy.internal.m (porous, > 1)
  Potential potential = Potential::None;       // energy.potential.type: none | quadratic
  double potential_strength = 1.0;             // energy.potential.strength: V = strength |x|²/2
  Interaction interaction = Interaction::None; // energy.interaction.type
  double power_a = 2.0, power_b = 1.0;         // energy.interaction.a, .b: W = |x|^a/a − |x|^b/b
  double gaussian_width = 1.0;                 // energy.interaction.width
  double gaussian_strength = 1.0;              // energy.interaction.strength: W = −strength e^{−|x|²/2w²}
  double softening = 1e-3;                     // energy.interaction.softening: |x| → √(|x|² + ε²)
};

struct GradientFlowConfig {
  GridSpec domain;                 // domain.{dim, lower, upper, cells, boundary} (boundary: noflux)
  MeasureSpec initial;             // initial.{type, m, t0, center, mean, cov, ...}
  EnergyConfig energy;             // energy.{internal, potential, interaction}
  double t_end = 0.5;              // time.end
  double dt = 0.005;               // time.dt (implicit step; no h² restriction)
  bool eulerian_enabled = true;    // eulerian.enabled
  bool lagrangian_enabled = true;  // lagrangian.enabled
  long long particles = 20000;     // lagrangian.particles
  ParticleMethod method = ParticleMethod::Blob;  // lagrangian.method: blob | stochastic | pairwise
  double blob_width = 0.0;         // lagrangian.blob_width δ (≤ 0: 4 × lattice spacing)
  std::uint64_t seed = 42;         // lagrangian.seed
  int particle_substeps = 1;       // lagrangian.substeps: explicit RK2 sub-steps per time.dt
  bool second_order = true;        // eulerian.reconstruction: linear (true) | constant
  EulerianScheme scheme = EulerianScheme::Fv;  // eulerian.scheme: fv | jko
  // eulerian.jko_solver: auto (quantiles for the 1D heat equation, else dynamic_ot) | quantiles | dynamic_ot |
  // back_and_forth
  JkoSolver jko_solver = JkoSolver::DynamicOt;
  int jko_nodes = 2000;            // eulerian.jko_nodes: quantile nodes (jko_solver quantiles)
  int jko_time_cells = 2;          // eulerian.jko_time_cells: time cells of each step's dynamic OT problem
  double jko_tolerance = 1e-4;     // eulerian.jko_tolerance: Douglas–Rachford residual relative to the step
  int jko_max_iterations = 5000;   // eulerian.jko_max_iterations: more is a SolverError (exit 3)
  double jko_step_size = 0.3;      // eulerian.jko_step_size: γ of the proximal maps
  bool jko_warm_start = true;      // eulerian.jko_warm_start: previous step's iterate as the start
  bool bdf2 = false;               // eulerian.time_integrator: backward_euler (false) | bdf2
  int max_step_halvings = 12;      // eulerian.max_step_halvings: energy guard (0: off, energy only checked)
};

}  // namespace mf::gradient_flow
