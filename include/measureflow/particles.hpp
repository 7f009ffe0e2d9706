// Weighted particles with global ids, distributed over ranks by the grid's domain decomposition.
#pragma once
#include <Kokkos_Core.hpp>
#include <cstdint>

#include "measureflow/grid.hpp"
#include "measureflow/weighted_points.hpp"

namespace mf {

using IdsView = Kokkos::View<std::int64_t*>;

class ParticleSet {
 public:
  explicit ParticleSet(int dim = 1, std::size_t n_local = 0);
  int dim() const { return dim_; }
  std::size_t size() const { return ids.extent(0); }
  void resize(std::size_t n);  // keeps the first min(n, size()) particles
  WeightedPoints as_points() const { return WeightedPoints{dim_, positions, weights}; }

  PointsView positions;  // n × dim
  WeightsView weights;
  IdsView ids;

 private:
  int dim_;
};

// Sends every particle to the rank whose grid block contains it (periodic coordinates wrapped first).
// Collective. Conserves count and total weight exactly (particles are moved, never recreated).
// Returns the number of particles that changed rank, summed over ranks.
long long migrate(ParticleSet& p, const Grid& grid);

// Global particle count and total weight (collective).
long long global_count(const ParticleSet& p, MPI_Comm comm);
double global_weight(const ParticleSet& p, MPI_Comm comm);

// Block of global ids [first, first + count) a rank generates before migration, so generation is
// balanced and every id appears exactly once for any rank count.
struct IdRange {
  std::int64_t first;
  std::int64_t count;
};
IdRange id_block(std::int64_t total, int rank, int size);

}  // namespace mf
