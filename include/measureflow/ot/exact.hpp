// Exact (unregularised) optimal transport: 1D by sorting, and a small-n assignment solver as oracle.
#pragma once
#include <mpi.h>

#include <vector>

#include "measureflow/weighted_points.hpp"

namespace mf::ot {

// W2² between two 1D weighted clouds (weights normalised to unit mass) by matching quantiles.
// Limit: every rank gathers both clouds (MPI_Allgatherv), so memory is O(N + M) per rank and the
// sort is serial: fine up to ~10⁸ points, not a distributed sort.
double w2_squared_exact_1d(MPI_Comm comm, const WeightedPoints& x, const WeightedPoints& y);

// Exact W2² between two uniform clouds of equal size n (points row-major, n × dim) by the Hungarian
// algorithm, O(n³) time, O(n²) memory: a test oracle for n up to a few thousand. Serial, host-only.
double w2_squared_exact_assignment(const std::vector<double>& x, const std::vector<double>& y, int dim,
                                   std::vector<int>* assignment = nullptr);

}  // namespace mf::ot
