// Distances to the exact aggregation steady states: W2 to a uniform interval in 1D (exact, by
// quantiles) and, in 2D, W2 between radial laws (a lower bound of W2 to the uniform disk).
#pragma once
#include <mpi.h>

#include "measureflow/weighted_points.hpp"

namespace mf::gradient_flow {

// Exact W2 between a distributed weighted 1D cloud (normalised to unit mass) and Unif[a, b]. Collective.
double w2_to_uniform_interval(MPI_Comm comm, const WeightedPoints& pts, double a, double b);
// W2 between the law of |x − c| under the cloud and under the uniform disk of radius R about c
// (radial quantile F⁻¹(s) = R√s); a lower bound of the 2D W2 since x ↦ |x − c| is 1-Lipschitz. Collective.
double radial_w2_to_uniform_disk(MPI_Comm comm, const WeightedPoints& pts, const double* center, double R);

}  // namespace mf::gradient_flow
