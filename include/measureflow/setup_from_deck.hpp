// Turning validated deck sections into the objects every model builds first: grid, measures, particles.
#pragma once
#include <memory>
#include <string>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"
#include "measureflow/particles.hpp"

namespace mf {

class Deck;

GridSpec grid_spec_from_deck(const Deck& deck);
// `section` is "initial" or "target".
MeasureSpec measure_spec_from_deck(const Deck& deck, const std::string& section);
// The measure of a section, `file` included (grid snapshots and particle sets from earlier runs).
std::shared_ptr<const Measure> measure_from_deck(const Deck& deck, const std::string& section);

// Samples `total` particles of equal weight mass/total from the measure with the counter-based stream
// `seed`: rank r draws the ids of its id_block, then particles migrate to their owners, so the set is
// the same for any rank count.
ParticleSet sample_particles(const Measure& measure, long long total, std::uint64_t seed, const Grid& grid,
                             double mass = 1.0);

}  // namespace mf
