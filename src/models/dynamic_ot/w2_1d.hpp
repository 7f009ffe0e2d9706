// Exact 1D W2 between a piecewise-constant grid density (each cell's mass uniform over the cell) and an
// equal-weight point cloud, by quantile functions (ot/quantile_w2_1d.hpp). Dynamic OT's cross metric on
// its 1D time slices: exact, so sharper than the debiased Sinkhorn estimate used from 2D on (slice_comparison.hpp).
#pragma once
#include <vector>

namespace mf::dynamic_ot {

// rho: cell densities on cells [lower + i h, lower + (i+1) h); any total mass (normalised inside).
double w2sq_density_vs_points_1d(const std::vector<double>& rho, double lower, double h, std::vector<double> points);

}  // namespace mf::dynamic_ot
