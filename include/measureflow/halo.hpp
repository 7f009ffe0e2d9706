// Halo exchange of particles: each rank receives copies of the other ranks' particles that lie within
// a cut-off of its grid subdomain, so short-range particle sums need no all-pairs communication.
#pragma once
#include <vector>

#include "measureflow/grid.hpp"
#include "measureflow/particles.hpp"

namespace mf {

// The received copies plus the route they took, so per-particle values computed later (a density at
// each particle, say) can follow the same route with halo_values.
struct Halo {
  int dim = 1;
  PointsView positions;  // n_halo × dim
  WeightsView weights;
  IdsView ids;
  MPI_Comm comm = MPI_COMM_NULL;
  std::vector<int> send_index;  // local particle indices, grouped by destination rank
  std::vector<int> send_count, send_offset, recv_count, recv_offset;
  std::size_t size() const { return ids.extent(0); }
};

// Collective. Subdomains are the grid's owned blocks, extended to infinity across the walls of a
// no-flux box (so particles that stray outside the box still have an owner). A particle goes to every
// other rank whose subdomain is closer than `cutoff`. Particles must be migrated (each inside its
// owner's subdomain, up to `cutoff` − the range the caller needs). Periodic grids are not supported.
Halo exchange_halo(const ParticleSet& particles, const Grid& grid, double cutoff);

// Sends values[i] of the local particles along the halo's route; result[k] belongs to halo particle k.
Kokkos::View<double*> halo_values(const Halo& halo, Kokkos::View<const double*> local_values);

}  // namespace mf
