// Wasserstein distances computable without an OT solver: exact 1D W2 by quantile functions (cloud to
// uniform interval, cloud to a density; ot/quantile_w2_1d.hpp), and in 2D W2 between radial laws (a lower
// bound of W2 to the uniform disk).
#pragma once
#include <mpi.h>

#include <functional>

#include "measureflow/weighted_points.hpp"

namespace mf::gradient_flow {

// Exact W2 between a distributed weighted 1D cloud (normalised to unit mass) and Unif[a, b]. Collective.
double w2_to_uniform_interval(MPI_Comm comm, const WeightedPoints& pts, double a, double b);
// W2 between the law of |x − c| under the cloud and under the uniform disk of radius R about c
// (radial quantile F⁻¹(s) = R√s); a lower bound of the 2D W2 since x ↦ |x − c| is 1-Lipschitz. Collective.
double radial_w2_to_uniform_disk(MPI_Comm comm, const WeightedPoints& pts, const double* center, double R);

// W2 between a 1D cloud and a density supported in [lo, hi]; the density's CDF is tabulated on
// `table` points (trapezoid) and inverted by interpolation. Collective.
double w2_1d_to_density(MPI_Comm comm, const WeightedPoints& pts, const std::function<double(double)>& density,
                        double lo, double hi, int table = 200001);

}  // namespace mf::gradient_flow
