// Particles drawn from a measure: the Lagrangian views' initial state, independent of the rank count.
#pragma once
#include <cstdint>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/particles.hpp"

namespace mf {

// Samples `total` particles of equal weight mass/total from the measure with the counter-based stream
// `seed`: rank r draws the ids of its id_block, then particles migrate to their owners, so the set is
// the same for any rank count.
ParticleSet sample_particles(const Measure& measure, long long total, std::uint64_t seed, const Grid& grid,
                             double mass = 1.0);

// The same draws without a grid: rank r keeps the ids of its id_block (tokens and neurons, which live in
// spaces without a domain decomposition).
ParticleSet sample_id_block(MPI_Comm comm, const Measure& measure, long long total, std::uint64_t seed,
                            double mass = 1.0);

}  // namespace mf
