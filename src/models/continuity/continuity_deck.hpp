// The continuity model's deck keys and the deck → ContinuityConfig mapping (continuity_deck.cpp).
#pragma once
#include "continuity_config.hpp"

namespace mf {
class Deck;
class Schema;
}  // namespace mf

namespace mf::continuity {

// The model's keys beside the core keys (also used on their own by the deck fuzzer).
void declare_continuity_keys(Schema& s);
// From a deck validated against that schema.
ContinuityConfig config_from_deck(const Deck& deck);

}  // namespace mf::continuity
