// The Lagrangian view's static coupling of α0 and α1 samples: exact OT between two equal-size uniform
// point clouds (a permutation), by sorting in 1D and by the Hungarian algorithm in 2D (n ≤ 2000).
// `lagrangian.coupling: exact` (and `auto` in 1D): the straight-line particle geodesic then has no ε bias;
// the cost in d ≥ 2 is the O(n³) Hungarian oracle of the static-OT subsystem, which bounds n, hence the
// entropic coupling (entropic_coupling.hpp) as the d ≥ 2 default (see docs/dynamic_ot.md).
#pragma once
#include <vector>

namespace mf::dynamic_ot {

// Row-major n × dim points. Returns perm with source i sent to target perm[i], minimising
// Σ |x_i − y_perm[i]|². Deterministic (identical on every rank for identical input).
std::vector<int> exact_assignment(const std::vector<double>& x, const std::vector<double>& y, int dim);

// Σ|x_i − y_perm[i]|² / n: W2² between the two empirical measures.
double assignment_cost(const std::vector<double>& x, const std::vector<double>& y, int dim,
                       const std::vector<int>& perm);

}  // namespace mf::dynamic_ot
