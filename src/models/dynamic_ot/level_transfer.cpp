#include "level_transfer.hpp"

#include <petscdmda.h>

#include <array>
#include <vector>

#include "measureflow/grid.hpp"
#include "space_time_field.hpp"

namespace mf::dynamic_ot {

namespace {

using Index4 = std::array<PetscInt, 4>;

// Every entry of a global Vec of `grid` on every rank, in the DMDA's natural order
// (((g2 n1 + g1) n0 + g0) n3 + g3: axis 0 fastest, the dof axis 3 fastest of all).
std::vector<double> gather_natural(const SpaceTimeGrid& grid, Vec v) {
  return gather_natural_dm(grid.dm(), v, GatherTo::All);
}

PetscInt natural_index(const SpaceTimeGrid& g, const Index4& i) {
  return ((i[2] * g.cells(1) + i[1]) * g.cells(0) + i[0]) * g.cells(3) + i[3];
}

// Fine → parent coarse cell on every axis (refined axes halve the index).
Index4 parent(const SpaceTimeGrid& coarse, const SpaceTimeGrid& fine, const Index4& g) {
  Index4 p = g;
  for (int a = 0; a < 4; ++a)
    if (fine.cells(a) != coarse.cells(a)) p[a] = g[a] / 2;
  return p;
}

// Calls f(global logical index, value slot) over the owned block of `grid`, writing into `v`.
template <class F>
void fill_owned(const SpaceTimeGrid& grid, Vec v, F&& f) {
  StBlockWrite w(v, grid.owned());
  const Box4& o = grid.owned();
  for (PetscInt k = 0; k < o.count[2]; ++k)
    for (PetscInt j = 0; j < o.count[1]; ++j)
      for (PetscInt i = 0; i < o.count[0]; ++i)
        for (PetscInt t = 0; t < o.count[3]; ++t) {
          const Index4 l{i, j, k, t};
          w.at(l) = f(Index4{o.start[0] + i, o.start[1] + j, o.start[2] + k, o.start[3] + t});
        }
}

}  // namespace

bool refines(const SpaceTimeGrid& coarse, const SpaceTimeGrid& fine) {
  if (coarse.space_dim() != fine.space_dim()) return false;
  for (int a = 0; a < 4; ++a) {
    if (coarse.periodic(a) != fine.periodic(a)) return false;
    if (fine.cells(a) != coarse.cells(a) && fine.cells(a) != 2 * coarse.cells(a)) return false;
  }
  return true;
}

void prolong_staggered(const SpaceTimeGrid& coarse, const Field& from, const SpaceTimeGrid& fine, Field& to) {
  const int density = fine.space_dim();
  for (std::size_t comp = 0; comp < from.size(); ++comp) {
    const int c = static_cast<int>(comp);
    const std::vector<double> whole = gather_natural(coarse, from[comp]);
    const PetscInt nc = coarse.cells(c);
    const bool refined = fine.cells(c) != nc, periodic = fine.periodic(c);
    // Coarse face slot s along axis c (s may be nc, the upper end); `known` false for a fixed density
    // face, which is not stored.
    auto face = [&](Index4 p, PetscInt s, bool& known) {
      known = true;
      if (periodic) {
        p[c] = (s % nc + nc) % nc;
        return whole[static_cast<std::size_t>(natural_index(coarse, p))];
      }
      if (s <= 0 || s >= nc) {
        known = c != density;  // walls: zero flux
        return 0.0;
      }
      p[c] = s;
      return whole[static_cast<std::size_t>(natural_index(coarse, p))];
    };
    fill_owned(fine, to[comp], [&](const Index4& g) {
      if (!periodic && g[c] == 0) return 0.0;  // unused slot
      const Index4 p = parent(coarse, fine, g);
      if (!refined) {
        bool known;
        return face(p, g[c], known);
      }
      if (g[c] % 2 == 0) {
        bool known;
        return face(p, g[c] / 2, known);
      }
      bool lo_known, hi_known;
      const double lo = face(p, g[c] / 2, lo_known), hi = face(p, g[c] / 2 + 1, hi_known);
      if (lo_known && hi_known) return 0.5 * (lo + hi);
      return lo_known ? lo : hi;
    });
  }
}

void prolong_centred(const SpaceTimeGrid& coarse, const Field& from, const SpaceTimeGrid& fine, Field& to) {
  for (std::size_t comp = 0; comp < from.size(); ++comp) {
    const std::vector<double> whole = gather_natural(coarse, from[comp]);
    fill_owned(fine, to[comp], [&](const Index4& g) {
      return whole[static_cast<std::size_t>(natural_index(coarse, parent(coarse, fine, g)))];
    });
  }
}

}  // namespace mf::dynamic_ot
