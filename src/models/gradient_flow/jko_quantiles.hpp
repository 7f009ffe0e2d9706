// What the JKO scheme (eulerian.scheme: jko) needs around jko_heat_step_1d to serve as the grid view of
// the 1D heat equation: quantile nodes of the initial measure, the discrete entropy the step decreases,
// their spread, and their density as grid cell averages. Nodes are replicated on every rank (the step is
// a serial tridiagonal solve), so results do not depend on the rank count.
#pragma once
#include <petscvec.h>

#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"

namespace mf::gradient_flow {

// Quantiles X_i = F⁻¹((i + ½)/n) of the measure restricted to [lo, hi] (its CDF tabulated by the
// trapezoid rule on a fine table and inverted by linear interpolation).
std::vector<double> measure_quantiles_1d(const Measure& m, double lo, double hi, int n);

// The discrete entropy of the nodes, −(1/n) Σ_gaps log(n (X_{i+1} − X_i)) ≈ ∫ρ log ρ: the internal part
// of the objective jko_heat_step_1d minimises, so it cannot rise over a step.
double quantile_entropy(const std::vector<double>& X);

// Standard deviation of the n equal-weight atoms X_i.
double quantile_std(const std::vector<double>& X);

// Cell averages of the density whose CDF is piecewise linear through (X_i, (i + ½)/n), reaching 0 and 1
// half a gap beyond the end nodes: every gap holds 1/n of the mass, uniformly. Collective (owned cells).
void quantiles_to_cell_averages(const std::vector<double>& X, const Grid& grid, Vec out);

}  // namespace mf::gradient_flow
