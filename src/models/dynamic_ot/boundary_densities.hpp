// The boundary densities α0, α1 as cell averages on this rank's spatial block of the space-time grid,
// normalised to unit discrete mass (the continuity constraint needs equal masses).
#pragma once
#include <functional>

#include "staggered_ops.hpp"

namespace mf::dynamic_ot {

// Cell averages (4-point Gauss–Legendre per axis) of `density` over the spatial cells of the owned block.
// `mass_before_normalisation`, if given, receives the discrete mass of the raw averages (the
// truncated mass of a measure cut by the box is 1 − that value).
SliceView boundary_density(const SpaceTimeGrid& grid, const std::function<double(const double*)>& density,
                           double* mass_before_normalisation = nullptr);

// Discrete mass h^d Σ α of a slice over the whole spatial grid (collective).
double slice_mass(const SpaceTimeGrid& grid, const SliceView& alpha);

}  // namespace mf::dynamic_ot
