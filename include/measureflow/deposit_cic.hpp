// Particles → grid density by cloud-in-cell (tensor-product hat) weights, mass conserving.
#pragma once
#include <petscvec.h>

#include "measureflow/grid.hpp"
#include "measureflow/particles.hpp"

namespace mf {

// Writes into `density` (a global vector of `grid`) the CIC density of the particles: each particle's
// weight is shared among the 2^d cells whose centres surround it, divided by the cell volume. At a
// no-flux wall the share that would fall outside is kept in the wall cell, so total mass is exact.
// Particles must already be migrated to their owning ranks. Collective.
void deposit_cic(const Grid& grid, const ParticleSet& particles, Vec density);

}  // namespace mf
