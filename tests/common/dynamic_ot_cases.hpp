// The dynamic_ot test and benchmark case shared by several files: a compactly supported bump (power 2,
// radius 0.2, the shipped decks' shape) translated from `from` to `to` in a walled box [0, 1]^d, so the
// exact W2² is |to − from|² and v ≡ to − from. Callers set tolerance, iteration cap and particles.
#pragma once
#include <array>

#include "models/dynamic_ot/dynamic_ot_config.hpp"
#include "measureflow/small_matrix.hpp"

namespace mf::testing {

inline dynamic_ot::DynamicOtConfig translated_bump(const Vector& from, const Vector& to, std::array<PetscInt, 3> cells,
                                                  PetscInt time_cells, dynamic_ot::Method method) {
  const int dim = static_cast<int>(from.size());
  dynamic_ot::DynamicOtConfig c;
  c.space.dim = dim;
  c.space.cells = cells;
  c.space.boundary = Boundary::NoFlux;
  c.time_cells = time_cells;
  c.method = method;
  c.initial.type = c.target.type = "bump";
  c.initial.dim = c.target.dim = dim;
  c.initial.power = c.target.power = 2.0;
  c.initial.shape = c.target.shape = Matrix::diagonal(Vector(dim, 0.04));
  c.initial.mean = from;
  c.target.mean = to;
  return c;
}

}  // namespace mf::testing
