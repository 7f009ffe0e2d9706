// Reduced point clouds of the views for the Wasserstein yardstick, chosen so that the result does not
// depend on the rank count: particles by global-id stride, grid cells merged in blocks aligned to
// global indices.
#pragma once
#include <petscvec.h>

#include "measureflow/grid.hpp"
#include "measureflow/ot/multiscale_sinkhorn.hpp"
#include "measureflow/particles.hpp"

namespace mf {

// Particles whose id is a multiple of ceil(N / max_points) (N = global count), with their weights.
// Each rank keeps its own. Collective.
WeightedPoints particle_subsample(const ParticleSet& particles, MPI_Comm comm, long long max_points);

// The grid density as mass-weighted points: cells merged into blocks of b^d cells (b the smallest
// integer giving at most max_points non-empty blocks), each block a point at its centre of mass with
// its total mass; empty blocks dropped. Built on rank 0 from the gathered field (other ranks return an
// empty cloud). Collective.
WeightedPoints grid_cloud(const Grid& grid, Vec density, long long max_points);

// The full views for the cross-view yardstick, replicated on every rank in a rank-independent order:
// every cell with positive mass (centre × density · volume, natural order), and every particle whose id
// is a multiple of ceil(N / max_points) (all of them when N ≤ max_points), sorted by id. Collective.
ot::HostCloud replicated_cells(const Grid& grid, Vec density);
ot::HostCloud replicated_particles(const ParticleSet& particles, MPI_Comm comm, long long max_points);
// The grid's cells as the finest bins of the multiscale solver.
ot::BinLattice grid_lattice(const Grid& grid);

}  // namespace mf
