// A measure as a weighted point cloud, distributed over ranks: each rank holds its own block.
// This is how every view hands its measure to the optimal-transport yardstick (grid: cell centres ×
// cell mass; particles: positions × weights).
#pragma once
#include <Kokkos_Core.hpp>

namespace mf {

using PointsView = Kokkos::View<double**, Kokkos::LayoutRight>;  // n_local × dim
using WeightsView = Kokkos::View<double*>;                       // n_local

struct WeightedPoints {
  int dim = 0;
  PointsView positions;
  WeightsView weights;
  std::size_t local_size() const { return weights.extent(0); }
};

}  // namespace mf
