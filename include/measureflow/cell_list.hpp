// A cell list (uniform bins of side ≥ cut-off) over a point set, for short-range particle sums:
// for_each_neighbour visits every point within one bin of x, a superset of the points within cut-off.
#pragma once
#include <Kokkos_Core.hpp>

#include "measureflow/weighted_points.hpp"

namespace mf {

struct CellList {
  int dim = 1;
  double origin[3] = {0, 0, 0};
  double inv_size = 1.0;
  int n[3] = {1, 1, 1};
  Kokkos::View<int*> offsets;  // bin b holds sorted[offsets(b) .. offsets(b+1))
  Kokkos::View<int*> sorted;   // point indices grouped by bin

  KOKKOS_INLINE_FUNCTION int bin_coord(int a, double x) const {
    int c = static_cast<int>((x - origin[a]) * inv_size);
    return c < 0 ? 0 : (c >= n[a] ? n[a] - 1 : c);
  }

  // Calls f(j) for the points in the 3^dim bins around x.
  template <class F>
  KOKKOS_INLINE_FUNCTION void for_each_neighbour(const double* x, const F& f) const {
    int c[3] = {0, 0, 0};
    for (int a = 0; a < dim; ++a) c[a] = bin_coord(a, x[a]);
    const int lo2 = dim > 2 ? -1 : 0, hi2 = dim > 2 ? 1 : 0, lo1 = dim > 1 ? -1 : 0, hi1 = dim > 1 ? 1 : 0;
    for (int dz = lo2; dz <= hi2; ++dz)
      for (int dy = lo1; dy <= hi1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int bx = c[0] + dx, by = c[1] + dy, bz = c[2] + dz;
          if (bx < 0 || bx >= n[0] || by < 0 || by >= n[1] || bz < 0 || bz >= n[2]) continue;
          const int b = (bz * n[1] + by) * n[0] + bx;
          for (int s = offsets(b); s < offsets(b + 1); ++s) f(sorted(s));
        }
  }
};

// Bins the points (n × dim) into cubes of side cell_size covering their bounding box. Collective over
// nothing: a rank-local structure.
CellList build_cell_list(PointsView points, int dim, double cell_size);

}  // namespace mf
