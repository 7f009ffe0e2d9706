// Turning validated deck sections into the objects every model builds first: the grid and the measures.
// This is the one layer that reads decks for them (src/setup/): grid/ and measures/ know nothing of decks.
#pragma once
#include <memory>
#include <string>

#include "measureflow/grid.hpp"
#include "measureflow/measures.hpp"

namespace mf {

class Deck;

GridSpec grid_spec_from_deck(const Deck& deck);
// `section` is "initial" or "target".
MeasureSpec measure_spec_from_deck(const Deck& deck, const std::string& section);
// The measure of a section, `file` included (grid snapshots and particle sets from earlier runs).
std::shared_ptr<const Measure> measure_from_deck(const Deck& deck, const std::string& section);

}  // namespace mf
