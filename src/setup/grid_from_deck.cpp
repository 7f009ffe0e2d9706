#include "measureflow/deck.hpp"
#include "measureflow/setup_from_deck.hpp"

namespace mf {

GridSpec grid_spec_from_deck(const Deck& deck) {
  GridSpec g;
  g.dim = static_cast<int>(deck.integer("domain.dim"));
  const auto lo = deck.vec("domain.lower"), hi = deck.vec("domain.upper");
  const auto cells = deck.ivec("domain.cells");
  for (int a = 0; a < g.dim; ++a) {
    g.lower[a] = lo[a];
    g.upper[a] = hi[a];
    g.cells[a] = static_cast<PetscInt>(cells[a]);
  }
  g.boundary = parse_boundary(deck.text("domain.boundary"));
  return g;
}

}  // namespace mf
