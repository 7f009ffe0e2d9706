// The grid geodesic against the straight-line particles at every time face t_k = k/N_t: the cross-view
// yardstick (cross_view_w2, the Driver's cross.w2_eulerian_lagrangian: every cell against the particles,
// ε = 2 h_max², with its bias estimate), and the kinetic energy ½∫ρ|v|² of each view at that face.
#pragma once
#include <vector>

#include "dynamic_ot_views.hpp"
#include "measureflow/cross_view_w2.hpp"

namespace mf::dynamic_ot {

struct SliceComparisonOptions {
  double eps = 0.0;                 // entropic ε (squared length); 0: the Driver's 2 h_max²
  long long max_particles = 10000;  // particles entering each slice's W2 (deck diagnostics.w2_particles)
};

struct SliceComparison {
  std::vector<double> time;               // t_k, k = 0..N_t
  std::vector<double> w2;                 // sqrt(max(S_ε, 0)) at t_k
  std::vector<double> eps;                // ε used at t_k
  std::vector<double> bias;               // the yardstick's bias estimate |W(2ε) − W(ε)| at t_k
  std::vector<double> marginal_error;     // the cross plan's L1 marginal violation at t_k
  std::vector<double> points_eulerian, points_lagrangian;  // cells and particles entering the W2 at t_k
  double seconds = 0.0, cpu_seconds = 0.0;  // all faces' solves together (wall of the slowest rank; cpu of all ranks)
  std::vector<double> grid_kinetic;       // ½∫ρ|v|² of the grid solution at face k
  std::vector<double> particle_kinetic;   // ½Σ w|T(x) − x|² (constant along straight lines)
  double largest() const;                 // max over k of w2 (the pinned cross metric)
};

// The yardstick between the grid slice on time face `face` and the particles at time `particle_time`
// (normally face/N_t; another time gives a known shift for a translated measure). Moves both views
// (select_time, move_to); the caller puts them back. Collective.
CrossW2 slice_w2(DynamicOtEulerian& grid, DynamicOtLagrangian& particles, PetscInt face, double particle_time,
                 const SliceComparisonOptions& options);

// ½∫ρ|v|² on each time face k = 0..N_t from the per-time-cell energies (N_t of them): the mean of the
// two adjacent cells, one cell at the ends (as the face velocity averages the adjacent momenta).
std::vector<double> face_kinetic_energies(const std::vector<double>& cell_energies);

// Every face k = 0..N_t. Moves both views; the caller puts them back. Collective.
SliceComparison compare_slices(DynamicOtEulerian& grid, DynamicOtLagrangian& particles, PetscInt time_cells,
                               const SliceComparisonOptions& options);

}  // namespace mf::dynamic_ot
