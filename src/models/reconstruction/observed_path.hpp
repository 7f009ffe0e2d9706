// The observed evolution t ↦ α_t that the reconstruction explains: cell averages of the density and of
// its time derivative at the observation times, on the model's grid.
//   gaussian_linear: N(m0, Σ0) carried by v = Ax + b, exact at every time (∂_t ρ = −div(ρ v) in closed form);
//   run: the density snapshots of a MeasureFlow fields.h5, ∂_t ρ by second-order finite differences in t;
//   snapshots: particle clouds (point-set files), kept as particles (for `method: ot`) and deposited on the
//              grid by cloud-in-cell (the observed densities of the Eulerian view).
#pragma once
#include <optional>
#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/moments.hpp"
#include "measureflow/particles.hpp"
#include "models/reconstruction/reconstruction_config.hpp"

namespace mf::reconstruction {

struct ObservedPath {
  std::vector<double> times;
  std::vector<VecHandle> density;     // one global vector of the grid per observation time
  std::vector<VecHandle> dt_density;  // ∂_t ρ at the same times
  std::vector<ParticleSet> clouds;     // snapshots: the observed clouds (ids = row in the file), migrated
};

ObservedPath observe_path(const ReconstructionConfig& config, const Grid& grid);

// Second-order finite-difference weights for f′(t_k) from the values at `times` (non-uniform spacing;
// one-sided three-point formulas at the ends, the plain difference when only two times exist).
std::vector<std::pair<int, double>> derivative_stencil(const std::vector<double>& times, int k);

// The Gaussian path of gaussian_linear: moments at t, and the least kinetic energy density
// |m′|² + tr(L Σ L) with L Σ + Σ L = Σ′ (Lyapunov; L symmetric) — the energy of the minimal field.
Moments gaussian_path_moments(const ReconstructionConfig& config, double t);
double gaussian_minimal_energy_rate(const ReconstructionConfig& config, double t);
// ∫ of the rate over [t0, t1] by composite Gauss–Legendre (exact to round-off for these smooth paths).
double gaussian_minimal_energy(const ReconstructionConfig& config, double t0, double t1);

}  // namespace mf::reconstruction
