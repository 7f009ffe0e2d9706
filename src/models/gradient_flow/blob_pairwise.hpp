// The blob velocities of blob_method.hpp computed by all pairs across ranks (ring exchange of particle
// blocks, ring_pairs.hpp) instead of cell lists and a halo: lagrangian.method = pairwise. Same forces,
// O(N²/P) work per rank and no neighbour search; the all-pairs peer of the cell-list crossover.
#pragma once
#include <mpi.h>

#include "blob_method.hpp"

namespace mf::gradient_flow {

// Velocities of the local particles into v (n_local × dim); returns max ρ_δ over all ranks. Collective.
double blob_velocities_pairwise(const ParticleSet& p, MPI_Comm comm, const LocalEnergy& e, const Mollifier& phi,
                                PointsView v);

}  // namespace mf::gradient_flow
