// Mass, mean and covariance of a distributed measure: the common currency of cross-validation.
#pragma once
#include <mpi.h>
#include <petscvec.h>

#include "measureflow/grid.hpp"
#include "measureflow/small_matrix.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf {

struct Moments {
  double mass = 0.0;
  Vector mean;
  Matrix cov;  // normalised by mass
};

// Weighted moments of points (collective; two passes: mean, then centred second moments).
Moments compute_moments(MPI_Comm comm, const WeightedPoints& pts);

// Moments of the smooth density whose cell averages a grid vector holds: cell centres weighted by cell
// mass, minus h_a²/12 on the diagonal (Sheppard's correction for grouping mass at cell centres).
Moments grid_moments(const Grid& grid, Vec density);

// Cell centres × cell masses of this rank's block; cells with mass ≤ drop_below are left out.
WeightedPoints grid_as_points(const Grid& grid, Vec density, double drop_below = 0.0);

}  // namespace mf
